// Records what a session asked for (console log, screenshots, HAR) through the daemon's own CDP sessions to every page.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactKind, BrowserArtifact } from '../../../transport/protocol/browser-api.js';
import type { CdpConnection, CdpEvent } from '../cdp-connection.js';
import { ConsoleLog } from './console-log.js';
import { HarBuilder } from './har.js';

const SCREENSHOT_TIMEOUT_MS = 5_000;

interface PageInfo {
  name: string;
  url: string;
  attached: boolean;
}

export class Recorder {
  private readonly pages = new Map<string, PageInfo>();
  private readonly console: ConsoleLog | null;
  private readonly har: HarBuilder | null;
  private readonly screenshots: boolean;
  private count = 0;
  private readonly onEvent = (e: CdpEvent) => this.handle(e);

  constructor(
    private readonly conn: CdpConnection,
    kinds: readonly ArtifactKind[],
    private readonly log: (message: string) => void = () => {},
  ) {
    this.console = kinds.includes('console_log') ? new ConsoleLog() : null;
    this.har = kinds.includes('har') ? new HarBuilder() : null;
    this.screenshots = kinds.includes('screenshots');
  }

  /** Attaches to every page there is and will be (without pausing them: the client's own auto-attach decides that). */
  async start(): Promise<void> {
    this.conn.on('event', this.onEvent);
    await this.conn.call('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
  }

  /** Takes the screenshots and writes every artifact under `dir`; never throws for one artifact that fails. */
  async collect(dir: string): Promise<BrowserArtifact[]> {
    this.conn.off('event', this.onEvent);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const out: BrowserArtifact[] = [];
    const write = (kind: ArtifactKind, path: string, data: string | Buffer) => {
      writeFileSync(path, data, { mode: 0o600 });
      out.push({ kind, path, bytes: Buffer.byteLength(data) });
    };
    if (this.screenshots) {
      const live = [...this.pages].filter(([, p]) => p.attached);
      const shots = await Promise.all(live.map(([sessionId, p]) => this.screenshot(sessionId, p)));
      if (shots.some(Boolean)) mkdirSync(join(dir, 'screenshots'), { recursive: true, mode: 0o700 });
      for (const shot of shots) if (shot) write('screenshots', join(dir, 'screenshots', `${shot.name}.png`), shot.png);
    }
    if (this.console) write('console_log', join(dir, 'console.log'), this.console.text());
    if (this.har) write('har', join(dir, 'network.har'), JSON.stringify(this.har.toHar(), null, 1));
    return out;
  }

  private async screenshot(sessionId: string, page: PageInfo): Promise<{ name: string; png: Buffer } | null> {
    try {
      const { data } = await this.conn.call<{ data: string }>('Page.captureScreenshot', { format: 'png' }, sessionId, SCREENSHOT_TIMEOUT_MS);
      return { name: page.name, png: Buffer.from(data, 'base64') };
    } catch (err) {
      this.log(`screenshot of ${page.name} (${page.url}) failed: ${(err as Error).message}`);
      return null;
    }
  }

  private handle({ method, params, sessionId }: CdpEvent): void {
    if (sessionId === null) {
      if (method === 'Target.attachedToTarget') this.attached(params);
      else if (method === 'Target.detachedFromTarget') {
        const id = params.sessionId as string;
        this.conn.release(id);
        const page = this.pages.get(id);
        if (page) page.attached = false;
      }
      return;
    }
    const page = this.pages.get(sessionId);
    if (!page) return;
    if (method === 'Target.targetInfoChanged') return;
    if (this.console?.onEvent(page.name, method, params)) return;
    if (method.startsWith('Network.')) this.har?.onEvent(page.name, method, params);
  }

  private attached(params: Record<string, any>): void {
    const info = params.targetInfo ?? {};
    const sessionId = params.sessionId as string;
    // A client's browser-level session announces itself here too: that one is the client's, not ours.
    if (info.type === 'browser') return;
    this.conn.claim(sessionId);
    if (info.type !== 'page') {
      void this.conn.call('Target.detachFromTarget', { sessionId }).catch(() => undefined);
      return;
    }
    const page: PageInfo = { name: `page-${++this.count}`, url: String(info.url ?? ''), attached: true };
    this.pages.set(sessionId, page);
    this.har?.addPage(page.name, page.url);
    const enable = (m: string) => void this.conn.call(m, {}, sessionId).catch(() => undefined);
    if (this.console) {
      enable('Runtime.enable');
      enable('Log.enable');
    }
    if (this.har) enable('Network.enable');
  }
}
