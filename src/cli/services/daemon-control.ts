// Starting, stopping and inspecting the daemon for `fbay daemon …` (status and stop never start it).
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { assertSocketPathFits, resolvePaths, type FbayPaths } from '../../shared/paths.js';
import { UserError } from '../../shared/user-error.js';
import type { Health, HostList } from '../../transport/protocol/api.js';
import { API } from '../../transport/protocol/paths.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { CliContext } from '../context.js';
import { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { ensureDaemon, probeDaemon, type Running } from '../client/ensure-daemon.js';
import { isAlive } from '../client/start-lock.js';

type DaemonCtx = Pick<CliContext, 'env' | 'signal' | 'daemonEntry'>;

export interface Stopped {
  stopped: boolean;
  pid: number | null;
}

function pathsOf(ctx: DaemonCtx): FbayPaths {
  const paths = resolvePaths(ctx.env);
  assertSocketPathFits(paths.socket);
  return paths;
}

export async function daemonStatus(ctx: DaemonCtx): Promise<Health> {
  const paths = pathsOf(ctx);
  const health = await probeDaemon(paths.socket, ctx.signal);
  if (health) return health;
  throw new UserError(`The fbay daemon is not running (nothing answers on ${paths.socket}).`, {
    exit: EXIT.daemon_unavailable,
    code: 'daemon_not_running',
    next: 'Start it with `fbay daemon start` (any other command starts it too).',
  });
}

/** The running daemon's joined hosts and its own join; null from a daemon too old to say. */
export async function hostList(ctx: CliContext): Promise<HostList | null> {
  const { daemonClient } = await import('../client/connect.js');
  return daemonClient(ctx, { autoStart: false, checkVersion: false })
    .get<HostList>(API.hosts)
    .catch(() => null);
}

export async function startDaemon(ctx: DaemonCtx): Promise<Running> {
  return ensureDaemon({
    paths: pathsOf(ctx),
    env: ctx.env,
    signal: ctx.signal,
    ...(ctx.daemonEntry ? { daemonEntry: ctx.daemonEntry } : {}),
  });
}

/** Asks the daemon to stop and waits until it is gone: its socket silent and its process ended. */
export async function stopDaemon(ctx: DaemonCtx, keepSessions: boolean, timeoutMs = 20_000): Promise<Stopped> {
  const paths = pathsOf(ctx);
  const health = await probeDaemon(paths.socket, ctx.signal);
  if (!health) return { stopped: false, pid: null };
  const client = new DaemonClient({ socketPath: paths.socket, checkVersion: false, signal: ctx.signal });
  try {
    await client.post('/v1/daemon/stop', { keep_sessions: keepSessions });
  } catch (err) {
    // A daemon on its way out may drop the connection before its answer arrives; the wait below tells.
    if (!(err instanceof UserError && err.exit === EXIT.daemon_unavailable)) throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while ((await stillAnswers(paths.socket, ctx.signal)) || !isGone(health.pid)) {
    if (Date.now() >= deadline) {
      throw new UserError(`The fbay daemon (pid ${health.pid}) did not stop within ${timeoutMs / 1000}s.`, {
        exit: EXIT.daemon_unavailable,
        next: `See \`fbay daemon logs\`; end it with \`kill ${health.pid}\` if it hangs.`,
      });
    }
    await delay(50, undefined, { signal: ctx.signal }).catch(() => {
      throw interrupted();
    });
  }
  return { stopped: true, pid: health.pid };
}

/** Live sessions survive a restart: the old daemon leaves them to the new one. */
export async function restartDaemon(ctx: DaemonCtx): Promise<{ previousPid: number | null; running: Running }> {
  const stopped = await stopDaemon(ctx, true);
  return { previousPid: stopped.pid, running: await startDaemon(ctx) };
}

/** While a daemon shuts down, a connect may also be reset: that too means it no longer serves. */
async function stillAnswers(socket: string, signal: AbortSignal): Promise<boolean> {
  try {
    return (await probeDaemon(socket, signal)) !== null;
  } catch (err) {
    if (err instanceof UserError && err.exit === EXIT.interrupted) throw err;
    return false;
  }
}

/** Ended, or a zombie nobody reaped yet (containers without an init) — either way it serves nothing. */
export function isGone(pid: number): boolean {
  if (!isAlive(pid)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
