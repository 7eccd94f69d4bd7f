import { describe, expect, it } from 'vitest';
import type { BoardEntry } from '../../../src/daemon/boards/board-entries.js';
import type { DiscoveredPort } from '../../../src/daemon/boards/discovery/discovered-port.js';
import { RealBoards, type PathProbe } from '../../../src/daemon/boards/real-boards.js';

const usb = (p: Partial<DiscoveredPort> & { path: string }): DiscoveredPort => ({
  vid: '10c4', pid: 'ea60', serial_number: null, manufacturer: null, product: null, location: '1-1', interface_number: 0, ...p,
});
const s3 = usb({ path: '/dev/ttyACM0', vid: '303a', pid: '1001', serial_number: 'F4:12', location: '1-2' });
const cp = usb({ path: '/dev/ttyUSB0', serial_number: 'CP1', location: '1-3' });

/** A probe over a fixed set of paths: links resolve to their target. */
const probeOf = (paths: Record<string, string>): PathProbe => (p) => paths[p] ?? null;

describe('RealBoards', () => {
  it('types discovered ports from the catalog (unknown ones usb-serial) and ids them by USB identity', () => {
    const boards = new RealBoards(probeOf({}));
    const odd = usb({ path: '/dev/ttyACM1', vid: '1234', pid: '5678', location: '1-4' });
    expect(boards.update([s3, cp, odd])).toBe(true);
    expect(boards.records.map((r) => [r.id, r.type, r.reset_style, r.rate_credits_per_min])).toEqual([
      ['usb-10c4-ea60-CP1', 'usb-serial', 'classic', 1],
      ['usb-1234-5678-at-1-4', 'usb-serial', null, 1],
      ['usb-303a-1001-F4_12', 'esp32-s3', 'usb_jtag', 2],
    ]);
    expect(boards.records[2]).toMatchObject({ name: 'usb-303a-1001-F4_12', path: '/dev/ttyACM0', location: '1-2', baud_rate: 115200, online: true });
    expect(boards.update([s3, cp, odd])).toBe(false);
  });

  it('keeps a board that left, offline, with the same id; it comes back under a new path as the same board', () => {
    const boards = new RealBoards(probeOf({}));
    boards.update([s3]);
    expect(boards.update([])).toBe(true);
    expect(boards.records).toEqual([expect.objectContaining({ id: 'usb-303a-1001-F4_12', online: false, path: '/dev/ttyACM0' })]);
    expect(boards.update([{ ...s3, path: '/dev/ttyACM3' }])).toBe(true);
    expect(boards.records).toEqual([expect.objectContaining({ id: 'usb-303a-1001-F4_12', online: true, path: '/dev/ttyACM3' })]);
  });

  it('matches entries by serial number or by path, in entry order, with their name, type, baud and rate', () => {
    const entries: BoardEntry[] = [
      { name: 'bench', type: 'esp32-s3', serial_number: 'CP1', baud: 921600, rate_credits_per_min: 5 },
      { name: 'by-id', type: 'esp32-s3', path: '/dev/serial/by-id/usb-Espressif-if00' },
    ];
    const boards = new RealBoards(probeOf({ '/dev/serial/by-id/usb-Espressif-if00': '/dev/ttyACM0' }));
    boards.setEntries(entries);
    boards.update([s3, cp]);
    expect(boards.records).toEqual([
      expect.objectContaining({ id: 'bench', name: 'bench', type: 'esp32-s3', path: '/dev/ttyUSB0', serial_number: 'CP1', baud_rate: 921600, rate_credits_per_min: 5, reset_style: 'classic' }),
      expect.objectContaining({ id: 'by-id', type: 'esp32-s3', path: '/dev/serial/by-id/usb-Espressif-if00', vid: '303a', reset_style: 'usb_jtag', rate_credits_per_min: 2 }),
    ]);
  });

  it('makes an entry whose path exists without USB details (a pty) a board, and one that is absent an offline board', () => {
    const paths: Record<string, string> = { '/tmp/x/ttyA': '/dev/pts/7' };
    const boards = new RealBoards((p) => paths[p] ?? null);
    boards.setEntries([
      { name: 'pty', type: 'esp32-s3', path: '/tmp/x/ttyA' },
      { name: 'away', type: 'rp2040', serial_number: 'E660' },
    ]);
    boards.update([]);
    expect(boards.records).toEqual([
      expect.objectContaining({ id: 'pty', path: '/tmp/x/ttyA', vid: null, online: true, reset_style: 'classic' }),
      expect.objectContaining({ id: 'away', path: '', serial_number: 'E660', online: false, type: 'rp2040' }),
    ]);
    delete paths['/tmp/x/ttyA'];
    expect(boards.update([])).toBe(true);
    expect(boards.records[0]).toMatchObject({ id: 'pty', online: false, path: '/tmp/x/ttyA' });
  });

  it('lists a board once when an entry names it, and under its USB id again when the entry goes', () => {
    const boards = new RealBoards(probeOf({}));
    boards.update([cp]);
    boards.setEntries([{ name: 'bench', type: 'usb-serial', serial_number: 'CP1' }]);
    boards.update([cp]);
    expect(boards.records.map((r) => [r.id, r.online])).toEqual([['bench', true]]);
    boards.setEntries([]);
    boards.update([cp]);
    expect(boards.records.map((r) => [r.id, r.online])).toEqual([['usb-10c4-ea60-CP1', true]]);
  });

  it('tells apart boards that share a serial number by where they are plugged in', () => {
    const boards = new RealBoards(probeOf({}));
    const a = usb({ path: '/dev/ttyUSB0', serial_number: '0001', location: '1-1' });
    const b = usb({ path: '/dev/ttyUSB1', serial_number: '0001', location: '1-2' });
    boards.update([a]);
    boards.update([a, b]);
    expect(boards.records.map((r) => r.id)).toEqual(['usb-10c4-ea60-0001-at-1-1', 'usb-10c4-ea60-0001-at-1-2']);
    boards.update([b]);
    expect(boards.records.map((r) => [r.id, r.online])).toEqual([['usb-10c4-ea60-0001-at-1-1', false], ['usb-10c4-ea60-0001-at-1-2', true]]);
  });
});
