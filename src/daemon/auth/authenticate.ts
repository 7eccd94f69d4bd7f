// Who a TCP request speaks for: the account of its API key (Bearer header, or ?token= for WebSockets), else 401/429.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../transport/protocol/errors.js';
import type { ApiKeyStore } from './api-keys.js';
import { RateLimiter } from './rate-limit.js';

export function presentedKey(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m ? m[1]! : null;
  }
  return new URL(req.url ?? '/', 'http://fbay').searchParams.get('token');
}

export const ANONYMOUS = 'anonymous';

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
    return { key, account: key ? keys.authenticate(key) : null };
  };
  const accountFor = (req: IncomingMessage): string => {
    const { key, account } = keyed(req);
    if (account) return account;
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
