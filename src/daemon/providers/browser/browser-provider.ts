// Browser sessions' provider: the host's slots, launching a claimed session's browser with what it asked for, its CDP
// clients, and ending it in `ending` (artifacts written, video finalized, profile saved, every process gone).
import { randomBytes } from 'node:crypto';
import { CDP_CLOSE } from '../../../transport/protocol/browser-api.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { CreateBrowserBody } from '../../../transport/protocol/schemas/browsers.js';
import type { BrowserHost, ClientCloser, LiveBrowser } from '../../browsers/browser-host.js';
import type { CdpConnection } from '../../browsers/cdp-connection.js';
import { Provider, StartFailure, type Admission, type Admitted } from '../../sessions/provider.js';
import type { CoreRecord } from '../../sessions/record.js';
import type { BrowserRecord } from './browser-record.js';
import { browserFields, launchSpec } from './browser-spec.js';
import { JoinedBrowsers, joinedHostOf, type BrowserHosts } from './joined-browsers.js';

interface Runtime {
  launching: Promise<LiveBrowser | null> | null;
  browser: LiveBrowser | null;
  clients: Set<ClientCloser>;
  stopping: boolean;
}

export interface BrowserProviderDeps {
  host: BrowserHost;
  /** Browsers this host runs at once (browsers.max_concurrent). */
  capacity(): number;
  /** A coordinator's joined hosts that run browsers: their slots come before this host's own. */
  joined?: BrowserHosts;
  now(): number;
  log(message: string): void;
}

export class BrowserProvider extends Provider<BrowserRecord> {
  private readonly runtime = new Map<string, Runtime>();
  readonly joined: JoinedBrowsers | null;

  constructor(private readonly deps: BrowserProviderDeps) {
    super();
    this.joined = deps.joined ? new JoinedBrowsers(deps.joined, this.emit.bind(this) as never, deps.now, deps.log) : null;
  }

  /**
   * Checks what the session asks for can run (Chromium, ffmpeg for a recording, a free profile) before it is recorded:
   * here, or on a joined host, which checks again as it starts it.
   */
  admit({ account, request }: Admission): Admitted<BrowserRecord> {
    const fields = browserFields(account, request as CreateBrowserBody);
    return { fields: { ...fields, cdp_token: `cdp_${randomBytes(24).toString('base64url')}` }, resources: this.fits({ account, ...fields }, true), queue: true };
  }

  /**
   * The slots that would take the session, best first: the joined hosts' (a profile lives here, so a session with one
   * stays here), then this host's own while it can launch what the session asks for. With none, `refuse` throws why
   * this host cannot (no Chromium, no ffmpeg for a recording).
   */
  private fits(s: Pick<BrowserRecord, 'account' | 'recording' | 'record' | 'profile' | 'proxy' | 'fingerprint'>, refuse = false): string[] {
    const joined = s.profile ? [] : (this.joined?.slots() ?? []);
    try {
      this.deps.host.check(launchSpec(s));
    } catch (err) {
      if (refuse && joined.length === 0) throw err;
      return joined;
    }
    return [...joined, ...this.slots()];
  }

  /** The host's capacity as claimable slots: a session holds one from assigning until it has ended. */
  private slots(): string[] {
    return Array.from({ length: this.deps.capacity() }, (_, i) => `browser-slot-${i + 1}`);
  }

  override candidates(s: BrowserRecord): readonly string[] {
    return this.fits(s);
  }

  /** Config changed (browsers.max_concurrent may have grown): queued sessions may now fit. */
  capacityChanged(): void {
    this.emit('resources');
  }

  noResource(): ApiError {
    return new ApiError('no_board_available', 'No browser slot is free on this host.');
  }

  /** Only a profile is held: the store refused a second live session with the same one. */
  override held(s: BrowserRecord, _name: string, holder: CoreRecord): ApiError {
    return new ApiError(
      'session_conflict',
      `The profile ${s.profile} is in use by the live browser session ${holder.id}; a profile serves one session at a time. End that one first (\`fbay browser end ${holder.id}\`), or use another profile key.`,
      { holder: holder.id, next: `fbay browser end ${holder.id}` },
    );
  }

