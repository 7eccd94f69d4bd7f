// A browser session as the engine keeps it (epoch-millisecond timestamps), its state machine, and its API view.
import type { Metadata } from '../../transport/protocol/api.js';
import type {
  ArtifactKind,
  BrowserArtifact,
  BrowserEndReason,
  BrowserSession,
  BrowserSessionState,
} from '../../transport/protocol/browser-api.js';

export interface BrowserRecord {
  id: string;
  account: string;
  state: BrowserSessionState;
  created_at: number;
  ready_at: number | null;
  ended_at: number | null;
  end_reason: BrowserEndReason | null;
  failure_reason: string | null;
  max_duration_ms: number;
  record: ArtifactKind[];
  artifacts: BrowserArtifact[];
  browser_version: string | null;
  metadata: Metadata;
  /** The secret in cdp_url that lets a TCP client in; never shown on its own. */
  cdp_token: string;
}

/** DESIGN §3: queued → assigning → ready ⇄ active → ending → ended; failed from any state before ended. */
const NEXT: Record<BrowserSessionState, readonly BrowserSessionState[]> = {
  queued: ['assigning', 'ended', 'failed'],
  assigning: ['ready', 'ending', 'ended', 'failed'],
  ready: ['active', 'ending', 'failed'],
  active: ['ready', 'ending', 'failed'],
  ending: ['ended', 'failed'],
  ended: [],
  failed: [],
};

export function assertBrowserTransition(id: string, from: BrowserSessionState, to: BrowserSessionState): void {
  if (!NEXT[from].includes(to)) throw new Error(`bug: browser session ${id} cannot go from ${from} to ${to}`);
}

/** States that hold a browser process (or are about to): they count against the host's capacity. */
export function holdsBrowser(state: BrowserSessionState): boolean {
  return state === 'assigning' || state === 'ready' || state === 'active' || state === 'ending';
}

/** A session that was live when the daemon went away lost its browser with it: `failed`, its time bounded by its cap. */
export function failAfterRestart(r: BrowserRecord, now: number): void {
  r.state = 'failed';
  r.failure_reason = 'The daemon stopped while this session was live; its browser was closed with it.';
  // When the daemon died is unknown: count no more browser time than the session's cap allowed.
  r.ended_at = r.ready_at === null ? now : Math.min(now, r.ready_at + r.max_duration_ms);
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export interface ViewExtras {
  cdpUrl: string | null;
  queuePosition: number | null;
  clients: number;
}

export function browserMs(r: BrowserRecord, now: number): number {
  return r.ready_at === null ? 0 : Math.max(0, (r.ended_at ?? now) - r.ready_at);
}

export function expiresAt(r: BrowserRecord): number | null {
  return r.ready_at === null ? null : r.ready_at + r.max_duration_ms;
}

export function toApiBrowser(r: BrowserRecord, now: number, extras: ViewExtras): BrowserSession {
  const usable = r.state === 'ready' || r.state === 'active';
  const live = r.ended_at === null;
  return {
    id: r.id,
    kind: 'browser',
    state: r.state,
    account: r.account,
    created_at: iso(r.created_at)!,
    ready_at: iso(r.ready_at),
    ended_at: iso(r.ended_at),
    end_reason: r.end_reason,
    failure_reason: r.failure_reason,
    max_duration_ms: r.max_duration_ms,
    expires_at: live ? iso(expiresAt(r)) : null,
    cdp_url: usable ? extras.cdpUrl : null,
    queue_position: r.state === 'queued' ? extras.queuePosition : null,
    clients: usable ? extras.clients : 0,
    browser_version: r.browser_version,
    browser_ms: browserMs(r, now),
    record: r.record,
    artifacts: r.artifacts,
    metadata: r.metadata,
  };
}
