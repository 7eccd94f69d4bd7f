// Notices that nobody reads our stdout pipe any more (`fbay console | grep -m1 ready`, once grep has exited) without
// writing to it. A write would fail with EPIPE, but the board may stay silent for minutes; Node cannot poll a pipe's
// write end for that, so on Linux the pipe's readers are found in /proc and watched until none is left.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';

export interface PipeReaderOptions {
  clock?: Clock;
  intervalMs?: number;
  /** Where procfs is (tests build a fake one). */
  proc?: string;
  /** This process: its own descriptors are not readers. */
  selfPid?: number;
}

export interface ReaderWatch {
  stop(): void;
}

interface Readers {
  /** Descriptors that read the pipe, by process. */
  fds: Array<{ pid: string; fd: string }>;
  /** Processes of our session whose descriptors we may not look at: one of them may read it (`| sudo tee`). */
  hidden: string[];
}

const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;

/**
 * Calls `onGone` once the last reader of the pipe on `fd` has closed it. Returns null where this cannot be told: fd is
 * not a pipe, there is no /proc, or no reader is visible at the start (one in another PID namespace, like a container
 * runtime's, cannot be watched — there the next write's EPIPE still ends the command).
 */
export function watchPipeReaders(fd: number, onGone: () => void, options: PipeReaderOptions = {}): ReaderWatch | null {
  const { clock = systemClock, intervalMs = 250, proc = '/proc', selfPid = process.pid } = options;
  const target = readLink(`${proc}/self/fd/${fd}`);
  if (typeof target !== 'string' || !/^pipe:\[\d+\]$/.test(target)) return null;
  const session = sessionOf(proc, 'self');
  const self = String(selfPid);

  const scan = (): Readers => {
    const found: Readers = { fds: [], hidden: [] };
    for (const pid of list(proc)) {
      if (!/^\d+$/.test(pid) || pid === self) continue;
      // A pipeline's processes share the shell's session: only those are looked into (a stat each, not every fd).
      if (session !== null && sessionOf(proc, pid) !== session) continue;
      let fds: string[];
      try {
        fds = readdirSync(`${proc}/${pid}/fd`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EACCES') found.hidden.push(pid);
        continue;
      }
      for (const n of fds) if (readLink(`${proc}/${pid}/fd/${n}`) === target && reads(proc, pid, n)) found.fds.push({ pid, fd: n });
    }
    return found;
  };
  const stillThere = (r: Readers) => ({
    fds: r.fds.filter(({ pid, fd: n }) => {
      const link = readLink(`${proc}/${pid}/fd/${n}`, true);
      return link === target || link === undefined; // undefined: not ours to read any more (it may still be reading)
    }),
    hidden: r.hidden.filter((pid) => existsSync(`${proc}/${pid}`)),
  });
  const none = (r: Readers) => r.fds.length === 0 && r.hidden.length === 0;

  let watched: Readers | null = null;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    timer = undefined;
    if (stopped) return;
    if (watched === null) {
      watched = scan();
      if (none(watched)) return; // nobody visible reads it: nothing to watch
    } else {
      watched = stillThere(watched);
      // The readers we knew have gone; a child they forked may still hold the pipe, so look once more before saying so.
      if (none(watched)) watched = scan();
      if (none(watched)) {
        stopped = true;
        onGone();
        return;
      }
    }
    timer = clock.setTimeout(tick, intervalMs);
    timer.unref?.();
  };
  // The first scan waits a tick: it reads every process's descriptors, and the command's first output comes first.
  timer = clock.setTimeout(tick, 0);
  timer.unref?.();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
    },
  };
}

/** The link's target; null when it is gone; with `unreadable`, undefined when we may not read it. */
function readLink(path: string, unreadable = false): string | null | undefined {
  try {
    return readlinkSync(path);
  } catch (err) {
    return unreadable && (err as NodeJS.ErrnoException).code === 'EACCES' ? undefined : null;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Whether descriptor `fd` of `pid` was opened for reading (fdinfo's `flags:` are octal open(2) flags). */
function reads(proc: string, pid: string, fd: string): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`${proc}/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags === undefined || (parseInt(flags, 8) & O_ACCMODE) !== O_WRONLY;
  } catch {
    return false; // it closed meanwhile
  }
}

/** The session id of a process (the 6th field of its stat, after the command name in parentheses). */
function sessionOf(proc: string, pid: string): string | null {
  try {
    const stat = readFileSync(`${proc}/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3] ?? null;
  } catch {
    return null;
  }
}

/** Resolves once nobody reads stdout any more: a write failed (EPIPE), it closed, or the pipe's last reader exited. */
export function stdoutReaderGone(stdout: NodeJS.WriteStream): Promise<void> {
  return new Promise<void>((resolve) => {
    const fd = (stdout as { fd?: unknown }).fd; // process.stdout has it, whatever kind of stream it is
    const watch = typeof fd === 'number' ? watchPipeReaders(fd, () => resolve()) : null;
    const done = () => {
      watch?.stop();
      resolve();
    };
    stdout.once('error', done).once('close', done);
  });
}
