// `fbay sandbox logs --follow`: a background process's output as it comes, read on from the last byte offset printed
// until the process exits. The API has offset reads only for a process's output (no stream), so this polls: soon
// again after output, less often while the process is quiet, since every read counts against the plan's sandbox
// requests a minute.
import { systemClock, type Clock, type TimerHandle } from '../../shared/clock.js';
import { UserError } from '../../shared/user-error.js';
import type { SandboxProcessOutput } from '../../transport/protocol/sandbox-api.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { processOutput } from './sandbox-processes.js';

/** The pause after a read that brought output, doubled after each quiet one up to `quietMs`. */
export const FOLLOW_POLL = { busyMs: 250, quietMs: 1000 } as const;

export interface ProcessFollowOptions {
  /** The byte offset to print from (0: everything the process's buffer still has). */
  since: number;
  sink: (bytes: Buffer) => void;
  /** One line for stderr: output the daemon no longer had. */
  warn: (line: string) => void;
  signal?: AbortSignal | undefined;
  /** Resolves when nobody reads stdout any more: following stops quietly. */
  outputClosed?: Promise<void> | undefined;
  clock?: Clock;
  poll?: { busyMs: number; quietMs: number };
}

export interface ProcessFollowEnd {
  /** How it ended: the process exited, or nobody read stdout any more. */
  reason: 'exited' | 'output_closed';
  /** The offset after the last byte printed. */
  next: number;
  exit_code: number | null;
}

/** Prints every byte from `since` once, in order, until the process exits; Ctrl-C rejects with exit 130. */
export async function followProcess(client: DaemonClient, id: string, pid: number, options: ProcessFollowOptions): Promise<ProcessFollowEnd> {
  const clock = options.clock ?? systemClock;
  const { busyMs, quietMs } = options.poll ?? FOLLOW_POLL;
  let closed = false;
  void options.outputClosed?.then(() => (closed = true));
  let next = options.since;
  let pause = busyMs;
  for (;;) {
    const out: SandboxProcessOutput = await processOutput(client, id, pid, next, 'base64').catch((err: unknown) => {
      throw resumable(err, id, pid, next);
    });
    // Bytes, not text: a character split between two reads is printed whole all the same, and offsets stay exact.
    const bytes = Buffer.from(out.data, 'base64');
    if (out.lost > 0) options.warn(`${out.lost} bytes of output from offset ${next} on are gone (the daemon keeps only the most recent output of a process).`);
    if (bytes.length > 0 && !closed) options.sink(bytes);
    next = out.next;
    if (out.ended) return { reason: 'exited', next, exit_code: out.exit_code };
    if (closed) return { reason: 'output_closed', next, exit_code: null };
    pause = bytes.length > 0 ? busyMs : Math.min(quietMs, pause * 2);
    if ((await sleep(clock, pause, options.signal, options.outputClosed)) === 'closed') return { reason: 'output_closed', next, exit_code: null };
  }
}

/** A failed read keeps the daemon's words and exit code, and says where to pick up again. */
function resumable(err: unknown, id: string, pid: number, next: number): unknown {
  if (!(err instanceof UserError) || err.message === '' || err.code === 'interrupted' || err.code === 'not_found' || next === 0) return err;
  const resume = `\`fbay sandbox logs ${id} ${pid} --follow --since ${next}\` picks up where it stopped.`;
  return new UserError(err.message, { exit: err.exit, code: err.code, cause: err, next: err.next ? `${err.next.replace(/\.?$/, '.')} Then ${resume}` : resume });
}

/** Waits `ms` on the clock; Ctrl-C rejects at once (exit 130), a closed stdout ends the wait early. */
function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined, outputClosed: Promise<void> | undefined): Promise<'slept' | 'closed'> {
  if (signal?.aborted) return Promise.reject(interrupted());
  return new Promise((resolve, reject) => {
    let timer: TimerHandle | undefined;
    let settled = false;
    const finish = (how: 'slept' | 'closed' | 'aborted') => {
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (how === 'aborted') reject(interrupted());
      else resolve(how);
    };
    const onAbort = () => finish('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    void outputClosed?.then(() => finish('closed'));
    timer = clock.setTimeout(() => finish('slept'), ms);
    if (settled) clock.clearTimeout(timer);
  });
}
