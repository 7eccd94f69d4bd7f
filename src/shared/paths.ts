// Where fbay keeps its files: everything under FBAY_HOME when set, else the XDG places (DESIGN.md §2).
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from './exit-codes.js';
import { UserError } from './user-error.js';

export interface FbayPaths {
  /** FBAY_HOME, when set. */
  home: string | null;
  configDir: string;
  configFile: string;
  stateDir: string;
  runtimeDir: string;
  socket: string;
  pidFile: string;
  lockFile: string;
  logFile: string;
}

/** sun_path is 108 bytes on Linux (104 on macOS), including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'darwin' ? 103 : 107;

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): FbayPaths {
  const home = env.FBAY_HOME ? env.FBAY_HOME : null;
  if (home) {
    return {
      home,
      configDir: home,
      configFile: join(home, 'config.json'),
      stateDir: join(home, 'state'),
      runtimeDir: home,
      socket: join(home, 'fbayd.sock'),
      pidFile: join(home, 'fbayd.pid'),
      lockFile: join(home, 'fbayd.lock'),
      logFile: join(home, 'fbayd.log'),
    };
  }
  const user = homedir();
  const configDir = join(env.XDG_CONFIG_HOME || join(user, '.config'), 'fbay');
  const stateDir = join(env.XDG_STATE_HOME || join(user, '.local', 'state'), 'fbay');
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const runtimeDir = env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'fbay') : `/tmp/fbay-${uid}`;
  return {
    home: null,
    configDir,
    configFile: join(configDir, 'config.json'),
    stateDir,
    runtimeDir,
    socket: join(runtimeDir, 'fbayd.sock'),
    pidFile: join(runtimeDir, 'fbayd.pid'),
    lockFile: join(runtimeDir, 'fbayd.lock'),
    logFile: join(stateDir, 'fbayd.log'),
  };
}

/** Refuses a socket path the OS cannot bind, with the fix. */
export function assertSocketPathFits(socket: string): void {
  const bytes = Buffer.byteLength(socket);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new UserError(
      `The daemon socket path is ${bytes} bytes long, over the OS limit of ${MAX_SOCKET_PATH_BYTES}: ${socket}`,
      { next: 'Set FBAY_HOME (or XDG_RUNTIME_DIR) to a shorter directory, e.g. FBAY_HOME=/tmp/fbay.', code: 'socket_path_too_long' },
    );
  }
}

/** FBAY_HOME must be a directory (or not exist yet: it is made on first use); a file there is said as such. */
export function assertHomeUsable(env: NodeJS.ProcessEnv = process.env): void {
  const home = env.FBAY_HOME;
  if (!home) return;
  let what: string;
  try {
    if (statSync(home).isDirectory()) return;
    what = 'a file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code !== 'ENOTDIR') throw err;
    what = 'under a file';
  }
  throw new UserError(`FBAY_HOME is ${home}, which is ${what}, not a directory.`, {
    exit: EXIT.usage,
    code: 'fbay_home_not_a_directory',
    next: 'Point FBAY_HOME at a directory (fbay creates it when it is missing), or unset it to use the usual places.',
  });
}
