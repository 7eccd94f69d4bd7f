// The embedded host store: board ids belong to one host at a time, registrations survive a restart, heartbeats are
// written lazily but within their bound.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileHostStore, HEARTBEAT_FLUSH_MS, HOSTS_FILE } from '../../../src/daemon/hosts/file-host-store.js';
import type { JoinedBoard } from '../../../src/daemon/hosts/host-store.js';
import { ManualClock } from '../browsers/manual-clock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function board(id: string): JoinedBoard {
  return { id, local_id: id, type: 'esp32-s3', name: id, rate_credits_per_min: 1, online: true, held: false, serial: { path: `/dev/${id}`, vid: null, pid: null, serial_number: null, manufacturer: null, product: null, location: null } };
}

function store(inUse: (id: string) => boolean = () => false) {
  const dir = mkdtempSync('/tmp/fbay-hs-');
  dirs.push(dir);
  const clock = new ManualClock();
  return { dir, clock, store: new FileHostStore({ stateDir: dir, clock, inUse, log: () => undefined }) };
}

describe('FileHostStore', () => {
  it("refuses an id a connected host holds; takes it from one that is away with no session on it", async () => {
    let inUse = false;
    const { store: s, clock } = store(() => inUse);
    await s.register('lab1', '1', [board('esp-a'), board('esp-b')], clock.now());
    await s.link('lab1', { connected_at: clock.now(), disconnected_at: null });
    expect((await s.register('lab2', '1', [board('esp-a'), board('esp-c')], clock.now())).refused).toEqual([{ id: 'esp-a', holder: 'lab1' }]);
    await s.link('lab1', { disconnected_at: clock.now() });
    inUse = true;
    expect((await s.register('lab2', '1', [board('esp-a')], clock.now())).refused).toEqual([{ id: 'esp-a', holder: 'lab1' }]);
    inUse = false;
    const moved = await s.register('lab2', '1', [board('esp-a')], clock.now());
    expect(moved.refused).toEqual([]);
    const hosts = await s.load();
    expect(hosts.find((h) => h.name === 'lab1')!.boards.map((b) => b.id)).toEqual(['esp-b']);
    expect(hosts.find((h) => h.name === 'lab2')!.boards.map((b) => b.id)).toEqual(['esp-a']);
  });

  it('keeps hosts across a restart, and a heartbeat reaches the file within its flush bound', async () => {
    const { store: s, clock, dir } = store();
    await s.register('lab1', '0.1.0', [board('esp-a')], clock.now());
    await s.link('lab1', { connected_at: clock.now(), disconnected_at: null });
    const at = clock.now() + 1234;
    s.heartbeat('lab1', at);
    const onDisk = () => (JSON.parse(readFileSync(join(dir, HOSTS_FILE), 'utf8')) as { hosts: Array<{ last_heartbeat_at: number }> }).hosts[0]!.last_heartbeat_at;
    expect(onDisk()).not.toBe(at);
    clock.advance(HEARTBEAT_FLUSH_MS);
    expect(onDisk()).toBe(at);
    const again = new FileHostStore({ stateDir: dir, clock, inUse: () => false, log: () => undefined });
    expect(await again.load()).toEqual([expect.objectContaining({ name: 'lab1', version: '0.1.0', last_heartbeat_at: at, boards: [expect.objectContaining({ id: 'esp-a' })] })]);
    await s.close();
  });
});
