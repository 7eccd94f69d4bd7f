// Who may open a session's CDP WebSocket, and when: the token check for TCP, and why a session cannot take a client.
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../transport/protocol/errors.js';
import type { BrowserRecord } from '../providers/browser/browser-record.js';

/** The cdp_url's token against the session's, in constant time; 401 when it is missing or wrong. */
export function checkToken<T extends { cdp_token: string }>(s: T | undefined, token: string | null): asserts s is T {
  const theirs = Buffer.from(token ?? '');
  const ours = Buffer.from(typeof s?.cdp_token === 'string' ? s.cdp_token : '');
  if (!s || ours.length === 0 || theirs.length !== ours.length || !timingSafeEqual(theirs, ours)) {
    throw new ApiError('unauthorized', 'This CDP URL needs the token the session gave in its cdp_url (`fbay browser show ID`).');
  }
}

/** 404 with the state and reason once the session is ending or over; 409 while its browser is not up yet. */
export function assertUsable(s: Pick<BrowserRecord, 'id' | 'state' | 'failure_reason' | 'end_reason'>, hasBrowser: boolean): void {
  if (s.state === 'ended' || s.state === 'failed' || s.state === 'ending') {
    const why = s.state === 'failed' ? `failed: ${s.failure_reason}` : s.state === 'ending' ? 'is ending' : `has ended (${s.end_reason})`;
    throw new ApiError('not_found', `Browser session ${s.id} ${why}. Create a new one with \`fbay browser create\`.`, {
      state: s.state,
      end_reason: s.end_reason,
    });
  }
  if ((s.state !== 'ready' && s.state !== 'active') || !hasBrowser) {
    throw new ApiError(
      'session_conflict',
      `Browser session ${s.id} is ${s.state}: its browser is not ready yet. Wait with \`fbay browser create --wait-ready\` or poll \`fbay browser show ${s.id}\`.`,
    );
  }
}
