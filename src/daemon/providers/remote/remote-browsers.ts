// Browser sessions mirrored from a remote host: created there, followed while they queue, reached through a CDP link
// held across drops, and ended there too.
import { CDP_CLOSE, isLiveBrowserState, type BrowserArtifact, type BrowserArtifacts, type BrowserSession, type CreateBrowserRequest } from '../../../transport/protocol/browser-api.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { Artifact, ArtifactSet } from '../../browsers/browser-host.js';
import type { CdpConnection } from '../../browsers/cdp-connection.js';
import { CdpLink } from '../../remote/cdp-link.js';
import type { RemoteClient } from '../../remote/remote-client.js';
import { StartFailure, type Admitted, type ProviderEvents } from '../../sessions/provider.js';
import type { ClientCloser } from '../../browsers/browser-host.js';
import type { BrowserRecord } from '../browser/browser-record.js';
import { randomBytes } from 'node:crypto';

type Emit = <K extends keyof ProviderEvents>(event: K, ...args: ProviderEvents[K]) => void;

/** How long a dropped link is retried (never past the session's cap): under the CLI's 30 s request timeout. */
export const LINK_WINDOW_MS = 20_000;
/** One long-poll on the host while its session queues. */
const FOLLOW_MS = 20_000;
/** The host answers once its browser is up (a cold Chromium can take many seconds): under the CLI's 30 s. */
const CREATE_BUDGET_MS = 25_000;

interface Mirror {
  client: RemoteClient;
  /** The session's id on its host (a mirror keeps its host's id; a coordinator's session on a joined host has its own). */
  upstreamId: string;
  link: CdpLink | null;
  clients: Set<ClientCloser>;
  stopping: boolean;
  endedUpstream: boolean;
}

export class RemoteBrowsers {
  private readonly mirrors = new Map<string, Mirror>();

  constructor(
    private readonly emit: Emit,
    private readonly now: () => number,
    private readonly log: (message: string) => void,
    /** How long a dropped link is retried, and why a session whose link could not be kept ends (a joined host's:
     *  its grace, and `host_lost`). */
    private readonly onLoss: { reason: string; windowMs(): number } = { reason: 'upstream_lost', windowMs: () => LINK_WINDOW_MS },
  ) {}

  async admit(client: RemoteClient, req: CreateBrowserRequest, key: string): Promise<Admitted<BrowserRecord>> {
    const { body } = await client.json<BrowserSession>('POST', '/v1/browsers', { body: req, headers: { 'idempotency-key': key }, retry: true, timeoutMs: CREATE_BUDGET_MS });
    return {
      id: body.id,
      fields: {
        kind: 'browser',
        state: body.status === 'queued' ? 'queued' : 'assigning',
        ready_at: null,
        failure_reason: null,
        max_duration_ms: body.maxDurationMs,
        recording: body.recording,
        record: body.record,
        profile: body.profile,
        proxy: body.proxy,
        fingerprint: body.fingerprint,
        artifacts: artifactSet(body.artifacts),
        warm: body.warm,
        browser_version: body.browserVersion,
        metadata: body.metadata,
        cdp_token: `cdp_${randomBytes(24).toString('base64url')}`,
        upstream: body as unknown as Record<string, unknown>,
      },
      resources: null,
      queue: false,
    };
  }

  /** Follows the host's session while it queues, then opens the link; resolves once it is open. */
  async start(client: RemoteClient, s: BrowserRecord, upstreamId = s.id): Promise<Partial<BrowserRecord>> {
    const m: Mirror = { client, upstreamId, link: null, clients: new Set(), stopping: false, endedUpstream: false };
    this.mirrors.set(s.id, m);
    let upstream = (s.upstream ?? {}) as unknown as BrowserSession;
    while (upstream.status === 'queued' || upstream.status === 'assigning' || upstream.status === undefined) {
      const path = `/v1/browsers?id=${upstreamId}&wait=usable&timeoutMs=${FOLLOW_MS}`;
      upstream = (await client.json<BrowserSession>('GET', path, { retry: true, timeoutMs: FOLLOW_MS + 5000 })).body;
      if (m.stopping) throw new StartFailure('user_ended', 'ended while it queued on its host');
      if (upstream.status !== 'queued' && s.state === 'queued') this.emit('update', s.id, {}, 'assigning');
    }
    if (upstream.status === 'failed') {
      m.endedUpstream = true;
      throw new StartFailure(upstream.endReason ?? 'failed', `on ${m.client.name}: ${upstream.error}`, null, { failure_reason: `on ${m.client.name}: ${upstream.error}` });
    }
    if (!isLiveBrowserState(upstream.status) || upstream.status === 'ending') {
      m.endedUpstream = true;
      throw new StartFailure(upstream.endReason ?? 'upstream_lost', `it ended on ${m.client.name}`);
    }
    await this.openLink(m, s, upstream);
    return {
      ready_at: upstream.readyAt ? Date.parse(upstream.readyAt) : this.now(),
      browser_version: upstream.browserVersion,
      warm: upstream.warm,
      upstream: upstream as never,
    };
  }

