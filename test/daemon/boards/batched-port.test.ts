// Batched reads on a real pty (socat): bytes exact and in order, several tty reads per chunk, close cancels a read.
import { afterEach, describe, expect, it } from 'vitest';
import { closeSync, createWriteStream, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { autoDetect } from '@serialport/bindings-cpp';
import type { BindingInterface } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { batchedReads } from '../../../src/daemon/boards/batched-port.js';
import { ptyPair, type PtyPair } from '../../helpers/socat.js';

let pty: PtyPair;
let dir: string;
afterEach(async () => {
  await pty.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('batchedReads', () => {
  it('delivers every byte in order, in chunks larger than one tty read, and writes on the spot', async () => {
    dir = mkdtempSync('/tmp/fbay-bp-');
    pty = await ptyPair(dir);
    const binding = autoDetect() as BindingInterface;
    const port = batchedReads(await binding.open({ path: pty.a, baudRate: 115200, hupcl: false } as never));
    const board = openSync(pty.b, 'r+');
    try {
      const sent = randomBytes(512 * 1024);
      // The pty holds only a few KiB: the board side writes from the thread pool while this side reads.
      const writer = createWriteStream('', { fd: openSync(pty.b, 'w'), autoClose: true });
      writer.end(sent);
      const got: Buffer[] = [];
      let total = 0;
      let largest = 0;
      while (total < sent.length) {
        const buf = Buffer.alloc(64 * 1024);
        const { bytesRead } = await port.read(buf, 0, buf.length);
        got.push(buf.subarray(0, bytesRead));
        total += bytesRead;
        largest = Math.max(largest, bytesRead);
      }
      expect(Buffer.concat(got).equals(sent)).toBe(true);
      expect(largest).toBeGreaterThan(4096);

      await port.write(Buffer.from('to the board\n'));
      const back = Buffer.alloc(13);
      let n = 0;
      while (n < 13) n += readSync(board, back, n, 13 - n, null);
      expect(back.toString()).toBe('to the board\n');

      const cancelled = expect(port.read(Buffer.alloc(16), 0, 16)).rejects.toMatchObject({ canceled: true });
      await port.close();
      await cancelled;
    } finally {
      closeSync(board);
    }
  });
});
