// A live view of a session's browser: JPEG frames of the page the session opened last (as its video shows), for the
// dashboard. It works on a browser-level CDP session of its own, as a client does, so what it sets up (target
// discovery, its page session, the screencast) is the daemon's, invisible to the session's CDP client, and all of it
// goes when that session is detached; the recording's own screencast is untouched.
//
// Chromium's screencast sends a frame when the page is drawn, and drops one it draws while three are unacknowledged or
// right after the view changed size: a page that then stays still would show its last frame but one for good. So once a
// page has been shown, has loaded, or came to the front, and then sent no frame for a while, one screenshot of it is
// shown: what the viewer sees settles on what the page is.
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { CdpConnection, CdpEvent } from './cdp-connection.js';

export interface LiveViewSink {
  /** A JPEG of the page; `sent` once it is on its way: the browser sends the next frame only after that. */
  frame(jpeg: Buffer, sent: () => void): void;
  /** The page shown now, or after it navigated. */
  page(info: { url: string; title: string }): void;
  /** The browser went away. */
  closed(): void;
}

export interface LiveViewOptions {
  maxWidth: number;
  maxHeight: number;
  quality: number;
  /** The least time between two frames. */
  minIntervalMs: number;
  /** How long a page that loaded or came to the front sends no frame before one screenshot of it is shown. */
  settleMs: number;
}

export const LIVE_VIEW_DEFAULTS: LiveViewOptions = { maxWidth: 1280, maxHeight: 800, quality: 60, minIntervalMs: 66, settleMs: 300 };

interface PageInfo {
  url: string;
  title: string;
}

export class LiveView {
  /** Open pages by target id, in the order they were created. */
  private readonly pages = new Map<string, PageInfo>();
  private browserSession: string | null = null;
  private front: { targetId: string; sessionId: string | null } | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private ackedAt = -Infinity;
  private ackTimer: TimerHandle | null = null;
  /** Armed once the shown page loaded or came to the front; each of its frames puts it off. */
  private settleTimer: TimerHandle | null = null;
  /** Frames of the shown page so far: a screenshot asked for before the latest of them is stale. */
  private framesShown = 0;
  private stopped = false;
  private readonly onEvent = (e: CdpEvent) => this.handle(e);
  private readonly onClose = () => this.sink.closed();

  constructor(
    private readonly conn: CdpConnection,
    private readonly sink: LiveViewSink,
    private readonly clock: Clock,
    private readonly options: LiveViewOptions = LIVE_VIEW_DEFAULTS,
  ) {}

