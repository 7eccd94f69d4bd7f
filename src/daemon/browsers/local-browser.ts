// A Chromium process that answers CDP: started (for a session, or to wait in the warm pool) and stopped without
// leaving a process behind.
import type { Clock } from '../../shared/clock.js';
import { CdpConnection } from './cdp-connection.js';
import { exitReason, spawnChromium, type BrowserProcess, type Exit } from './launcher.js';
import { groupGone } from './process-group.js';

/** Under the CLI's 30 s request timeout, so a create that hangs is answered with a reason. */
export const LAUNCH_TIMEOUT_MS = 20_000;
/** How long a browser gets to exit on its own (after Browser.close, or its pipe closing) before its group is killed. */
const EXIT_GRACE_MS = 5_000;
const GROUP_GONE_MS = 5_000;

export interface StartedBrowser {
  proc: BrowserProcess;
  connection: CdpConnection;
  /** `Chrome/…` */
  version: string;
  /** The browser's own user agent (what a fingerprint without one keeps). */
  userAgent: string;
  profileDir: string;
  executable: string;
}

export interface StartOptions {
  executable: string;
  profileDir: string;
  /** The session's own flags (a proxy). */
  args?: readonly string[];
  /** Called as soon as the process exists, before it answers: the pid goes on record for the reaper. */
  spawned?(pid: number): void;
  timeoutMs?: number;
}

export class LaunchError extends Error {}

export async function startChromium(options: StartOptions, clock: Clock): Promise<StartedBrowser> {
  const proc = spawnChromium(options.executable, options.profileDir, options.args ?? []);
  options.spawned?.(proc.pid);
  const connection = new CdpConnection(proc.pipe);
  const exitedEarly = proc.exited.then((exit) => {
    throw new LaunchError(exitReason(exit, proc.stderrTail()));
  });
  exitedEarly.catch(() => undefined);
  try {
    const timeoutMs = options.timeoutMs ?? LAUNCH_TIMEOUT_MS;
    const version = await Promise.race([
      connection.call<{ product: string; userAgent: string }>('Browser.getVersion', {}, null, timeoutMs).catch((err: Error) => {
        throw new LaunchError(`Chromium did not answer CDP within ${timeoutMs / 1000} s (${err.message})`);
      }),
      exitedEarly,
    ]);
    return { proc, connection, version: version.product, userAgent: version.userAgent, profileDir: options.profileDir, executable: options.executable };
  } catch (err) {
    await stopChromium({ proc, connection }, clock);
    throw err instanceof LaunchError ? err : new LaunchError((err as Error).message);
  }
}

/**
 * Waits until the browser's first tab answers too: Chromium answers Browser.getVersion before that tab's renderer is
 * up, so a browser kept warm is primed this way, and a session taking it finds every part ready.
 */
export async function primeFirstPage(connection: CdpConnection): Promise<void> {
  const { targetInfos } = await connection.call<{ targetInfos: { targetId: string; type: string }[] }>('Target.getTargets');
  const page = targetInfos.find((t) => t.type === 'page');
  if (!page) return;
  const { sessionId } = await connection.call<{ sessionId: string }>('Target.attachToTarget', { targetId: page.targetId, flatten: true });
  connection.claim(sessionId);
  try {
    await connection.call('Runtime.evaluate', { expression: '0' }, sessionId);
  } finally {
    await connection.call('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    connection.release(sessionId);
  }
}

export interface Stopped {
  /** It exited by itself with code 0 (after Browser.close): what it wrote to its profile is whole. */
  clean: boolean;
  /** Some process of its group would not die (logged by the caller). */
  lingering: boolean;
}

/**
 * Stops a browser and waits until every process of its group is gone. `graceful`: asks it to close first
 * (Browser.close), so that it writes its profile out; otherwise its pipe is closed, which it also obeys.
 */
export async function stopChromium(b: Pick<StartedBrowser, 'proc' | 'connection'>, clock: Clock, graceful = false): Promise<Stopped> {
  const { proc, connection } = b;
  let exit: Exit | null = null;
  const exited = proc.exited.then((e) => (exit = e));
  if (graceful && !connection.closed) await connection.call('Browser.close', {}, null, EXIT_GRACE_MS).catch(() => undefined);
  else proc.pipe.close();
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  await Promise.race([exited, new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, EXIT_GRACE_MS)))]);
  if (timer) clock.clearTimeout(timer);
  const clean = exit !== null && (exit as Exit).code === 0;
  proc.pipe.close();
  // Renderers and the zygote share the browser's process group: kill it even after a clean exit, to leave nothing.
  proc.kill('SIGKILL');
  await proc.exited;
  const gone = proc.pid < 0 || (await groupGone(proc.pid, clock, GROUP_GONE_MS, () => proc.kill('SIGKILL')));
  return { clean, lingering: !gone };
}
