// The journal file: its commits on a writer thread, seen from the main thread without a turn of the event loop; a
// replace that keeps what was appended meanwhile; a group too large for the writer; a write that fails.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JournalFile } from '../../../../src/daemon/sessions/store/journal-file.js';
import { GROUP_BYTES, JournalWriter } from '../../../../src/daemon/sessions/store/journal-writer.js';

let dir: string;
let path: string;
let logged: string[];
const opened: JournalFile[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fbay-journal-file-'));
  path = join(dir, 'sessions.jsonl');
  logged = [];
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((f) => f.close()));
  rmSync(dir, { recursive: true, force: true });
});

function open(): JournalFile {
  const f = new JournalFile(path, (m) => logged.push(m));
  opened.push(f);
  return f;
}

const onDisk = () => new JournalFile(path, () => undefined).readLines();

describe('JournalFile', () => {
  it('sees a commit at its next reap, with no turn of the event loop (only microtasks run here)', async () => {
    const f = open();
    let done = false;
    void f.append('{"a":1}').then(() => (done = true));
    const giveUp = Date.now() + 10_000;
    // No timer, no I/O callback and no message can run in this loop: only the shared memory tells of the commit.
    while (!done && Date.now() < giveUp) {
      f.reap();
      await null;
    }
    expect(done).toBe(true);
    expect(onDisk()).toEqual(['{"a":1}']);
  });

  it('commits lines appended while a group is being written together, in order', async () => {
    const f = open();
    const first = f.append('1');
    f.reap(); // handed over at once: the next lines wait for it
    const rest = Array.from({ length: 20 }, (_, i) => f.append(String(i + 2)));
    await Promise.all([first, ...rest]);
    expect(onDisk()).toEqual(Array.from({ length: 21 }, (_, i) => String(i + 1)));
  });

  it('keeps the lines appended after a replace was asked for, and those being committed when it was', async () => {
    const f = open();
    await f.append('old');
    const inFlight = f.append('a');
    f.reap();
    const replaced = f.replace(['snapshot', 'a']);
    const after = f.append('b');
    await Promise.all([inFlight, replaced, after]);
    expect(onDisk()).toEqual(['snapshot', 'a', 'b']);
    await f.append('c');
    expect(onDisk()).toEqual(['snapshot', 'a', 'b', 'c']);
  });

  it("commits a group larger than the writer's buffer", async () => {
    const f = open();
    const line = JSON.stringify({ pad: 'x'.repeat(1000) });
    const count = Math.ceil(GROUP_BYTES / line.length) + 10;
    await Promise.all(Array.from({ length: count }, () => f.append(line)));
    expect(onDisk()).toHaveLength(count);
    await f.append('next');
    expect(onDisk().at(-1)).toBe('next');
  });

  it('rejects the lines of a write that fails, says why in the log, and commits the writes after it once it can', async () => {
    mkdirSync(path); // the journal's name taken by a directory: the writer cannot open it
    const f = open();
    await expect(f.append('lost')).rejects.toThrow(/EISDIR/);
    expect(logged.join('\n')).toMatch(/journal: writing failed: .*EISDIR/);
    rmSync(path, { recursive: true });
    await f.append('kept');
    expect(onDisk()).toEqual(['kept']);
  });

  it('finishes what was appended when it closes, and refuses lines after', async () => {
    const f = open();
    const pending = Array.from({ length: 5 }, (_, i) => f.append(String(i)));
    await f.close();
    await Promise.all(pending);
    expect(readFileSync(path, 'utf8')).toBe('0\n1\n2\n3\n4\n');
    await expect(f.append('late')).rejects.toThrow(/closed/);
  });
});

describe('JournalWriter', () => {
  it('tells the group it had as failed when its thread dies, and is no longer alive (the file starts another)', async () => {
    const told: Array<[number, string | undefined]> = [];
    // A thread that dies on its first group, as one would of a fault its code does not catch.
    const dies = "const c = new Int32Array(require('node:worker_threads').workerData.shared, 0, 8); Atomics.wait(c, 0, 0); throw new Error('boom');";
    const writer = new JournalWriter(path, (seq, err) => told.push([seq, err?.message]), dies);
    const seq = writer.write('x\n');
    await vi.waitFor(() => expect(writer.alive).toBe(false), { timeout: 10_000 });
    expect(told).toEqual([[seq, expect.stringMatching(/writer thread stopped \(boom\)/)]]);
    expect(writer.done(seq)).toBe(false);
    await writer.close();
  });
});
