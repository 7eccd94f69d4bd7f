// A browser session as the core keeps it: the shared record plus its browser, its cap, what it was created with
// and its artifacts.
import type { ArtifactKind, BrowserSessionState } from '../../../transport/protocol/browser-api.js';
import type { ArtifactSet, FingerprintSpec, ProxySpec } from '../../browsers/browser-host.js';
import type { CoreRecord } from '../../sessions/record.js';

export interface BrowserRecord extends CoreRecord {
  kind: 'browser';
  state: BrowserSessionState;
  /** When the browser first answered CDP; browser hours count from here. */
  ready_at: number | null;
  failure_reason: string | null;
  max_duration_ms: number;
  /** A video of the session (`recording: true`). */
  recording: boolean;
  record: ArtifactKind[];
  /** The profile key as the account gave it (the host keeps it under the account's name). */
  profile: string | null;
  /** With its password: kept for the launch, never shown. */
  proxy: ProxySpec | null;
  fingerprint: FingerprintSpec | null;
  artifacts: ArtifactSet;
  /** Its browser came from the warm pool. */
  warm: boolean;
  browser_version: string | null;
  /** The secret in cdpUrl that lets a TCP client in; never shown on its own. */
  cdp_token: string;
  /** A mirrored session's view on its host, kept as the host last said. */
  upstream?: Record<string, unknown> | null;
}

/** States that hold a browser process (or are about to): they count against the host's capacity. */
export function holdsBrowser(state: BrowserSessionState): boolean {
  return state === 'assigning' || state === 'ready' || state === 'active' || state === 'ending';
}

export function browserMs(r: BrowserRecord, now: number): number {
  return r.ready_at === null ? 0 : Math.max(0, (r.ended_at ?? now) - r.ready_at);
}

export function expiresAt(r: BrowserRecord): number | null {
  return r.ready_at === null ? null : r.ready_at + r.max_duration_ms;
}
