// The stdout pipe's readers, watched through a procfs built in a temp dir (the real one is used by test/e2e/console).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchPipeReaders } from '../../../src/cli/output/pipe-readers.js';

let proc: string;
beforeEach(() => {
  proc = mkdtempSync('/tmp/fbay-proc-');
  vi.useFakeTimers();
  addProcess('self', [['1', 'pipe:[42]', 0o1]]);
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(proc, { recursive: true, force: true });
});

/** A process with descriptors [fd, link target, open flags], in session 7. */
function addProcess(pid: string, fds: Array<[string, string, number]>): void {
  mkdirSync(join(proc, pid, 'fd'), { recursive: true });
  mkdirSync(join(proc, pid, 'fdinfo'), { recursive: true });
  writeFileSync(join(proc, pid, 'stat'), `${pid} (some (odd) name) S 1 7 7 0 -1`);
  for (const [fd, target, flags] of fds) {
    symlinkSync(target, join(proc, pid, 'fd', fd));
    writeFileSync(join(proc, pid, 'fdinfo', fd), `pos:\t0\nflags:\t0${flags.toString(8)}\nmnt_id:\t9\n`);
  }
}

const closeFd = (pid: string, fd: string) => rmSync(join(proc, pid, 'fd', fd));

describe('watchPipeReaders', () => {
  it('tells when the last reader closed the pipe, looking again for a child that still holds it', async () => {
    addProcess('100', [['0', 'pipe:[42]', 0o0], ['1', 'pipe:[43]', 0o1]]);
    addProcess('200', [['5', 'pipe:[42]', 0o1]]); // another writer: not a reader
    const gone = vi.fn();
    const watch = watchPipeReaders(1, gone, { proc, selfPid: 1 })!;
    expect(watch).not.toBeNull();
    await vi.advanceTimersByTimeAsync(1000);
    expect(gone).not.toHaveBeenCalled();
    addProcess('101', [['0', 'pipe:[42]', 0o2]]); // forked by the reader (O_RDWR counts as reading)
    closeFd('100', '0');
    await vi.advanceTimersByTimeAsync(500);
    expect(gone).not.toHaveBeenCalled();
    rmSync(join(proc, '101'), { recursive: true });
    await vi.advanceTimersByTimeAsync(250);
    expect(gone).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(gone).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('watches nothing when stdout is not a pipe, or when no reader is visible (another PID namespace)', async () => {
    const gone = vi.fn();
    expect(watchPipeReaders(2, gone, { proc })).toBeNull(); // no such descriptor
    addProcess('300', [['0', '/dev/null', 0o0]]);
    const watch = watchPipeReaders(1, gone, { proc, selfPid: 1 })!;
    await vi.advanceTimersByTimeAsync(5000);
    expect(gone).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    watch.stop();
  });

  it('stop() ends the watch', async () => {
    addProcess('100', [['0', 'pipe:[42]', 0o0]]);
    const gone = vi.fn();
    const watch = watchPipeReaders(1, gone, { proc, selfPid: 1 })!;
    await vi.advanceTimersByTimeAsync(300);
    watch.stop();
    closeFd('100', '0');
    await vi.advanceTimersByTimeAsync(1000);
    expect(gone).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
