// Records what a session asked for (console log, screenshots, HAR) through the daemon's own CDP sessions to every page.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactKind } from '../../../transport/protocol/browser-api.js';
import type { Artifact, ArtifactSet } from '../browser-host.js';
import type { CdpConnection } from '../cdp-connection.js';
import type { Target, TargetHandler } from '../target-watcher.js';
import { ConsoleLog } from './console-log.js';
import { HarBuilder } from './har.js';

const SCREENSHOT_TIMEOUT_MS = 5_000;

export const ARTIFACT_NAMES = { consoleLogs: 'console.log', har: 'network.har', recording: 'recording.mp4' } as const;

export class Recorder implements TargetHandler {
  private readonly console: ConsoleLog | null;
  private readonly har: HarBuilder | null;
  private readonly wantsScreenshots: boolean;
  private shots: { name: string; png: Buffer }[] = [];

  constructor(
    private readonly conn: CdpConnection,
    kinds: readonly ArtifactKind[],
    private readonly log: (message: string) => void = () => {},
  ) {
    this.console = kinds.includes('consoleLogs') ? new ConsoleLog() : null;
    this.har = kinds.includes('har') ? new HarBuilder() : null;
    this.wantsScreenshots = kinds.includes('screenshots');
  }

  async attach(target: Target): Promise<void> {
    if (target.type !== 'page') return;
    this.har?.addPage(target.name, target.url);
    const enable = (m: string) => this.conn.call(m, {}, target.sessionId);
    await Promise.all([
      ...(this.console ? [enable('Runtime.enable'), enable('Log.enable')] : []),
      ...(this.har ? [enable('Network.enable')] : []),
    ]);
  }

  event(target: Target, method: string, params: Record<string, any>): void {
    if (target.type !== 'page') return;
    if (this.console?.onEvent(target.name, method, params)) return;
    if (method.startsWith('Network.')) this.har?.onEvent(target.name, method, params);
  }

  /** Screenshots of the pages still open, taken before the browser closes; never throws for one that fails. */
  async takeScreenshots(pages: readonly Target[]): Promise<void> {
    if (!this.wantsScreenshots || this.conn.closed) return;
    const shots = await Promise.all(pages.map((p) => this.screenshot(p)));
    this.shots = shots.filter((s) => s !== null);
  }

  /** Writes what was recorded under `dir` (what the browser logged up to a crash, too). */
  write(dir: string): Omit<ArtifactSet, 'recording'> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = (name: string, data: string | Buffer, contentType: string): Artifact => {
      const path = join(dir, name);
      writeFileSync(path, data, { mode: 0o600 });
      return { name, path, bytes: Buffer.byteLength(data), contentType };
    };
    if (this.shots.length > 0) mkdirSync(join(dir, 'screenshots'), { recursive: true, mode: 0o700 });
    return {
      screenshots: this.shots.map((s) => file(`screenshots/${s.name}.png`, s.png, 'image/png')),
      consoleLogs: this.console ? file(ARTIFACT_NAMES.consoleLogs, this.console.text(), 'text/plain; charset=utf-8') : null,
      har: this.har ? file(ARTIFACT_NAMES.har, JSON.stringify(this.har.toHar(), null, 1), 'application/json') : null,
    };
  }

  private async screenshot(page: Target): Promise<{ name: string; png: Buffer } | null> {
    try {
      const { data } = await this.conn.call<{ data: string }>('Page.captureScreenshot', { format: 'png' }, page.sessionId, SCREENSHOT_TIMEOUT_MS);
      return { name: page.name, png: Buffer.from(data, 'base64') };
    } catch (err) {
      this.log(`screenshot of ${page.name} (${page.url}) failed: ${(err as Error).message}`);
      return null;
    }
  }
}
