// The client a command uses: this environment's daemon, started on demand unless the command says not to.
import { assertSocketPathFits, resolvePaths } from '../../shared/paths.js';
import type { CliContext } from '../context.js';
import { DaemonClient } from './daemon-client.js';

/** Which host a command is for: a remote's name, or `local`; absent, the daemon's default_remote applies. */
export const REMOTE_HEADER = 'fbay-remote';

export interface ConnectOptions {
  /** `daemon stop|status|logs` and `config` never start the daemon. */
  autoStart?: boolean;
  /** Off only for `daemon stop|restart|status`. */
  checkVersion?: boolean;
}

export function daemonClient(ctx: CliContext, { autoStart = true, checkVersion = true }: ConnectOptions = {}): DaemonClient {
  const paths = resolvePaths(ctx.env);
  assertSocketPathFits(paths.socket);
  return new DaemonClient({
    socketPath: paths.socket,
    checkVersion,
    signal: ctx.signal,
    ...(ctx.remote ? { headers: { [REMOTE_HEADER]: ctx.remote } } : {}),
    // Loaded only when nothing answers, so the usual path never pays for child_process and the lock.
    // FBAY_NO_AUTOSTART=1: shell completion asks the daemon for session ids only when it already runs.
    ...(autoStart && ctx.env.FBAY_NO_AUTOSTART !== '1'
      ? {
          startDaemon: async () => {
            const { ensureDaemon } = await import('./ensure-daemon.js');
            await ensureDaemon({ paths, env: ctx.env, signal: ctx.signal, ...(ctx.daemonEntry ? { daemonEntry: ctx.daemonEntry } : {}) });
          },
        }
      : {}),
  });
}
