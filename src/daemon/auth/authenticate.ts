// Who a TCP request speaks for: the account of its API key (Bearer header, or ?token= for WebSockets), else 401/429.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../transport/protocol/errors.js';
import { API } from '../../transport/protocol/paths.js';
import type { ApiKeyStore } from './api-keys.js';
import { RateLimiter } from './rate-limit.js';

/** A WebSocket client in a browser cannot set headers: only there may the key ride in the URL (`?token=`). */
const isUpgrade = (req: IncomingMessage) => (req.headers.upgrade ?? '').toLowerCase() === 'websocket';

export function presentedKey(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? m[1]! : null;
  }
  const token = new URL(req.url ?? '/', 'http://fbay').searchParams.get('token');
  if (token === null) return null;
  // A key in a plain request's URL ends up in logs and proxies: refused, with where it belongs instead.
  if (!isUpgrade(req)) {
    throw new ApiError('unauthorized', 'Send the API key in the Authorization header (`Authorization: Bearer key_…`); ?token= is only for WebSocket upgrades.', {}, { 'www-authenticate': 'Bearer' });
  }
  return token;
}

export const ANONYMOUS = 'anonymous';

/** A host key speaks as `host:NAME`, and only on the tunnel: no account is named so (key names have no ':'). */
const HOST_PREFIX = 'host:';
export const hostPrincipal = (name: string) => `${HOST_PREFIX}${name}`;
/** The host a principal is, or null for an account. */
export const hostOf = (principal: string): string | null => (principal.startsWith(HOST_PREFIX) ? principal.slice(HOST_PREFIX.length) : null);

export function isHostTunnel(req: IncomingMessage): boolean {
  return isUpgrade(req) && new URL(req.url ?? '/', 'http://fbay').pathname === API.hostsConnect;
}

/**
 * The account resolvers for the TCP listener: every request but the health check needs a valid key. Requests
 * without a valid key — failed ones and anonymous health checks — draw from the client address's token bucket.
 */
export function tcpAccounts(keys: ApiKeyStore, limiter = new RateLimiter({ perSecond: 2, burst: 10 })) {
  const throttle = (req: IncomingMessage) => {
    const wait = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (wait > 0) {
      throw new ApiError('rate_limited', `Too many unauthenticated requests; retry in ${wait} s.`, {}, { 'retry-after': String(wait) });
    }
  };
  const keyed = (req: IncomingMessage) => {
    const key = presentedKey(req);
    const found = key ? keys.identify(key) : null;
    return { key, found, account: found?.kind === 'user' ? found.name : null };
  };
  const accountFor = (req: IncomingMessage): string => {
    const { key, found, account } = keyed(req);
    if (account && keys.roleOf(account) === 'metrics' && new URL(req.url ?? '/', 'http://fbay').pathname !== '/metrics') {
      throw new ApiError('forbidden', 'That is a metrics key: it can only read /metrics.', { next: 'Use an API key made with `fbay keys create --name NAME` for anything else.' });
    }
    if (account) return account;
    if (found?.kind === 'host') {
      if (isHostTunnel(req)) return hostPrincipal(found.name);
      throw new ApiError('forbidden', `That is a host key (host '${found.name}', for \`fbay daemon start --join\`): it offers a host's boards and cannot create sessions or act as an account.`, {
        next: 'Use a user key here: `fbay keys create --name NAME` on the coordinator makes one.',
      });
    }
    throttle(req);
    throw new ApiError(
      'unauthorized',
      key ? 'That API key is not valid (or has been revoked). Ask the host owner for a key: `fbay keys create`.' : 'This host needs an API key: send `Authorization: Bearer key_…` (or ?token=key_… on a WebSocket).',
      {},
      { 'www-authenticate': 'Bearer' },
    );
  };
  const publicAccount = (req: IncomingMessage): string => {
    const { account } = keyed(req);
    if (account) return account;
    throttle(req);
    return ANONYMOUS;
  };
  return { accountFor, publicAccount };
}
