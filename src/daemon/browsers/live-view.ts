// A live view of a session's browser: JPEG frames of the page the session opened last (as its video shows), for the
// dashboard. It works on a browser-level CDP session of its own, as a client does, so what it sets up (target
// discovery, its page session, the screencast) is the daemon's, invisible to the session's CDP client, and all of it
// goes when that session is detached; the recording's own screencast is untouched.
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
}

export const LIVE_VIEW_DEFAULTS: LiveViewOptions = { maxWidth: 1280, maxHeight: 800, quality: 60, minIntervalMs: 66 };

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
    if ((method === 'Page.domContentEventFired' || method === 'Page.loadEventFired') && sessionId !== null && sessionId === this.front?.sessionId) {
      return void this.refreshInfo(this.front.targetId);
    }
    if (method === 'Page.screencastFrame' && sessionId !== null && sessionId === this.front?.sessionId && typeof p.data === 'string') {
      const frameSession = sessionId;
      const frameId = p.sessionId;
      this.sink.frame(Buffer.from(p.data, 'base64'), () => this.ack(frameSession, frameId));
    }
  }

  /** Shows the newest page; the one shown before is let go. */
  private pickFront(): void {
    const targetId = [...this.pages.keys()].at(-1) ?? null;
    if (this.front?.targetId === targetId) return;
    const old = this.front;
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
