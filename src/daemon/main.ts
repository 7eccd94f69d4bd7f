// The daemon process: start, say `ready` once on stdout, stop gracefully on SIGTERM/SIGINT.
import { resolvePaths } from '../shared/paths.js';
import { UserError } from '../shared/user-error.js';
import { startDaemon } from './daemon.js';

const log = (message: string) => process.stderr.write(`${new Date().toISOString()} fbayd[${process.pid}] ${message}\n`);
// The CLI closes its end of stdout after reading `ready`; nothing may crash the daemon for that. Nor for a log whose
// reader went away: unheard, a failed write of stderr is an uncaught exception, which is logged, which fails again…
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

async function main(): Promise<number | null> {
  const paths = resolvePaths();
  const env = process.env;
  const join = env.FBAY_JOIN && env.FBAY_JOIN_KEY ? { url: env.FBAY_JOIN, key: env.FBAY_JOIN_KEY, ca: env.FBAY_JOIN_CA || null } : null;
  const result = await startDaemon({ paths, log, listen: env.FBAY_LISTEN || null, storeUrl: env.FBAY_STORE || null, join });
  if ('alreadyRunning' in result) {
    process.stdout.write(`already-running pid=${result.alreadyRunning.pid} socket=${paths.socket}\n`);
    return 0;
  }
  const daemon = result.running;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log(`${signal}: shutting down`);
      void daemon.stop(false);
    });
  }
  process.on('uncaughtException', (err) => log(`bug: uncaught exception: ${err.stack ?? String(err)}`));
  process.on('unhandledRejection', (err) => log(`bug: unhandled rejection: ${(err as Error)?.stack ?? String(err)}`));
  process.stdout.write(`ready pid=${process.pid} socket=${paths.socket}\n`);
  await daemon.stopped;
  log('stopped');
  return 0;
}

main().then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UserError) {
      process.stderr.write(`fbayd: ${err.message}\n${err.next ? `hint: ${err.next}\n` : ''}`);
    } else {
      process.stderr.write(`fbayd: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  },
);
