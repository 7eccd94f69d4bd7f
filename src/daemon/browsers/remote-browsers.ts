// Browser sessions on remote hosts, mirrored here under the host's id: created there, reached through this daemon's CDP port.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  isLiveBrowserState,
  type BrowserList,
  type BrowserSession,
  type BrowserSessionState,
  type CreateBrowserRequest,
} from '../../transport/protocol/browser-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { RemoteClient } from '../remote/remote-client.js';
import { checkToken } from './browser-access.js';
import type { ClientCloser } from './browser-engine.js';
import type { CdpConnection } from './cdp-connection.js';
import { RemoteBrowser } from './remote-browser.js';

export interface RemoteBrowsersDeps {
  /** The client for a remote by name; throws a 404 ApiError for an unknown one. */
  client(host: string): RemoteClient;
  /** This daemon's loopback CDP URL for a session. */
  cdpUrl(id: string, token: string): string;
  log(message: string): void;
}

/** Ended mirrors kept for `browser show` / `list --all` (they live in memory only). */
const KEEP_ENDED = 100;
const CREATE_BUDGET_MS = 25_000;
const terminal = (m: RemoteBrowser) => m.state === 'ended' || m.state === 'failed';

export class RemoteBrowsers extends EventEmitter<{ change: [RemoteBrowser] }> {
  private readonly mirrors = new Map<string, RemoteBrowser>();
  private stopped = false;

  constructor(private readonly deps: RemoteBrowsersDeps) {
    super();
    this.setMaxListeners(0);
  }

  has(id: string): boolean {
    return this.mirrors.has(id);
  }

  find(account: string, id: string): RemoteBrowser {
    const m = this.mirrors.get(id);
    if (!m || m.account !== account) throw new ApiError('not_found', `No browser session ${id}. List yours with \`fbay browser list --all\`.`);
    return m;
  }

  /**
   * Creates the session on the host (one Idempotency-Key for every retry) and opens the CDP link before answering, so
   * the cdp_url works at once. Nothing is kept here when the host refuses or the link never opens.
   */
  async create(account: string, host: string, req: CreateBrowserRequest, key: string | null): Promise<BrowserSession> {
    if (this.stopped) throw new ApiError('upstream_unavailable', 'The daemon is stopping; create the browser session again once it is back.');
    const client = this.deps.client(host);
    const { body } = await client.json<BrowserSession>('POST', '/v1/browsers', {
      body: req,
      headers: { 'idempotency-key': key ?? randomUUID() },
      retry: true,
      // The host answers once its browser is up (a cold Chromium can take many seconds): under the CLI's 30 s.
      timeoutMs: CREATE_BUDGET_MS,
    });
    // A retry with the same Idempotency-Key: the host gave back a session this daemon already mirrors.
    const known = this.mirrors.get(body.id);
    if (known && known.account === account) return known.view();
    const m = new RemoteBrowser(host, account, body, {
      client,
      cdpUrl: this.deps.cdpUrl,
      changed: (x) => this.emit('change', x),
      log: this.deps.log,
    });
    const started = m.start();
    if (m.state === 'queued' || m.state === 'assigning') {
      // Like a local create: a queued session is answered now and followed until the host starts it.
      this.add(m);
      started.catch((err: Error) => {
        this.deps.log(`browser ${m.id} on ${host}: following it failed: ${err.message}`);
        void m.end('upstream_lost');
      });
      return m.view();
    }
    try {
      await started;
    } catch (err) {
      await m.end('upstream_lost');
      throw err instanceof ApiError ? err : new ApiError('upstream_unavailable', `${host}: ${(err as Error).message}`);
    }
    if (m.state === 'ready') this.add(m);
    return m.view();
  }

  private add(m: RemoteBrowser): void {
    this.mirrors.set(m.id, m);
    const ended = [...this.mirrors.values()].filter(terminal);
    for (const old of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.mirrors.delete(old.id);
  }

  /** The account's mirrors, of one host or all. */
  sessions(account: string, host: string | null, all: boolean): BrowserSession[] {
    return [...this.mirrors.values()]
      .filter((m) => m.account === account && (host === null || m.host === host) && (all || isLiveBrowserState(m.state)))
      .map((m) => m.view());
  }

  /** `GET /v1/browsers` for one remote: its plan and capacity as the host says, and the mirrors of its sessions. */
  async list(account: string, host: string, all: boolean): Promise<BrowserList> {
    const { body } = await this.deps.client(host).json<BrowserList>('GET', '/v1/browsers', { retry: true });
    return { ...body, browsers: this.sessions(account, host, all) };
  }

  /** Long-poll like the engine's awaitState: until `until` (or over), or the timeout. */
  async awaitState(account: string, id: string, until: BrowserSessionState | 'usable', timeoutMs: number): Promise<BrowserSession> {
    const m = this.find(account, id);
    const done = () => terminal(m) || (until === 'usable' ? m.state === 'ready' || m.state === 'active' : m.state === until);
    if (!done()) {
      await new Promise<void>((resolve) => {
        const finish = () => {
          this.off('change', check);
          clearTimeout(timer);
          resolve();
        };
        const check = (x: RemoteBrowser) => x === m && done() && finish();
        const timer = setTimeout(finish, timeoutMs);
        this.on('change', check);
      });
    }
    return m.view();
  }

  async end(account: string, id: string): Promise<BrowserSession> {
    const m = this.find(account, id);
    await m.end('user_ended');
    return m.view();
  }

  // ——— for the CDP proxy ———

  resolve(id: string, account: string | null, token: string | null): { account: string; connection: CdpConnection | Promise<CdpConnection> } {
    const m = account === null ? this.mirrors.get(id) : this.find(account, id);
    if (account === null) checkToken(m, token);
    return { account: m!.account, connection: m!.connection() };
  }

  clientConnected(id: string, close: ClientCloser): () => void {
    const m = this.mirrors.get(id);
    if (!m) return () => {};
    return m.clientConnected(close);
  }

  /** Ends every live mirror here and on its host (a stopping daemon leaves no browser behind it). */
  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.mirrors.values()].filter((m) => !terminal(m)).map((m) => m.end('host_shutdown')));
  }
}
