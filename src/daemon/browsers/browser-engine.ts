// The browser session engine: limits, the host's queue, launches, the lifecycle, the duration cap and artifacts.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import {
  CDP_CLOSE,
  DEFAULT_BROWSER_MAX_DURATION_MS,
  isLiveBrowserState,
  type ArtifactKind,
  type BrowserArtifact,
  type BrowserEndReason,
  type BrowserList,
  type BrowserSession,
  type BrowserSessionState,
  type CreateBrowserRequest,
} from '../../transport/protocol/browser-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { DeadlineScheduler } from '../engine/deadline-scheduler.js';
import { newSessionId } from '../engine/session-record.js';
import { assertUsable, checkToken } from './browser-access.js';
import { checkConcurrency, checkQuota, planUsage } from './browser-limits.js';
import { assertBrowserTransition, expiresAt, failAfterRestart, holdsBrowser, toApiBrowser, type BrowserRecord } from './browser-record.js';
import type { BrowserSettings } from './browser-settings.js';
import type { BrowserJournalRecord, BrowserStore } from './browser-store.js';
import { UsageBook } from './browser-usage.js';
import type { CdpConnection } from './cdp-connection.js';
import type { LiveBrowser } from './local-browser.js';

/** Where browsers come from: the local Chromium host, or a fake in tests. */
export interface BrowserHost {
  /** Throws an ApiError saying how to install a browser when none can be launched here. */
  check(): void;
  launch(id: string, record: readonly ArtifactKind[]): Promise<LiveBrowser>;
  artifactsDir(id: string): string;
  /** After a session's browser is gone: its profile and pid record go. */
  cleanup(id: string): void;
  /** Removes artifact directories of sessions no longer kept. */
  prune(keep: ReadonlySet<string>): void;
}

export interface BrowserEngineDeps {
  clock: Clock;
  store: BrowserStore;
  host: BrowserHost;
  settings(): BrowserSettings;
  /** The cdp_url of a usable session: the loopback CDP port with the session's token, or the daemon's TCP listener. */
  cdpUrl(id: string, token: string, account: string): string;
  log(message: string): void;
  keepEnded?: number;
}

/** Closes one connected CDP client with a WebSocket close code and reason. */
export type ClientCloser = (code: number, reason: string) => void;

interface Runtime {
  browser: LiveBrowser | null;
  clients: Set<ClientCloser>;
  /** Asked to end while still assigning: the launch finishes, then the session ends with this. */
  endReason: BrowserEndReason | null;
  ending: Promise<void> | null;
}

const SHUTDOWN_MS = 10_000;
const COMPACT_AFTER = 5_000;
const terminal = (s: BrowserRecord) => s.state === 'ended' || s.state === 'failed';

export class BrowserEngine extends EventEmitter<{ change: [BrowserRecord] }> {
  private readonly sessions = new Map<string, BrowserRecord>();
  private readonly runtime = new Map<string, Runtime>();
  private readonly queue: string[] = [];
  private readonly scheduler: DeadlineScheduler;
  private readonly usage = new UsageBook();
  private appends = 0;
  private stopped = false;

  constructor(private readonly deps: BrowserEngineDeps) {
    super();
    this.setMaxListeners(0);
    this.scheduler = new DeadlineScheduler(deps.clock);
  }

  private now(): number {
    return this.deps.clock.now();
  }

  // ——— reading ———

  view(s: BrowserRecord): BrowserSession {
    const rt = this.runtime.get(s.id);
    const position = this.queue.indexOf(s.id);
    return toApiBrowser(s, this.now(), {
      cdpUrl: rt ? this.deps.cdpUrl(s.id, s.cdp_token, s.account) : null,
      queuePosition: position < 0 ? null : position + 1,
      clients: rt?.clients.size ?? 0,
    });
  }

  find(account: string, id: string): BrowserRecord {
    const s = this.sessions.get(id);
    if (!s || s.account !== account) {
      throw new ApiError('not_found', `No browser session ${id}. List yours with \`fbay browser list --all\`.`);
    }
    return s;
  }

