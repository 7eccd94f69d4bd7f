// One running Chromium of a session: launched until it answers CDP, recorded, and closed without leaving a process.
import type { ArtifactKind, BrowserArtifact } from '../../transport/protocol/browser-api.js';
import { CdpConnection } from './cdp-connection.js';
import { exitReason, spawnChromium, type BrowserProcess } from './launcher.js';
import { Recorder } from './artifacts/recorder.js';

/** Under the CLI's 30 s request timeout, so a create that hangs is answered with a reason. */
export const LAUNCH_TIMEOUT_MS = 20_000;
/** How long a browser gets to exit after its pipe closes before its process group is killed. */
const EXIT_GRACE_MS = 3_000;
const COLLECT_TIMEOUT_MS = 15_000;

/** What the engine holds for a session whose browser runs. */
export interface LiveBrowser {
  pid: number;
  version: string;
  connection: CdpConnection;
  /** Resolves with a sentence when the browser goes away on its own (crash, kill); never after finish() began. */
  lost: Promise<string>;
  /** Collects the recorded artifacts into `artifactsDir`, then closes the browser and waits until it is gone. */
  finish(artifactsDir: string): Promise<BrowserArtifact[]>;
  /** Closes at once, collecting nothing (failure, shutdown after a crash). */
  close(): Promise<void>;
}

export interface LaunchOptions {
  executable: string;
  profileDir: string;
  record: readonly ArtifactKind[];
  log(message: string): void;
  /** Called as soon as the process exists, before it answers: the pid goes on record for the reaper. */
  spawned?(pid: number): void;
  timeoutMs?: number;
}

export class LaunchError extends Error {}

export async function launchBrowser(options: LaunchOptions): Promise<LiveBrowser> {
  const proc = spawnChromium(options.executable, options.profileDir);
  options.spawned?.(proc.pid);
  const conn = new CdpConnection(proc.pipe);
  const exitedEarly = proc.exited.then((exit) => {
    throw new LaunchError(exitReason(exit, proc.stderrTail()));
  });
  try {
    const timeoutMs = options.timeoutMs ?? LAUNCH_TIMEOUT_MS;
    const version = await Promise.race([
      conn.call<{ product: string }>('Browser.getVersion', {}, null, timeoutMs).catch((err: Error) => {
        throw new LaunchError(`Chromium did not answer CDP within ${timeoutMs / 1000} s (${err.message})`);
      }),
      exitedEarly,
    ]);
    let recorder: Recorder | null = null;
    if (options.record.length > 0) {
      recorder = new Recorder(conn, options.record, options.log);
      await recorder.start();
    }
    return new RunningBrowser(proc, conn, version.product, recorder);
  } catch (err) {
    exitedEarly.catch(() => undefined);
    await stop(proc);
    throw err instanceof LaunchError ? err : new LaunchError((err as Error).message);
  } finally {
    exitedEarly.catch(() => undefined);
  }
}

class RunningBrowser implements LiveBrowser {
  readonly lost: Promise<string>;
  private closing = false;

  constructor(
    private readonly proc: BrowserProcess,
    readonly connection: CdpConnection,
    readonly version: string,
    private readonly recorder: Recorder | null,
  ) {
    this.lost = new Promise((resolve) => {
      void proc.exited.then((exit) => {
        if (!this.closing) resolve(exitReason(exit, proc.stderrTail()));
      });
    });
  }

  get pid(): number {
    return this.proc.pid;
  }

  async finish(artifactsDir: string): Promise<BrowserArtifact[]> {
    let artifacts: BrowserArtifact[] = [];
    if (this.recorder && !this.connection.closed) {
      let timer: NodeJS.Timeout | undefined;
      artifacts = await Promise.race([
        this.recorder.collect(artifactsDir),
        new Promise<BrowserArtifact[]>((resolve) => (timer = setTimeout(() => resolve([]), COLLECT_TIMEOUT_MS))),
      ]).finally(() => clearTimeout(timer));
    }
    await this.close();
    return artifacts;
  }

  async close(): Promise<void> {
    this.closing = true;
    await stop(this.proc);
  }
}

/** Closes the pipe (Chromium exits by itself), then kills the process group if it lingers, and waits for the exit. */
async function stop(proc: BrowserProcess): Promise<void> {
  proc.pipe.close();
  let timer: NodeJS.Timeout | undefined;
  const gone = await Promise.race([
    proc.exited.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), EXIT_GRACE_MS))),
  ]);
  clearTimeout(timer);
  // Renderers and the zygote share the browser's process group: kill it even after a clean exit, to leave nothing.
  proc.kill('SIGKILL');
  if (!gone) await proc.exited;
}