  async start(): Promise<void> {
    this.conn.on('event', this.onEvent);
    this.conn.once('close', this.onClose);
    const { sessionId } = await this.conn.call<{ sessionId: string }>('Target.attachToBrowserTarget');
    this.browserSession = sessionId;
    this.conn.claim(sessionId);
    if (this.stopped) return this.detach();
    const { targetInfos } = await this.conn.call<{ targetInfos: TargetInfo[] }>('Target.getTargets', {}, sessionId);
    for (const t of targetInfos) if (t.type === 'page') this.pages.set(t.targetId, { url: t.url, title: t.title });
    await this.conn.call('Target.setDiscoverTargets', { discover: true }, sessionId);
    this.pickFront();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ackTimer) this.clock.clearTimeout(this.ackTimer);
    this.unsettle();
    this.conn.off('close', this.onClose);
    this.detach();
  }

  private detach(): void {
    const session = this.browserSession;
    this.browserSession = null;
    // Its page session and screencast go with it, as with a client that leaves.
    const done = () => {
      this.conn.off('event', this.onEvent);
      if (session) this.conn.release(session);
      if (this.front?.sessionId) this.conn.release(this.front.sessionId);
    };
    if (!session || this.conn.closed) return done();
    void this.conn.call('Target.detachFromTarget', { sessionId: session }).catch(() => undefined).finally(done);
  }

  private handle({ method, params, sessionId }: CdpEvent): void {
    if (this.stopped || this.browserSession === null) return;
    const p = params as Record<string, any>;
    if (sessionId === this.browserSession) {
      const info = p.targetInfo as TargetInfo | undefined;
      if (method === 'Target.attachedToTarget') this.conn.claim(String(p.sessionId)); // ours: its events come to us
      else if (method === 'Target.targetCreated' && info?.type === 'page') {
        this.pages.delete(info.targetId);
        this.pages.set(info.targetId, { url: info.url, title: info.title });
        this.pickFront();
      } else if (method === 'Target.targetInfoChanged' && info && this.pages.has(info.targetId)) {
        this.pages.set(info.targetId, { url: info.url, title: info.title });
        if (this.front?.targetId === info.targetId) this.sink.page({ url: info.url, title: info.title });
      } else if (method === 'Target.targetDestroyed' && this.pages.delete(String(p.targetId))) this.pickFront();
      else if (method === 'Target.detachedFromTarget' && this.front && p.sessionId === this.front.sessionId) {
        this.pages.delete(this.front.targetId);
        this.pickFront();
      }
      return;
    }
    // Chromium tells the title at commit (the URL then) but not once the page set it: asked again when it loaded.
    if (sessionId === null || sessionId !== this.front?.sessionId) return;
    if (method === 'Page.domContentEventFired' || method === 'Page.loadEventFired') {
      if (method === 'Page.loadEventFired') this.settle(sessionId);
      return void this.refreshInfo(this.front.targetId);
    }
    if (method === 'Page.screencastVisibilityChanged' && p.visible === true) return this.settle(sessionId);
    if (method === 'Page.screencastFrame' && typeof p.data === 'string') {
      const frameId = p.sessionId;
      this.framesShown++;
      if (this.settleTimer) this.settle(sessionId);
      this.sink.frame(Buffer.from(p.data, 'base64'), () => this.ack(sessionId, frameId));
    }
  }

  /** Shows the newest page; the one shown before is let go. */
  private pickFront(): void {
    const targetId = [...this.pages.keys()].at(-1) ?? null;
    if (this.front?.targetId === targetId) return;
    const old = this.front;
    this.unsettle();
    this.front = targetId ? { targetId, sessionId: null } : null;
    const front = this.front;
    this.chain = this.chain.then(async () => {
      const session = this.browserSession;
      if (!session) return;
      if (old?.sessionId) {
        await this.conn.call('Target.detachFromTarget', { sessionId: old.sessionId }, session).catch(() => undefined);
        this.conn.release(old.sessionId);
      }
      if (!front || this.front !== front) return;
      const info = this.pages.get(front.targetId);
      if (info) this.sink.page(info);
      try {
        const { sessionId } = await this.conn.call<{ sessionId: string }>('Target.attachToTarget', { targetId: front.targetId, flatten: true }, session);
        this.conn.claim(sessionId);
        front.sessionId = sessionId;
        if (this.front !== front || this.stopped) return;
        const { maxWidth, maxHeight, quality } = this.options;
        await this.conn.call('Page.enable', {}, sessionId);
        await this.conn.call('Page.startScreencast', { format: 'jpeg', quality, maxWidth, maxHeight, everyNthFrame: 1 }, sessionId);
        this.settle(sessionId);
        void this.refreshInfo(front.targetId);
      } catch {
        // The page closed meanwhile: its targetDestroyed picks the next.
      }
    });
  }

  private async refreshInfo(targetId: string): Promise<void> {
    const session = this.browserSession;
    if (!session) return;
    const { targetInfo: t } = await this.conn.call<{ targetInfo: TargetInfo }>('Target.getTargetInfo', { targetId }, session).catch(() => ({ targetInfo: null }));
    if (!t || !this.pages.has(targetId)) return;
    const old = this.pages.get(targetId)!;
    if (old.url === t.url && old.title === t.title) return;
    this.pages.set(targetId, { url: t.url, title: t.title });
    if (this.front?.targetId === targetId) this.sink.page({ url: t.url, title: t.title });
  }

  /** (Re)arms the screenshot of the shown page for when it has sent no frame for `settleMs`. */
  private settle(sessionId: string): void {
    this.unsettle();
    this.settleTimer = this.clock.setTimeout(() => {
      this.settleTimer = null;
      void this.screenshot(sessionId);
    }, this.options.settleMs);
  }

  private unsettle(): void {
    if (this.settleTimer) this.clock.clearTimeout(this.settleTimer);
    this.settleTimer = null;
  }

  private async screenshot(sessionId: string): Promise<void> {
    if (this.stopped || this.front?.sessionId !== sessionId) return;
    const asked = this.framesShown;
    // Not clipped: a clip would change the page's emulated viewport for a moment, which its CDP client could see.
    const shot = await this.conn
      .call<{ data: string }>('Page.captureScreenshot', { format: 'jpeg', quality: this.options.quality }, sessionId)
      .catch(() => null);
    if (typeof shot?.data !== 'string' || this.stopped || this.front?.sessionId !== sessionId || this.framesShown !== asked) return;
    this.sink.frame(Buffer.from(shot.data, 'base64'), () => undefined);
  }

  private ack(sessionId: string, frameId: unknown): void {
    const send = () => {
      this.ackTimer = null;
      this.ackedAt = this.clock.now();
      if (this.stopped || this.front?.sessionId !== sessionId) return;
      void this.conn.call('Page.screencastFrameAck', { sessionId: frameId }, sessionId).catch(() => undefined);
    };
    const wait = this.ackedAt + this.options.minIntervalMs - this.clock.now();
    if (wait <= 0) send();
    else this.ackTimer = this.clock.setTimeout(send, wait);
  }
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
  title: string;
}
