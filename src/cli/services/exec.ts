// `fbay exec`: reserve a board, run a command with the session in its environment, and always give the board back.
import type { CreateSessionRequest, Session } from '../../transport/protocol/api.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT, type ExitCode } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { eventStream, type EventStream } from '../client/events.js';
import { createSession, endSession } from './sessions.js';

/** Runs the command to its end; resolves with its exit status (128 + N when signal N killed it). */
export type Runner = (command: string, args: readonly string[], env: NodeJS.ProcessEnv, signal: AbortSignal) => Promise<number>;

export interface ExecOptions {
  request: CreateSessionRequest;
  waitMs: number | null;
  command: string;
  args: readonly string[];
  /** The environment the command gets, plus FBAY_SESSION and FBAY_SERIAL_URL. */
  env: NodeJS.ProcessEnv;
  /** Ctrl-C: passed on to the command as SIGINT; the session is ended once the command has exited. */
  signal: AbortSignal;
  /** One line for stderr (the command owns stdout). */
  warn: (line: string) => void;
  /** Also serve the board as an RFC 2217 port on loopback for the command's length, in FBAY_RFC2217_URL. */
  bridge?: boolean;
  /** A line for stderr that is not a warning (the bridge's clients coming and going); default: warn. */
  note?: (line: string) => void;
  runner?: Runner;
}

/**
 * Returns the command's exit status. `client` must not be tied to Ctrl-C: the session is ended through it after the
 * interrupt. The guard stream (`end_on_close`) is held from just after creation to the end, so the daemon ends the
 * session itself if this process dies without a word (SIGKILL).
 */
export async function execWithSession(client: DaemonClient, options: ExecOptions): Promise<number> {
  const session = await createSession(client, options.request, { waitMs: options.waitMs, signal: options.signal });
  let ending = false;
  let endedUnder: string | null = null;
  let guard: EventStream | undefined;
  let bridge: { close(): Promise<void> } | undefined;
  try {
    guard = await holdSession(client, session, options.warn, () => ending, (reason) => (endedUnder = reason));
    if (options.signal.aborted) throw interrupted();
    const env: NodeJS.ProcessEnv = { ...options.env, FBAY_SESSION: session.id, FBAY_SERIAL_URL: session.ws_url ?? '' };
    if (options.bridge) {
      const running = await openBridge(session, options);
      bridge = running;
      env.FBAY_RFC2217_URL = running.url;
    }
    const runner = options.runner ?? runCommand;
    const status = await runner(options.command, options.args, env, options.signal);
    if (options.signal.aborted) throw interrupted();
    if (endedUnder !== null) throw endedUnderCommand(session.id, endedUnder, status);
    return status;
  } finally {
    ending = true;
    await bridge?.close().catch(() => undefined);
    await endSession(client, session.id).catch((err: unknown) =>
      options.warn(`could not end session ${session.id}: ${(err as Error).message} (run \`fbay session end ${session.id}\`).`),
    );
    guard?.close();
  }
}

/** The RFC 2217 bridge for `--bridge`: loopback, a free port; its notices go to stderr with the command's. */
async function openBridge(session: Session, options: ExecOptions): Promise<{ url: string; close(): Promise<void> }> {
  const [{ startBridge }, { LOOPBACK }] = await Promise.all([import('./serial-bridge.js'), import('../bridge/listen-address.js')]);
  const running = await startBridge(session, { rfc2217: { host: LOOPBACK, port: 0 } }, { log: (line) => (options.note ?? options.warn)(`bridge: ${line}`), signal: options.signal });
  return { url: 'url' in running.endpoint ? running.endpoint.url : '', close: () => running.close() };
}

/** Opens the guard stream and tells the user when the session ends or warns under the running command. */
async function holdSession(client: DaemonClient, session: Session, warn: (line: string) => void, ending: () => boolean, ended: (reason: string) => void): Promise<EventStream> {
  const res = await client.stream(`/v1/events?session=${encodeURIComponent(session.id)}&end_on_close=1`);
  const stream = eventStream(res);
  stream.onEvent((event) => {
    if (ending()) return;
    if (event.type === 'ended') {
      ended(event.reason);
      warn(`session ${session.id} ended (${event.reason}) while the command runs; it goes on without the board.`);
    } else if (event.type === 'warning') {
      warn(`session ${session.id}: ${event.kind.replace('_', ' ')}, ${event.seconds_left}s left.`);
    }
  });
  stream.onEnd(() => {
    if (!ending()) warn(`lost the daemon's event stream: if fbay is killed now, session ${session.id} lasts until its idle timeout.`);
  });
  return stream;
}

/** The board went away while the command ran: whatever the command said, exec did not give it its board throughout. */
function endedUnderCommand(id: string, reason: string, status: number): UserError {
  return new UserError(`Session ${id} ended (${reason}) while the command ran (it exited with ${status}); it did not have the board throughout.`, {
    exit: EXIT.error,
    code: 'session_ended',
    next: 'See why with `fbay session show ' + id + '`; run the command again with a new reservation.',
  });
}

/** The command's non-zero status as fbay's exit code, with a line on stderr saying whose code it is. */
export function commandFailed(command: string, status: number): UserError {
  return new UserError(`\`${command}\` exited with status ${status}; the session has been ended.`, {
    // Not one of fbay's own codes: exec passes the command's status through, as `env` and `timeout` do.
    exit: status as ExitCode,
    code: 'command_failed',
  });
}

/**
 * The real runner: the command under exec's supervisor (its own process group, ended with the command, and ended if
 * this process is killed), no shell, stdio inherited; Ctrl-C is passed on as SIGINT.
 */
export const runCommand: Runner = async (command, args, env, signal) => {
  const [{ spawn }, { fileURLToPath }, { existsSync }] = await Promise.all([import('node:child_process'), import('node:url'), import('node:fs')]);
  if (signal.aborted) throw interrupted();
  // Next to this module when built; from the build when this module runs from source (the tests).
  const built = fileURLToPath(new URL('../exec/supervisor.js', import.meta.url));
  const supervisor = existsSync(built) ? built : fileURLToPath(new URL('../../../dist/cli/exec/supervisor.js', import.meta.url));
  const child = spawn(process.execPath, [supervisor, command, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env });
  let said = '';
  child.stdio[3]!.on('data', (chunk: Buffer) => (said += chunk.toString('utf8')));
  const onAbort = () => child.kill('SIGINT');
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const status = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => resolve(code ?? (sig === 'SIGKILL' ? 137 : 128)));
    });
    const notRun = /"not_started":"([^"]*)"/.exec(said);
    if (notRun) throw notStarted(command, notRun[1]);
    return status;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
};

/** What a shell says when it cannot start a command: 127 not found, 126 found but not runnable. */
function notStarted(command: string, code: string | undefined): UserError {
  const missing = code === 'ENOENT';
  return new UserError(`Could not run \`${command}\`: ${missing ? 'no such command' : (code ?? 'it did not start')}.`, {
    exit: (missing ? 127 : 126) as ExitCode,
    code: 'command_not_started',
    next: missing ? 'Check its name and PATH; exec runs it without a shell (use sh -c for shell syntax).' : 'Check that it is executable.',
  });
}
