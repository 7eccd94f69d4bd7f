// Attaches the daemon to every page (and, when asked, every iframe and worker) of a browser, and holds each new one
// paused until the session's handlers have set it up: a fingerprint, proxy credentials or recording then applies
// before the page loads anything.
//
// A client that holds new targets too (Playwright does) must not see one run before the daemon's setup, nor the
// daemon let it run before the client's: resume-gate.ts orders the two resumes.
import type { CdpConnection, CdpEvent } from './cdp-connection.js';

export interface Target {
  sessionId: string;
  type: string;
  url: string;
  /** `page-1`, `page-2`, … (names of screenshots and HAR pages); `iframe-1`, `service-worker-1`, … */
  name: string;
  attached: boolean;
}

/** One concern of a session (recorder, screencast, fingerprint, proxy credentials), told about each target. */
export interface TargetHandler {
  /** Sets a new target up while it is paused; resolves when it may run. */
  attach(target: Target): Promise<unknown> | void;
  event?(target: Target, method: string, params: Record<string, any>): void;
  detach?(target: Target): void;
}

export interface WatchOptions {
  /** Out-of-process iframes too (a fingerprint or proxy credentials must reach them). */
  frames: boolean;
  /** Service and shared workers too (their requests go through the proxy as well). */
  workers: boolean;
}

const WORKERS = new Set(['service_worker', 'shared_worker']);

export class TargetWatcher {
  private readonly targets = new Map<string, Target>();
  private readonly setups = new Set<Promise<void>>();
  private readonly counts = new Map<string, number>();
  private readonly onEvent = (e: CdpEvent) => this.handle(e);

  constructor(
    private readonly conn: CdpConnection,
    private readonly handlers: readonly TargetHandler[],
    private readonly options: WatchOptions,
    private readonly log: (message: string) => void,
  ) {}

  /** Attaches to what is there (the first tab) and will be; resolves once what is there is set up. */
  async start(): Promise<void> {
    this.conn.on('event', this.onEvent);
    const types = ['page', ...(this.options.frames ? ['iframe'] : []), ...(this.options.workers ? [...WORKERS] : [])];
    await this.conn.call('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true, filter: types.map((type) => ({ type })) });
    // Targets that existed were announced before the answer; their setups are under way.
    await Promise.all(this.setups);
  }

  stop(): void {
    this.conn.off('event', this.onEvent);
  }

  /** The pages still open. */
  pages(): Target[] {
    return [...this.targets.values()].filter((t) => t.type === 'page' && t.attached);
  }

  private handle({ method, params, sessionId }: CdpEvent): void {
    const target = sessionId === null ? null : this.targets.get(sessionId);
    // Attachments are announced on the session that made them: the browser's (ours) or a watched target's (its
    // iframes). One announced on another of the daemon's sessions (the live view's) is not ours to set up or let go.
    if (sessionId !== null && !target) return;
    if (method === 'Target.attachedToTarget') return this.attached(params as Record<string, any>);
    if (method === 'Target.detachedFromTarget') return this.detached(params.sessionId as string);
    if (!target) return;
    for (const h of this.handlers) h.event?.(target, method, params as Record<string, any>);
  }

  private wanted(type: string): boolean {
    return type === 'page' || (type === 'iframe' && this.options.frames) || (WORKERS.has(type) && this.options.workers);
  }

  private attached(params: Record<string, any>): void {
    const info = params.targetInfo ?? {};
    const sessionId = params.sessionId as string;
    // A client's browser-level session announces itself here too: that one is the client's, not ours.
    if (info.type === 'browser') return;
    this.conn.claim(sessionId);
    const targetId = String(info.targetId ?? sessionId);
    const paused = params.waitingForDebugger === true;
    const resume = () => void this.conn.call('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => undefined);
    if (!this.wanted(info.type)) {
      // Not asked for (the filter keeps these away): let it go as if the daemon had never held it.
      if (paused) this.conn.gate.release(targetId, resume);
      void this.conn.call('Target.detachFromTarget', { sessionId }).catch(() => undefined);
      return;
    }
    const n = (this.counts.get(info.type) ?? 0) + 1;
    this.counts.set(info.type, n);
    const target: Target = {
      sessionId,
      type: info.type,
      url: String(info.url ?? ''),
      name: `${info.type.replace('_', '-')}-${n}`,
      attached: true,
    };
    this.targets.set(sessionId, target);
    const ready = (async () => {
      await Promise.all(
        this.handlers.map(async (h) => {
          try {
            await h.attach(target);
          } catch (err) {
            this.log(`setting up ${target.name} (${target.url}) failed: ${(err as Error).message}`);
          }
        }),
      );
      // Its own iframes are announced to its session, paused the same way.
      if (this.options.frames && !WORKERS.has(target.type)) {
        const filter = [{ type: 'iframe' }];
        await this.conn.call('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true, filter }, sessionId);
      }
    })().catch(() => undefined);
    if (paused) this.conn.gate.settingUp(targetId, ready);
    const setup = ready.then(() => (paused ? this.conn.gate.release(targetId, resume) : undefined));
    this.setups.add(setup);
    void setup.finally(() => this.setups.delete(setup));
  }

  private detached(sessionId: string): void {
    this.conn.release(sessionId);
    const target = this.targets.get(sessionId);
    if (!target) return;
    target.attached = false;
    this.targets.delete(sessionId);
    for (const h of this.handlers) h.detach?.(target);
  }
}
