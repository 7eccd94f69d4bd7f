// One browser session mirrored from a remote host: the host's view of it, the local CDP clients, and the CDP link.
import { randomBytes } from 'node:crypto';
import {
  CDP_CLOSE,
  isLiveBrowserState,
  type BrowserEndReason,
  type BrowserSession,
  type BrowserSessionState,
} from '../../transport/protocol/browser-api.js';
import type { RemoteClient } from '../remote/remote-client.js';
import { CdpLink } from '../remote/cdp-link.js';
import { assertUsable } from './browser-access.js';
import type { ClientCloser } from './browser-engine.js';
import type { CdpConnection } from './cdp-connection.js';

/** How long a dropped link is retried (never past the session's expires_at): under the CLI's 30 s request timeout. */
export const LINK_WINDOW_MS = 20_000;
/** One long-poll on the host while its session queues. */
const FOLLOW_MS = 20_000;

export interface MirrorDeps {
  client: RemoteClient;
  cdpUrl(id: string, token: string): string;
  changed(m: RemoteBrowser): void;
  log(message: string): void;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export class RemoteBrowser {
  readonly cdp_token = `cdp_${randomBytes(24).toString('base64url')}`;
  state: BrowserSessionState;
  end_reason: BrowserEndReason | null = null;
  failure_reason: string | null = null;
  ended_at: number | null = null;
  private link: CdpLink | null = null;
  private readonly clients = new Set<ClientCloser>();
  private ending: Promise<void> | null = null;

  constructor(
    readonly host: string,
    readonly account: string,
    private upstream: BrowserSession,
    private readonly deps: MirrorDeps,
  ) {
    this.state = upstream.state === 'active' ? 'ready' : upstream.state;
  }

  get id(): string {
    return this.upstream.id;
  }

  private path(query = ''): string {
    return `/v1/browsers?id=${this.id}${query}`;
  }

  /** Follows the host's session while it queues, then opens the link; resolves once it is open (or the session over). */
  async start(): Promise<void> {
    while (this.state === 'queued' || this.state === 'assigning') {
      const { body } = await this.deps.client.json<BrowserSession>('GET', this.path(`&wait=usable&timeout_ms=${FOLLOW_MS}`), {
        retry: true,
        timeoutMs: FOLLOW_MS + 5000,
      });
      this.absorb(body);
    }
    if (this.state !== 'ready') return;
    const expires = this.upstream.expires_at ? Date.parse(this.upstream.expires_at) - Date.now() : LINK_WINDOW_MS;
    const link = new CdpLink(this.deps.client, this.id, Math.max(1000, Math.min(LINK_WINDOW_MS, expires)));
    this.link = link;
    link.on('open', () => this.deps.changed(this));
    link.on('dropped', (reason) => {
      this.deps.log(`browser ${this.id}: the link to ${this.host} dropped (${reason}); reconnecting`);
      // The browser-level sessions of local clients lived on the dropped connection: they must start over.
      this.closeClients(CDP_CLOSE.upstream_dropped, `the link to ${this.host} dropped: reconnect to the same cdp_url, the pages are still there`);
      this.deps.changed(this);
    });
    link.on('closed', (reason, err) => {
      if (reason !== 'stopped') void this.lost(err?.message ?? reason);
    });
    await link.whenOpen();
  }

  /** The host's latest word on the session; a session it ended or failed ends here the same way. */
  absorb(upstream: BrowserSession): void {
    this.upstream = upstream;
    if (this.ended_at !== null) return;
    if (upstream.state === 'ended') this.settle('ended', upstream.end_reason ?? 'upstream_lost', null);
    else if (upstream.state === 'failed') this.settle('failed', null, `on ${this.host}: ${upstream.failure_reason}`);
    else if (this.state === 'queued' || this.state === 'assigning') this.state = upstream.state === 'active' ? 'ready' : upstream.state;
    this.deps.changed(this);
  }

  /** The link could not be kept: the host's own reason when it ended the session, else `upstream_lost`. */
  private async lost(why: string): Promise<void> {
    if (this.ending || this.ended_at !== null) return;
    const upstream = await this.deps.client.json<BrowserSession>('GET', this.path(), { timeoutMs: 5000 }).then((r) => r.body, () => null);
    if (this.ending || this.ended_at !== null) return;
    if (upstream && !isLiveBrowserState(upstream.state)) return this.absorb(upstream);
    this.deps.log(`browser ${this.id}: the link to ${this.host} is lost (${why}); ending it (upstream_lost)`);
    this.settle('ended', 'upstream_lost', null);
    this.deps.changed(this);
    // Nobody reaches it through this daemon any more: do not leave it holding a browser on the host.
    this.deleteUpstream();
  }

  private deleteUpstream(): Promise<void> {
    return this.deps.client.json<BrowserSession>('DELETE', this.path(), { retry: true }).then(
      (r) => void (this.upstream = r.body),
      (err: Error) => this.deps.log(`browser ${this.id}: could not end it on ${this.host}: ${err.message}`),
    );
  }

  /** Ends it here and on the host; answers once both are done (the host's artifacts listed). */
  end(reason: BrowserEndReason): Promise<void> {
    if (this.ended_at !== null) return Promise.resolve();
    this.ending ??= (async () => {
      this.state = 'ending';
      this.link?.close();
      this.closeClients(CDP_CLOSE.ended, `session ended (${reason})`);
      this.deps.changed(this);
      await this.deleteUpstream();
      this.settle('ended', reason, null);
      this.deps.changed(this);
    })();
    return this.ending;
  }

  private settle(state: 'ended' | 'failed', reason: BrowserEndReason | null, failure: string | null): void {
    this.state = state;
    this.end_reason = reason;
    this.failure_reason = failure;
    this.ended_at = Date.now();
    this.link?.close();
    this.closeClients(state === 'failed' ? CDP_CLOSE.failed : CDP_CLOSE.ended, failure ?? `session ended (${reason})`);
  }

  private closeClients(code: number, reason: string): void {
    for (const close of [...this.clients]) close(code, reason);
    this.clients.clear();
    if (this.state === 'active') this.state = 'ready';
  }

  /** For a CDP client: 404 once over, 409 while queued; the connection may come once the link is back. */
  connection(): CdpConnection | Promise<CdpConnection> {
    assertUsable(this, this.link !== null);
    return this.link!.connection ?? this.link!.whenOpen();
  }

  clientConnected(close: ClientCloser): () => void {
    if (this.state !== 'ready' && this.state !== 'active') {
      close(CDP_CLOSE.ended, 'session is not usable');
      return () => {};
    }
    this.clients.add(close);
    this.state = 'active';
    this.deps.changed(this);
    return () => {
      if (!this.clients.delete(close)) return;
      if (this.clients.size === 0 && this.state === 'active') this.state = 'ready';
      this.deps.changed(this);
    };
  }

  view(): BrowserSession {
    const u = this.upstream;
    const usable = this.state === 'ready' || this.state === 'active';
    const end = this.ended_at;
    const link = this.link;
    return {
      ...u,
      state: this.state,
      account: this.account,
      ended_at: iso(end) ?? u.ended_at,
      end_reason: this.end_reason,
      failure_reason: this.failure_reason,
      expires_at: end === null ? u.expires_at : null,
      cdp_url: usable ? this.deps.cdpUrl(this.id, this.cdp_token) : null,
      queue_position: this.state === 'queued' ? u.queue_position : null,
      clients: usable ? this.clients.size : 0,
      browser_ms: u.ready_at === null ? 0 : Math.max(0, (end ?? Date.now()) - Date.parse(u.ready_at)),
      host: this.host,
      link: usable && link ? { state: link.connection ? 'open' : 'reconnecting', deadline: iso(link.deadline) } : null,
    };
  }
}