  list(account: string, all = false): BrowserList {
    const now = this.now();
    const mine = [...this.sessions.values()].filter((s) => s.account === account && (all || isLiveBrowserState(s.state)));
    return {
      browsers: mine.map((s) => this.view(s)),
      plan: planUsage(this.deps.settings().plan(account), this.usedMs(account, now), now),
      host: { max_concurrent: this.deps.settings().max_concurrent, running: this.running(), queued: this.queue.length },
    };
  }

  private live(account: string): BrowserRecord[] {
    return [...this.sessions.values()].filter((s) => s.account === account && isLiveBrowserState(s.state));
  }

  private usedMs(account: string, now: number): number {
    const since = this.live(account).flatMap((s) => (s.ready_at === null ? [] : [s.ready_at]));
    return this.usage.usedMs(account, now, since);
  }

  private running(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (holdsBrowser(s.state)) n++;
    return n;
  }

  /** Resolves once `done(s)` holds (checked now and on every change), or after timeoutMs. */
  waitFor(s: BrowserRecord, done: (s: BrowserRecord) => boolean, timeoutMs?: number): Promise<void> {
    if (done(s)) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        this.off('change', check);
        if (timer) this.deps.clock.clearTimeout(timer);
        resolve();
      };
      const check = (changed: BrowserRecord) => {
        if (changed === s && done(s)) finish();
      };
      const timer = timeoutMs === undefined ? null : this.deps.clock.setTimeout(finish, timeoutMs);
      this.on('change', check);
    });
  }

  /**
   * Long-poll for `GET /v1/browsers?id=…&wait=…`: until the session is in `until` (`usable`: ready or active), or has
   * failed or ended, or the timeout passes; answers with the session as it is then.
   */
  async awaitState(account: string, id: string, until: BrowserSessionState | 'usable', timeoutMs: number): Promise<BrowserSession> {
    const s = this.find(account, id);
    const reached = until === 'usable' ? (x: BrowserRecord) => x.state === 'ready' || x.state === 'active' : (x: BrowserRecord) => x.state === until;
    await this.waitFor(s, (x) => reached(x) || terminal(x), timeoutMs);
    return this.view(s);
  }

  // ——— creating ———

  async create(account: string, req: CreateBrowserRequest): Promise<BrowserSession> {
    if (this.stopped) throw new ApiError('upstream_unavailable', 'The daemon is stopping; create the browser session again once it is back.');
    const settings = this.deps.settings();
    const plan = settings.plan(account);
    const now = this.now();
    checkConcurrency(account, plan, this.live(account), now);
    checkQuota(account, plan, this.usedMs(account, now), now);
    this.deps.host.check();
    const s: BrowserRecord = {
      id: newSessionId(),
      account,
      state: 'queued',
      created_at: now,
      ready_at: null,
      ended_at: null,
      end_reason: null,
      failure_reason: null,
      max_duration_ms: req.max_duration_ms ?? DEFAULT_BROWSER_MAX_DURATION_MS,
      record: req.record ?? [],
      artifacts: [],
      browser_version: null,
      metadata: req.metadata ?? {},
      cdp_token: `cdp_${randomBytes(24).toString('base64url')}`,
    };
    this.sessions.set(s.id, s);
    this.runtime.set(s.id, { browser: null, clients: new Set(), endReason: null, ending: null });
    this.queue.push(s.id);
    this.changed(s);
    this.pump();
    // Like a board create: the answer waits for the browser, unless the host is full and the session queues.
    await this.waitFor(s, (x) => x.state !== 'assigning' && x.state !== 'ending');
    return this.view(s);
  }

  /** Config changed (browsers.max_concurrent may have grown): start whoever now fits. */
  settingsChanged(): void {
    this.pump();
  }

  /** Starts queued sessions while the host has room, first come first served. */
  private pump(): void {
    if (this.stopped) return;
    const capacity = this.deps.settings().max_concurrent;
    let moved = false;
    while (this.queue.length > 0 && this.running() < capacity) {
      const s = this.sessions.get(this.queue.shift()!)!;
      this.transition(s, 'assigning');
      void this.launch(s);
      moved = true;
    }
    // Everyone still waiting moved up the queue.
    if (moved) for (const id of this.queue) this.emit('change', this.sessions.get(id)!);
  }

  private async launch(s: BrowserRecord): Promise<void> {
    const rt = this.runtime.get(s.id)!;
    let browser: LiveBrowser;
    try {
      browser = await this.deps.host.launch(s.id, s.record);
    } catch (err) {
      if (!rt.endReason) return this.fail(s, (err as Error).message);
      this.deps.host.cleanup(s.id);
      this.settle(s, 'ended', { end_reason: rt.endReason });
      return;
    }
    rt.browser = browser;
    if (rt.endReason) return this.runEnding(s, rt.endReason);
    s.ready_at = this.now();
    s.browser_version = browser.version;
    this.transition(s, 'ready');
    this.scheduler.schedule(`${s.id}:cap`, expiresAt(s)!, () => void this.endRecord(s, 'max_duration'));
    void browser.lost.then((reason) => {
      if (s.state === 'ready' || s.state === 'active') this.fail(s, reason);
    });
  }

  // ——— clients ———

  /** The browser connection a CDP client may use: 404 once ended, 409 while it is not ready yet. */
  connectionFor(account: string, id: string): CdpConnection {
    return this.usable(this.find(account, id));
  }

  /** For the TCP listener: the session's own token stands in for the account. */
  connectionForToken(id: string, token: string | null): { account: string; connection: CdpConnection } {
    const s = this.sessions.get(id);
    checkToken(s, token);
    return { account: s.account, connection: this.usable(s) };
  }

  private usable(s: BrowserRecord): CdpConnection {
    const browser = this.runtime.get(s.id)?.browser;
    assertUsable(s, browser != null);
    return browser!.connection;
  }

  /** A CDP client connected through the proxy; returns what to call when it leaves. */
  clientConnected(id: string, close: ClientCloser): () => void {
    const s = this.sessions.get(id);
    const rt = this.runtime.get(id);
    if (!s || !rt || (s.state !== 'ready' && s.state !== 'active')) {
      close(CDP_CLOSE.ended, 'session is not usable');
      return () => {};
    }
    rt.clients.add(close);
    if (s.state === 'ready') this.transition(s, 'active');
    return () => {
      if (!rt.clients.delete(close)) return;
      if (rt.clients.size === 0 && s.state === 'active') this.transition(s, 'ready');
    };
  }

  // ——— ending ———

  /** Ends a session (collecting its artifacts) and answers once it has ended; an ended one is returned unchanged. */
  async end(account: string, id: string, reason: BrowserEndReason = 'user_ended'): Promise<BrowserSession> {
    const s = this.find(account, id);
    await this.endRecord(s, reason);
    return this.view(s);
  }

  private endRecord(s: BrowserRecord, reason: BrowserEndReason): Promise<void> {
    const rt = this.runtime.get(s.id);
    switch (s.state) {
      case 'queued':
        this.queue.splice(this.queue.indexOf(s.id), 1);
        this.settle(s, 'ended', { end_reason: reason });
        return Promise.resolve();
      case 'assigning':
        rt!.endReason ??= reason;
        this.transition(s, 'ending');
        return this.waitFor(s, terminal);
      case 'ready':
      case 'active':
        return this.runEnding(s, reason);
      case 'ending':
        return rt?.ending ?? this.waitFor(s, terminal);
      default:
        return Promise.resolve();
    }
  }

  private runEnding(s: BrowserRecord, reason: BrowserEndReason): Promise<void> {
    const rt = this.runtime.get(s.id)!;
    rt.ending ??= (async () => {
      if (s.state !== 'ending') this.transition(s, 'ending');
      this.scheduler.cancelPrefix(`${s.id}:`);
      closeAll(rt, CDP_CLOSE.ended, `session ended (${reason})`);
      let artifacts: BrowserArtifact[] = [];
      try {
        if (rt.browser && s.record.length > 0) artifacts = await rt.browser.finish(this.deps.host.artifactsDir(s.id));
        else await rt.browser?.close();
      } catch (err) {
        this.deps.log(`browser ${s.id}: collecting artifacts failed: ${(err as Error).message}`);
        await rt.browser?.close();
      }
      this.deps.host.cleanup(s.id);
      this.settle(s, 'ended', { end_reason: reason, artifacts });
    })();
    return rt.ending;
  }

  /** The browser crashed, would not start, or exited: `failed` with the reason, the slot freed. */
  private fail(s: BrowserRecord, reason: string): void {
    if (terminal(s)) return;
    const rt = this.runtime.get(s.id);
    const i = this.queue.indexOf(s.id);
    if (i >= 0) this.queue.splice(i, 1);
    if (rt) {
      closeAll(rt, CDP_CLOSE.failed, `browser failed: ${reason}`);
      const browser = rt.browser;
      void (browser ? browser.close() : Promise.resolve()).finally(() => this.deps.host.cleanup(s.id));
    }
    this.deps.log(`browser ${s.id} failed: ${reason}`);
    this.settle(s, 'failed', { failure_reason: reason });
  }

  private settle(s: BrowserRecord, state: 'ended' | 'failed', fields: Partial<BrowserRecord>): void {
    assertBrowserTransition(s.id, s.state, state);
    this.scheduler.cancelPrefix(`${s.id}:`);
    Object.assign(s, fields, { state, ended_at: this.now() });
    const usage = s.ready_at === null ? [] : this.usage.add(s.account, s.ready_at, s.ended_at!);
    this.runtime.delete(s.id);
    this.persist([{ t: 'b', s }, ...usage.map((u) => ({ t: 'u' as const, ...u }))]);
    this.emit('change', s);
    this.pump();
  }

  private transition(s: BrowserRecord, to: BrowserSessionState): void {
    assertBrowserTransition(s.id, s.state, to);
    s.state = to;
    this.changed(s);
  }

  private changed(s: BrowserRecord): void {
    this.persist([{ t: 'b', s }]);
    this.emit('change', s);
  }

  private persist(records: BrowserJournalRecord[]): void {
    this.deps.store.append(records);
    if (++this.appends >= COMPACT_AFTER) this.compact();
  }

  // ——— restore, shutdown ———

  /** Sessions that were live when the daemon went away lost their browser with it: they are `failed`. */
  restore(): void {
    const { sessions, usage } = this.deps.store.load();
    this.usage.restore(usage);
    const now = this.now();
    for (const s of sessions) {
      this.sessions.set(s.id, s);
      if (!isLiveBrowserState(s.state)) continue;
      failAfterRestart(s, now);
      if (s.ready_at !== null) this.usage.add(s.account, s.ready_at, s.ended_at!);
    }
    this.compact();
  }

  compact(): void {
    const keep = this.deps.keepEnded ?? 200;
    const ended = [...this.sessions.values()].filter((s) => !isLiveBrowserState(s.state));
    for (const s of ended.slice(0, Math.max(0, ended.length - keep))) this.sessions.delete(s.id);
    this.deps.store.compact(this.sessions.values(), this.usage.entries());
    this.deps.host.prune(new Set(this.sessions.keys()));
    this.appends = 0;
  }

  /** Ends every live session with host_shutdown (artifacts collected), within a bound; then nothing changes. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    const live = [...this.sessions.values()].filter((s) => isLiveBrowserState(s.state));
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    await Promise.race([
      Promise.all(live.map((s) => this.endRecord(s, 'host_shutdown'))),
      new Promise<void>((resolve) => (timer = this.deps.clock.setTimeout(resolve, SHUTDOWN_MS))),
    ]);
    if (timer) this.deps.clock.clearTimeout(timer);
    await Promise.all([...this.runtime.values()].map((rt) => rt.browser?.close()));
    this.scheduler.stop();
    this.deps.store.close();
  }
}

function closeAll(rt: Runtime, code: number, reason: string): void {
  for (const close of [...rt.clients]) close(code, reason);
  rt.clients.clear();
}

