import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoDetect } from '@serialport/bindings-cpp';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { SerialPortStream } from '@serialport/stream';
import { BoardRegistry } from '../../../src/daemon/boards/board-registry.js';
import { FakeSysfs } from './discovery/fake-sysfs.js';
import { readStream } from './stream-reader.js';
import { ptyPair as startPtyPair, type PtyPair } from '../../helpers/socat.js';

// A socat pty pair stands in for a USB adapter: a config entry names one end, the test drives the other.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function ptyPair(dir: string): Promise<PtyPair> {
  const pair = await startPtyPair(dir);
  cleanups.push(() => pair.stop());
  return pair;
}

function registryFor(path: string): BoardRegistry {
  // An empty fake sysfs: only the entry can be a board here, whatever is plugged into the test machine.
  const fake = new FakeSysfs();
  const registry = new BoardRegistry({
    virtualBoards: 0,
    entries: [{ name: 'pty-board', type: 'esp32-s3', path }],
    discovery: { platform: 'linux', sysfsRoot: fake.root, devDir: fake.dev },
  });
  cleanups.push(() => {
    registry.close();
    fake.cleanup();
  });
  return registry;
}

describe('BoardRegistry with a socat pty as a board', () => {
  it('sees the pty appear and vanish, and passes bytes both ways through the real OS binding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fbay-pty-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const registry = registryFor(join(dir, 'ttyA'));
    expect(registry.list()).toEqual([expect.objectContaining({ id: 'pty-board', online: false })]);

    const online = once(registry, 'change');
    const { a, b, socat } = await ptyPair(dir);
    await online;
    expect(registry.get('pty-board')).toMatchObject({ online: true, path: a, type: 'esp32-s3', vid: null, serial_number: null });

    const port = await registry.open('pty-board');
    const far = new SerialPortStream({ binding: autoDetect() as BindingInterface, path: b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => far.open((err) => (err ? reject(err) : resolve())));
    cleanups.push(() => new Promise<void>((resolve) => (far.isOpen ? far.close(() => resolve()) : resolve())));

    const boardSide = readStream(port.stream);
    const farSide = readStream(far);
    far.write('hello from the board\n');
    expect(await boardSide.until((t) => t.includes('\n'))).toBe('hello from the board\n');
    port.stream.write(Buffer.from([0x00, 0xff, 0x0d, 0x0a]));
    await farSide.until(() => farSide.bytes().length >= 4);
    expect(farSide.bytes()).toEqual(Buffer.from([0x00, 0xff, 0x0d, 0x0a]));

    await new Promise<void>((resolve) => far.close(() => resolve()));
    await port.close();
    const offline = once(registry, 'change');
    socat.kill('SIGTERM');
    await offline;
    expect(registry.get('pty-board')).toMatchObject({ online: false, path: a });
  });
});
