// Browser sessions (DESIGN §3): queued → assigning → ready ⇄ active → ending → ended, failed from any live state.
import type { BrowserSession } from '../../../transport/protocol/browser-api.js';
import type { Deadline, SessionKind } from '../../sessions/kind.js';
import { defineLifecycle } from '../../sessions/lifecycle.js';
import { HOUR_MS } from '../../sessions/quota-usage.js';
import { concurrencyError, quotaError } from './browser-limits.js';
import { expiresAt, type BrowserRecord } from './browser-record.js';
import { browserView, type ViewDeps } from './browser-view.js';
import { joinedHostOf } from './joined-browsers.js';

export const BROWSER_LIFECYCLE = defineLifecycle({
  initial: 'queued',
  next: {
    queued: ['assigning', 'ended', 'failed'],
    assigning: ['ready', 'ending', 'ended', 'failed'],
    ready: ['active', 'ending', 'failed'],
    active: ['ready', 'ending', 'failed'],
    ending: ['ended', 'failed'],
    ended: [],
    failed: [],
  },
  final: ['ended', 'failed'],
});

const COUNTED = ['queued', 'assigning', 'ready', 'active', 'ending'] as const;
/** Reasons that end a browser session in `failed` rather than `ended`. */
export const FAILURE_REASONS = new Set(['failed', 'queue_timeout']);

export interface BrowserKindDeps extends ViewDeps {
  /** `browsers.queue_timeout_s` in ms: a session queued this long ends `failed` (queue_timeout). */
  queueTimeoutMs(): number;
  now(): number;
}

export function browserKind(deps: BrowserKindDeps): SessionKind<BrowserRecord> {
  return {
    kind: 'browser',
    lifecycle: BROWSER_LIFECYCLE,
    waiting: 'queued',
    claimed: 'assigning',
    ending: 'ending',
    started: () => 'ready',
    finalState: (reason) => (FAILURE_REASONS.has(reason) ? 'failed' : 'ended'),
    settled: (s) => s.state !== 'assigning' && s.state !== 'ending',
    // Even a crashed browser winds down through `ending`: what it recorded so far is written there. A session that
    // timed out in the queue never had one.
    endsThrough: (reason) => reason !== 'queue_timeout',
    deadlines: (s) => {
      const out: Deadline[] = [];
      const cap = expiresAt(s);
      // A mirrored session's cap and queue are its host's to enforce.
      if (cap !== null && !s.host && s.state !== 'ending') out.push({ name: 'cap', at: cap, action: { end: 'max_duration' } });
      if (s.state === 'queued' && !s.host) out.push({ name: 'queue', at: s.created_at + deps.queueTimeoutMs(), action: { end: 'queue_timeout' } });
      return out;
    },
    quota: {
      limitMs: (limits) => (limits.browser.monthly_hours === null ? null : limits.browser.monthly_hours * HOUR_MS),
      since: (s) => s.ready_at,
      endReason: 'quota_exceeded',
      exceeded: (account, usedMs, limits, now) => quotaError(account, limits.browser, usedMs, now),
    },
    endsWithDaemon: true,
    concurrency: (limits) => ({ max: limits.browser.max_concurrent, states: COUNTED }),
    limitError: (account, counted, limits) => concurrencyError(account, limits.browser, counted, deps.now()),
    restored: (s, now) => {
      // A mirror's link (or a joined host's) died with this daemon; its host keeps the browser until its cap.
      if (s.host || joinedHostOf(s.resource)) return { state: 'ended', end_reason: 'upstream_lost', ended_at: now };
      // When the daemon died is unknown: count no more browser time than the session's cap allowed.
      return {
        state: 'failed',
        failure_reason: 'The daemon stopped while this session was live; its browser was closed with it.',
        ended_at: s.ready_at === null ? now : Math.min(now, s.ready_at + s.max_duration_ms),
        end_reason: 'failed',
      };
    },
    view: (s, { now, queuePosition }): BrowserSession => browserView(s, now, queuePosition, deps),
  };
}
