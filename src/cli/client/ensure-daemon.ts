// Finds the daemon by connecting and, when nothing answers, starts it under the start lock (DESIGN.md §2, STYLE.md §4).
import { lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { assertSocketPathFits, type FbayPaths } from '../../shared/paths.js';
import { UserError } from '../../shared/user-error.js';
import type { Health } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { DaemonClient } from './daemon-client.js';
import { interrupted } from './daemon-errors.js';
import { spawnDaemon } from './spawn-daemon.js';
import { lockHolder, tryAcquireLock } from './start-lock.js';

/** dist/daemon/main.js, next to this file's dist/cli/client/. */
export const DEFAULT_DAEMON_ENTRY = fileURLToPath(new URL('../../daemon/main.js', import.meta.url));

export interface EnsureOptions {
  paths: FbayPaths;
  env: NodeJS.ProcessEnv;
  daemonEntry?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Running {
  health: Health;
  /** This call started it (false: it was already running, or another CLI started it meanwhile). */
  started: boolean;
}

const POLL_MS = 50;

/** The runtime directory must exist (0700) and the socket path must fit in sun_path before anything binds or connects. */
export function prepareRuntimeDir(paths: FbayPaths): void {
  assertSocketPathFits(paths.socket);
  mkdirSync(paths.runtimeDir, { recursive: true, mode: 0o700 });
}

/** The daemon's health when something answers on the socket, null when nothing listens there. */
export async function probeDaemon(socket: string, signal?: AbortSignal): Promise<Health | null> {
  const client = new DaemonClient({ socketPath: socket, checkVersion: false, timeoutMs: 5000, ...(signal ? { signal } : {}) });
  try {
    return await client.get<Health>('/v1/health');
  } catch (err) {
    if (err instanceof UserError && err.code === 'daemon_not_running') return null;
    throw err;
  }
}

export async function ensureDaemon(options: EnsureOptions): Promise<Running> {
  const { paths, timeoutMs = 10_000, signal } = options;
  prepareRuntimeDir(paths);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await probeDaemon(paths.socket, signal);
    if (health) return { health, started: false };
    const lock = tryAcquireLock(paths.lockFile);
    if (lock) {
      try {
        return await startUnderLock(options, deadline);
      } finally {
        lock.release();
      }
    }
    // Another CLI holds the lock and is starting the daemon: wait for it to answer (or for the lock to free up).
    if (Date.now() >= deadline) throw lockTimeout(paths, timeoutMs);
    await delay(POLL_MS, undefined, signal ? { signal } : {}).catch(() => {
      throw interrupted();
    });
  }
}

async function startUnderLock(options: EnsureOptions, deadline: number): Promise<Running> {
  const { paths, env, daemonEntry = DEFAULT_DAEMON_ENTRY } = options;
  // Another CLI may have started it between our probe and our lock.
  const health = await probeDaemon(paths.socket, options.signal);
  if (health) return { health, started: false };
  removeStaleSocket(paths.socket);
  const ready = await spawnDaemon({
    entry: daemonEntry,
    logFile: paths.logFile,
    env,
    timeoutMs: Math.max(1000, deadline - Date.now()),
  });
  const after = await probeDaemon(paths.socket, options.signal);
  if (!after) {
    throw new UserError(`The fbay daemon (pid ${ready.pid}) said it was ready, but nothing answers on ${paths.socket}.`, {
      exit: EXIT.daemon_unavailable,
      next: 'See `fbay daemon logs`.',
    });
  }
  return { health: after, started: !ready.alreadyRunning };
}

/** A socket file nobody listens on (a daemon that died) would make the new daemon's bind fail. */
function removeStaleSocket(socket: string): void {
  try {
    if (lstatSync(socket).isSocket()) unlinkSync(socket);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function lockTimeout(paths: FbayPaths, timeoutMs: number): UserError {
  const holder = lockHolder(paths.lockFile);
  return new UserError(
    `Another fbay${holder ? ` (pid ${holder})` : ''} is starting the daemon, and it did not answer within ${timeoutMs / 1000}s.`,
    {
      exit: EXIT.daemon_unavailable,
      code: 'daemon_start_timeout',
      next: `See \`fbay daemon logs\`. If no other fbay is running, remove ${paths.lockFile} and try again.`,
    },
  );
}