  async start(s: BrowserRecord): Promise<Partial<BrowserRecord>> {
    const host = joinedHostOf(s.resource);
    if (host && this.joined) return this.startJoined(s, host, this.joined);
    const rt: Runtime = { launching: null, browser: null, clients: new Set(), stopping: false };
    this.runtime.set(s.id, rt);
    const launch = this.deps.host.launch(s.id, launchSpec(s));
    rt.launching = launch.catch(() => null);
    let browser: LiveBrowser;
    try {
      browser = await launch;
    } catch (err) {
      this.runtime.delete(s.id);
      const reason = (err as Error).message;
      throw new StartFailure('failed', reason, null, { failure_reason: reason });
    }
    rt.browser = browser;
    rt.launching = null;
    void browser.lost.then((reason) => {
      if (!rt.stopping) this.emit('end', s.id, 'failed', this.deps.now(), { failure_reason: reason });
    });
    return { ready_at: this.deps.now(), browser_version: browser.version, warm: browser.warm };
  }

  /**
   * Closes the clients, then ends the browser: its artifacts (what it recorded so far, after a crash) come back once
   * every process of it is gone. One that never became ready is closed, keeping nothing.
   */
  async stop(s: BrowserRecord, reason: string): Promise<Partial<BrowserRecord>> {
    if (this.joined?.stopCreating(s.id)) return {};
    if (this.joined?.mirrors.has(s.id)) return this.joined.mirrors.stop(s, reason);
    const rt = this.runtime.get(s.id);
    if (!rt) return {};
    rt.stopping = true;
    const failed = reason === 'failed';
    closeAll(rt, failed ? CDP_CLOSE.failed : CDP_CLOSE.ended, failed ? `browser failed: ${s.failure_reason ?? reason}` : `session ended (${reason})`);
    const browser = rt.browser ?? (await rt.launching);
    try {
      if (!browser) return {};
      if (s.ready_at === null) {
        await browser.close();
        return {};
      }
      return { artifacts: (await browser.finish(this.deps.host.artifactsDir(s.id))).artifacts };
    } catch (err) {
      this.deps.log(`browser ${s.id}: ending it failed: ${(err as Error).message}`);
      await browser?.close();
      return {};
    } finally {
      this.runtime.delete(s.id);
    }
  }

  /** The browser connection of a usable session (the caller checked the session). */
  connection(id: string): CdpConnection | Promise<CdpConnection> | null {
    if (this.joined?.mirrors.has(id)) return this.joined.mirrors.connection(id);
    return this.runtime.get(id)?.browser?.connection ?? null;
  }

  clientsOf(id: string): number {
    if (this.joined?.mirrors.has(id)) return this.joined.mirrors.clientsOf(id);
    return this.runtime.get(id)?.clients.size ?? 0;
  }

  /** A CDP client connected through the proxy; returns what to call when it leaves. */
  clientConnected(id: string, close: ClientCloser): () => void {
    if (this.joined?.mirrors.has(id)) return this.joined.mirrors.clientConnected(id, close);
    const rt = this.runtime.get(id);
    if (!rt?.browser || rt.stopping) {
      close(CDP_CLOSE.ended, 'session is not usable');
      return () => {};
    }
    rt.clients.add(close);
    if (rt.clients.size === 1) this.emit('update', id, {}, 'active');
    return () => {
      if (!rt.clients.delete(close)) return;
      if (rt.clients.size === 0 && !rt.stopping) this.emit('update', id, {}, 'ready');
    };
  }

  /** A session on a slot of a joined host: created there; a host that refuses it fails the session with its reason. */
  private async startJoined(s: BrowserRecord, host: string, joined: JoinedBrowsers): Promise<Partial<BrowserRecord>> {
    try {
      return await joined.start(s, host);
    } catch (err) {
      if (err instanceof StartFailure) throw err;
      const reason = `on joined host ${host}: ${(err as Error).message}`;
      throw new StartFailure('failed', reason, null, { failure_reason: reason });
    }
  }

  /** Shutdown after the core has ended its sessions: any browser left is closed, then the warm pool. */
  override async close(): Promise<void> {
    await Promise.all([...this.runtime.values()].map(async (rt) => (rt.browser ?? (await rt.launching))?.close()));
    await this.deps.host.close();
  }
}

function closeAll(rt: Runtime, code: number, reason: string): void {
  for (const close of [...rt.clients]) close(code, reason);
  rt.clients.clear();
}
