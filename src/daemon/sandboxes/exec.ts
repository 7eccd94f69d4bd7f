// One foreground exec: start it in its own leaf, collect (and stream) its output, kill its whole tree at the
// timeout or on abort, and report what the cgroup measured.
import { constants } from 'node:os';
import type { Clock } from '../../shared/clock.js';
import type { Command } from './exec-command.js';
import type { ProcessRunner, Started } from './process-runner.js';
import type { ExecResult } from './sandbox-types.js';
import type { WarmBun } from './warm-bun.js';

export interface ExecRun {
  command: Command;
  cwd: string;
  timeoutMs: number;
  outputBytes: number;
  filesWritten: string[];
  leafName: string;
  stream?: (chunk: { stream: 'stdout' | 'stderr'; data: Buffer }) => void;
  signal?: AbortSignal;
  /** A Bun already started for this sandbox (ts/js with the base environment): used instead of a new one. */
  warm?: WarmBun;
}

class Capped {
  readonly chunks: Buffer[] = [];
  size = 0;
  cut = false;
  constructor(private readonly max: number) {}
  push(data: Buffer): void {
    const room = this.max - this.size;
    if (room <= 0) return void (this.cut = true);
    const take = data.length > room ? data.subarray(0, room) : data;
    if (take.length < data.length) this.cut = true;
    this.chunks.push(take);
    this.size += take.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function exitCode(code: number | null, signal: string | null): number | null {
  if (code !== null) return code;
  const n = signal ? constants.signals[signal as keyof typeof constants.signals] : undefined;
  return n === undefined ? null : 128 + n;
}

export async function runExec(runner: ProcessRunner, clock: Clock, run: ExecRun): Promise<ExecResult> {
  const stdout = new Capped(run.outputBytes);
  const stderr = new Capped(run.outputBytes);
  let exit!: (v: { code: number | null; signal: string | null }) => void;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => (exit = resolve));
  const t0 = performance.now();
  const onOutput = (fd: 1 | 2, data: Buffer): void => {
    (fd === 1 ? stdout : stderr).push(data);
    run.stream?.({ stream: fd === 1 ? 'stdout' : 'stderr', data });
  };
  const onExit = (code: number | null, signal: string | null): void => exit({ code, signal });
  const started: Started = run.warm
    ? run.warm.claim(run.command.stdin ?? '', onOutput, onExit)
    : await runner.start({
        argv: run.command.argv,
        env: run.command.env,
        cwd: run.cwd,
        ...(run.command.stdin !== undefined ? { stdin: run.command.stdin } : {}),
        leafName: run.leafName,
        onOutput,
        onExit,
      });
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    void started.kill();
  }, run.timeoutMs);
  const onAbort = (): void => void started.kill();
  run.signal?.addEventListener('abort', onAbort, { once: true });
  if (run.signal?.aborted) onAbort();
  const { code, signal } = await exited;
  const execution_ms = performance.now() - t0;
  run.signal?.removeEventListener('abort', onAbort);
  const stats = started.leaf?.stats() ?? null;
  const leaf = started.leaf;
  if (timedOut) await started.kill();
  if (leaf && leaf.pids().length > 0 && !timedOut) {
    // What the exec left behind (`cmd &`) may run on until the exec's own deadline, then goes with its tree:
    // nothing a foreground exec starts outlives its timeout. Long-lived work is `background: true`.
    clock.clearTimeout(timer);
    const left = clock.setTimeout(() => void started.kill().then(() => leaf.remove()), Math.max(0, run.timeoutMs - execution_ms));
    left.unref?.();
  } else {
    clock.clearTimeout(timer);
    // Removing a memory cgroup can take milliseconds on a busy host: not on the way to the answer.
    if (leaf) setImmediate(() => leaf.remove());
  }
  return {
    stdout: stdout.text(),
    stderr: stderr.text(),
    exit_code: exitCode(code, signal),
    signal,
    execution_ms: Math.round(execution_ms * 10) / 10,
    timed_out: timedOut,
    oom_killed: (stats?.oom_kills ?? 0) > 0,
    memory_used_mb: stats?.memory_peak_mb === null || !stats ? null : Math.round(stats.memory_peak_mb * 10) / 10,
    cpu_ms: stats?.cpu_ms === null || !stats ? null : Math.round((stats.cpu_ms - (run.warm?.cpuBefore ?? 0)) * 10) / 10,
    files_written: run.filesWritten,
    output_truncated: stdout.cut || stderr.cut,
  };
}
