// Answers a proxy's credential challenge (HTTP 407) for every page, iframe and worker, so no prompt ever waits.
//
// Chromium only reports challenges for requests the Fetch domain intercepts, so every request is paused and let go
// at once; credentials are offered once per request, and a proxy that refuses them gets its error page shown.
import type { ProxySpec } from './browser-host.js';
import type { CdpConnection } from './cdp-connection.js';
import type { Target, TargetHandler } from './target-watcher.js';

export class ProxyAuth implements TargetHandler {
  /** Requests already given the credentials, per target: a second challenge means they were refused. */
  private readonly tried = new Map<string, Set<string>>();

  constructor(
    private readonly conn: CdpConnection,
    private readonly credentials: { username: string; password?: string },
  ) {}

  async attach(target: Target): Promise<void> {
    this.tried.set(target.sessionId, new Set());
    await this.conn.call('Fetch.enable', { handleAuthRequests: true, patterns: [{ urlPattern: '*', requestStage: 'Request' }] }, target.sessionId);
  }

  event(target: Target, method: string, params: Record<string, any>): void {
    const call = (m: string, p: object) => void this.conn.call(m, p, target.sessionId).catch(() => undefined);
    if (method === 'Fetch.requestPaused') return call('Fetch.continueRequest', { requestId: params.requestId });
    if (method !== 'Fetch.authRequired') return;
    const tried = this.tried.get(target.sessionId) ?? new Set<string>();
    let response: object = { response: 'Default' };
    if (params.authChallenge?.source === 'Proxy') {
      response = tried.has(params.requestId)
        ? { response: 'CancelAuth' }
        : { response: 'ProvideCredentials', username: this.credentials.username, password: this.credentials.password ?? '' };
      tried.add(params.requestId);
    }
    call('Fetch.continueWithAuth', { requestId: params.requestId, authChallengeResponse: response });
  }

  detach(target: Target): void {
    this.tried.delete(target.sessionId);
  }
}

/** Chromium's flags for a proxy; the credentials never go on a command line. */
export function proxyArgs(proxy: ProxySpec | null): string[] {
  if (!proxy) return [];
  return [`--proxy-server=${proxy.server}`, ...(proxy.bypass ? [`--proxy-bypass-list=${proxy.bypass}`] : [])];
}
