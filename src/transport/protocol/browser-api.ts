// Browser sessions (DESIGN §3, §4): the shapes of POST/GET/DELETE /v1/browsers, shared by the CLI and the daemon.
import type { Metadata } from './api.js';

export const BROWSER_SESSION_STATES = ['queued', 'assigning', 'ready', 'active', 'ending', 'ended', 'failed'] as const;
export type BrowserSessionState = (typeof BROWSER_SESSION_STATES)[number];

/** Why a browser session reached `ended`; a `failed` session has a `failure_reason` sentence instead. */
/** `upstream_lost`: a session mirrored from a remote host whose link could not be restored in time. */
export const BROWSER_END_REASONS = ['user_ended', 'max_duration', 'host_shutdown', 'upstream_lost'] as const;
export type BrowserEndReason = (typeof BROWSER_END_REASONS)[number];

export const ARTIFACT_KINDS = ['console_log', 'screenshots', 'har'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** Default and longest `max_duration_ms`. */
export const DEFAULT_BROWSER_MAX_DURATION_MS = 30 * 60_000;
export const MAX_BROWSER_MAX_DURATION_MS = 24 * 3_600_000;

/** Close codes the daemon's CDP proxy uses, with a reason sentence, when it closes a client's WebSocket. */
export const CDP_CLOSE = {
  /** The session ended (user, max_duration, host shutdown). */
  ended: 4000,
  /** Another CDP client connected to the same session and took it over. */
  replaced: 4001,
  /** The browser crashed or exited on its own: the session failed. */
  failed: 4002,
  /** A session on a remote host: the link to the host dropped. Reconnect to the same cdp_url; the pages are still there. */
  upstream_dropped: 4003,
} as const;

export interface BrowserArtifact {
  kind: ArtifactKind;
  /** Absolute path of the file on the daemon's machine. */
  path: string;
  bytes: number;
}

export interface BrowserSession {
  id: string;
  kind: 'browser';
  state: BrowserSessionState;
  account: string;
  created_at: string;
  /** When the browser first answered CDP; browser hours count from here. */
  ready_at: string | null;
  ended_at: string | null;
  end_reason: BrowserEndReason | null;
  failure_reason: string | null;
  max_duration_ms: number;
  /** When max_duration_ms ends the session (set once it is ready). */
  expires_at: string | null;
  /** The CDP WebSocket through the daemon; present in `ready` and `active`. */
  cdp_url: string | null;
  /** 1-based place in the host's queue while `queued`. */
  queue_position: number | null;
  /** Connected CDP clients (0 or 1: a new client takes the session over). */
  clients: number;
  browser_version: string | null;
  /** Browser time used, from ready to now or to the end. */
  browser_ms: number;
  record: ArtifactKind[];
  artifacts: BrowserArtifact[];
  metadata: Metadata;
  /** Only on a session mirrored from a remote host: the remote's name (artifact paths are on that host). */
  host?: string;
  /** Only on a mirrored session: its CDP link to the host, `reconnecting` until `deadline` after a drop. */
  link?: { state: 'open' | 'reconnecting'; deadline: string | null } | null;
}

export interface CreateBrowserRequest {
  max_duration_ms?: number;
  record?: ArtifactKind[];
  metadata?: Metadata;
}

export interface BrowserPlanUsage {
  plan: string;
  max_concurrent: number;
  /** null: no monthly quota. */
  monthly_hours: number | null;
  used_hours: number;
  period_start: string;
  resets_at: string;
}

export interface BrowserHostStatus {
  /** Browsers this host runs at once (`browsers.max_concurrent`). */
  max_concurrent: number;
  running: number;
  queued: number;
}

export interface BrowserList {
  browsers: BrowserSession[];
  plan: BrowserPlanUsage;
  host: BrowserHostStatus;
}

const LIVE: ReadonlySet<BrowserSessionState> = new Set(['queued', 'assigning', 'ready', 'active', 'ending']);

export function isLiveBrowserState(state: BrowserSessionState): boolean {
  return LIVE.has(state);
}
