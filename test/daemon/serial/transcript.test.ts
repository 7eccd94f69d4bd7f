import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_BEHIND_BYTES, Transcript } from '../../../src/daemon/serial/transcript.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fbay-transcript-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (n: number, seed = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) % 251));

describe('Transcript', () => {
  it('reads back what it took at once, from the file and from what is still queued for it', async () => {
    const file = join(dir, 'sessions', 's1.log');
    const t = new Transcript(file);
    const a = bytes(5000, 1);
    const b = bytes(3000, 2);
    t.append(a);
    t.append(b);
    // Nothing can have been written yet (the write goes through the thread pool): all of it comes from the queue.
    expect(t.length).toBe(8000);
    expect(t.read(0)).toEqual(Buffer.concat([a, b]));
    await t.written();
    expect(readFileSync(file)).toEqual(Buffer.concat([a, b]));
    const c = bytes(1000, 3);
    t.append(c);
    // Across the file's end and the queue, and within each.
    expect(t.read(7000, 8500)).toEqual(Buffer.concat([b.subarray(2000), c.subarray(0, 500)]));
    expect(t.read(100, 200)).toEqual(a.subarray(100, 200));
    expect(t.read(8200, 8300)).toEqual(c.subarray(200, 300));
    await t.close();
    expect(readFileSync(file)).toEqual(Buffer.concat([a, b, c]));
  });

  it('keeps its numbering across a restart: a new Transcript on the same file continues at its end', async () => {
    const file = join(dir, 's2.log');
    const first = new Transcript(file);
    first.append(bytes(100));
    await first.close();
    const again = new Transcript(file);
    expect(again.length).toBe(100);
    expect(again.read(90, 100)).toEqual(bytes(100).subarray(90));
    again.append(bytes(10, 5));
    await again.close();
    expect(statSync(file).size).toBe(110);
  });

  it('stops growing at its cap', async () => {
    const file = join(dir, 's3.log');
    const t = new Transcript(file, 250);
    for (let i = 0; i < 4; i++) t.append(bytes(100, i));
    expect(t.length).toBe(250);
    await t.close();
    expect(statSync(file).size).toBe(250);
  });

  it('stops growing once the disk is too far behind, rather than holding the output in memory', async () => {
    const file = join(dir, 's4.log');
    const t = new Transcript(file);
    const mib = Buffer.alloc(1024 * 1024, 0x61);
    // In one turn of the event loop: no write can finish meanwhile, so all of it is queued at once.
    for (let i = 0; i < MAX_BEHIND_BYTES / mib.length + 8; i++) t.append(mib);
    expect(t.length).toBe(MAX_BEHIND_BYTES);
    await t.close();
    expect(statSync(file).size).toBe(MAX_BEHIND_BYTES);
  });

  it('after its file was deleted, starts a new one at the current offset and says how much is gone', async () => {
    const file = join(dir, 's5.log');
    const t = new Transcript(file);
    t.append(bytes(64));
    await t.written();
    rmSync(file);
    expect(t.detached).toBe(true);
    expect(t.reopen()).toBe(64);
    t.append(bytes(16, 9));
    expect(t.read(0)).toEqual(bytes(16, 9));
    await t.close();
    expect(readFileSync(file)).toEqual(bytes(16, 9));
  });

  it('ends where the file ends when the disk refuses a write (ENOSPC), and takes nothing after', async () => {
    // /dev/full takes the open and refuses every write with ENOSPC, as a full disk does.
    const t = new Transcript('/dev/full');
    t.append(bytes(100));
    expect(t.length).toBe(100);
    await t.written();
    expect(t.length).toBe(0);
    t.append(bytes(10));
    expect(t.length).toBe(0);
    expect(t.read(0)).toEqual(Buffer.alloc(0));
    await t.close();
  });

  it('closes with nothing written without making a file; what comes after close is not taken', async () => {
    const file = join(dir, 's6.log');
    const t = new Transcript(file);
    await t.close();
    t.append(bytes(10));
    expect(existsSync(file)).toBe(false);
    expect(t.read(0)).toEqual(Buffer.alloc(0));
  });
});