  private async openLink(m: Mirror, s: BrowserRecord, upstream: BrowserSession): Promise<void> {
    const window = this.onLoss.windowMs();
    const expires = upstream.expiresAt ? Date.parse(upstream.expiresAt) - this.now() : window;
    const link = new CdpLink(m.client, m.upstreamId, Math.max(1000, Math.min(window, expires)));
    m.link = link;
    link.on('open', () => this.emit('update', s.id, { link: { state: 'open', deadline: null } }));
    link.on('dropped', (reason, deadline) => {
      this.log(`browser ${s.id}: the link to ${m.client.name} dropped (${reason}); reconnecting`);
      // The browser-level sessions of local clients lived on the dropped connection: they must start over.
      closeAll(m, CDP_CLOSE.upstream_dropped, `the link to ${m.client.name} dropped: reconnect to the same cdpUrl, the pages are still there`);
      this.emit('update', s.id, { link: { state: 'reconnecting', deadline } }, 'ready');
    });
    link.on('closed', (reason, err) => {
      if (reason !== 'stopped' && !m.stopping) void this.lost(m, s, err?.message ?? reason);
    });
    await link.whenOpen();
  }

  /** The link could not be kept: the host's own reason when it ended the session, else `upstream_lost`. */
  private async lost(m: Mirror, s: BrowserRecord, why: string): Promise<void> {
    const upstream = await m.client.json<BrowserSession>('GET', `/v1/browsers?id=${m.upstreamId}`, { timeoutMs: 5000 }).then((r) => r.body, () => null);
    if (m.stopping) return;
    if (upstream && !isLiveBrowserState(upstream.status)) {
      m.endedUpstream = true;
      const artifacts = artifactSet(upstream.artifacts);
      if (upstream.status === 'failed') this.emit('end', s.id, upstream.endReason ?? 'failed', this.now(), { failure_reason: `on ${m.client.name}: ${upstream.error}`, artifacts });
      else this.emit('end', s.id, upstream.endReason ?? 'upstream_lost', this.now(), { artifacts });
      return;
    }
    this.log(`browser ${s.id}: the link to ${m.client.name} is lost (${why}); ending it (${this.onLoss.reason})`);
    this.emit('end', s.id, this.onLoss.reason, this.now());
  }

  /** Ends it here and on the host (nobody reaches it through this daemon any more); the host's artifacts listed. */
  async stop(s: BrowserRecord, reason: string): Promise<Partial<BrowserRecord>> {
    const m = this.mirrors.get(s.id);
    this.mirrors.delete(s.id);
    if (!m) return {};
    m.stopping = true;
    m.link?.close();
    closeAll(m, CDP_CLOSE.ended, `session ended (${reason})`);
    if (m.endedUpstream) return {};
    return m.client.json<BrowserSession>('DELETE', `/v1/browsers?id=${m.upstreamId}`, { retry: true }).then(
      (r) => ({ artifacts: artifactSet(r.body.artifacts), upstream: r.body as never }),
      (err: Error) => (this.log(`browser ${s.id}: could not end it on ${m.client.name}: ${err.message}`), {}),
    );
  }

  /** For a CDP client: the connection now, or once the link is back. */
  connection(id: string): CdpConnection | Promise<CdpConnection> {
    const link = this.mirrors.get(id)?.link;
    if (!link) throw new ApiError('session_conflict', `Browser session ${id} is not connected to its host yet.`);
    return link.connection ?? link.whenOpen();
  }

  has(id: string): boolean {
    return this.mirrors.has(id);
  }

  clientsOf(id: string): number {
    return this.mirrors.get(id)?.clients.size ?? 0;
  }

  clientConnected(id: string, close: ClientCloser): () => void {
    const m = this.mirrors.get(id);
    if (!m || m.stopping) {
      close(CDP_CLOSE.ended, 'session is not usable');
      return () => {};
    }
    m.clients.add(close);
    this.emit('update', id, {}, 'active');
    return () => {
      if (m.clients.delete(close) && m.clients.size === 0 && !m.stopping) this.emit('update', id, {}, 'ready');
    };
  }
}

function closeAll(m: Mirror, code: number, reason: string): void {
  for (const close of [...m.clients]) close(code, reason);
  m.clients.clear();
}

/** The host's artifacts as this daemon keeps them: the host's names (downloads pass through to it) and its paths. */
function artifactSet(a: BrowserArtifacts | undefined): ArtifactSet {
  const one = (x: BrowserArtifact | null | undefined): Artifact | null => (x ? { name: x.name, path: x.path, bytes: x.bytes, contentType: x.contentType } : null);
  return { screenshots: (a?.screenshots ?? []).map((x) => one(x)!), har: one(a?.har), recording: one(a?.recording), consoleLogs: one(a?.consoleLogs) };
}
