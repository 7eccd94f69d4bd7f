// Runs a board entry's flash_command (OpenOCD, picotool, avrdude…): argv with {port}, {file}, {offset}, no shell.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Clock } from '../../shared/clock.js';
import type { Argv } from '../boards/entry-actions.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 10 * 60_000;
/** After SIGTERM, how long a command has to exit before SIGKILL. */
const KILL_GRACE_MS = 2000;

export interface CommandValues {
  port: string;
  file: string;
  offset: number;
}

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last lines it printed (stdout and stderr, in order), for an error message. */
  tail: string[];
  /** A sentence saying what went wrong; null when it exited 0. */
  failure: string | null;
}

export function substitute(argv: Argv, values: CommandValues): string[] {
  const offset = `0x${values.offset.toString(16)}`;
  return argv.map((a) => a.replaceAll('{port}', values.port).replaceAll('{file}', values.file).replaceAll('{offset}', offset));
}

export interface RunOptions {
  clock: Clock;
  timeoutMs?: number;
  signal?: AbortSignal;
  onLine(line: string, stream: 'stdout' | 'stderr'): void;
}

/** Never rejects: a program that is missing, fails, times out or is stopped is a result with a `failure` sentence. */
export function runCommand(argv: readonly string[], options: RunOptions): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const tail: string[] = [];
  const program = argv[0]!;
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let killTimer: ReturnType<Clock['setTimeout']> | null = null;
    const child = spawn(program, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const stop = () => {
      child.kill('SIGTERM');
      killTimer = options.clock.setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = options.clock.setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    for (const name of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[name], crlfDelay: Infinity }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        options.onLine(line, name);
      });
    }
    let spawnError: NodeJS.ErrnoException | null = null;
    child.on('error', (err: NodeJS.ErrnoException) => (spawnError = err));
    child.on('close', (exitCode, signal) => {
      options.clock.clearTimeout(timer);
      if (killTimer) options.clock.clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      const result = { exitCode, signal, timedOut, aborted, tail };
      resolve({ ...result, failure: describeFailure(program, result, spawnError, timeoutMs) });
    });
  });
}

function describeFailure(program: string, r: Omit<CommandResult, 'failure'>, spawnError: NodeJS.ErrnoException | null, timeoutMs: number): string | null {
  const last = r.tail.length > 0 ? ` Its last output: ${r.tail.slice(-3).join(' / ')}` : '';
  if (spawnError?.code === 'ENOENT') return `'${program}' was not found: install it, or give its absolute path in the board's flash_command.`;
  if (spawnError) return `'${program}' could not be started: ${spawnError.message}.`;
  if (r.aborted) return `'${program}' was stopped.`;
  if (r.timedOut) return `'${program}' did not finish within ${Math.round(timeoutMs / 1000)} s and was killed.${last}`;
  if (r.exitCode === 0) return null;
  const how = r.exitCode === null ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
  return `'${program}' ${how}.${last}`;
}

/** The board's flash_command for one image. */
export function runFlashCommand(argv: Argv, values: CommandValues, options: RunOptions): Promise<CommandResult> {
  return runCommand(substitute(argv, values), options);
}
