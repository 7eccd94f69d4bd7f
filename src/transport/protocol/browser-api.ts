// Browser sessions (DESIGN §3, §4): the shapes of /v1/browsers in the seed's camelCase, shared by the CLI and the daemon.
import type { Metadata } from './api.js';

export const BROWSER_SESSION_STATES = ['queued', 'assigning', 'ready', 'active', 'ending', 'ended', 'failed'] as const;
export type BrowserSessionState = (typeof BROWSER_SESSION_STATES)[number];

/**
 * Why a browser session is over. `ended`: `user_ended`, `max_duration`, `quota_exceeded`, `host_shutdown`,
 * `upstream_lost` (a mirror whose link to its host could not be restored). `failed`: `failed` (the browser would not
 * start, or crashed) or `queue_timeout` (no slot came free in time); `error` then says what happened.
 */
export const BROWSER_END_REASONS = ['user_ended', 'max_duration', 'quota_exceeded', 'host_shutdown', 'upstream_lost', 'failed', 'queue_timeout'] as const;
export type BrowserEndReason = (typeof BROWSER_END_REASONS)[number];

/** What `record` may ask for besides the video (`recording: true`); the names of `artifacts`' keys. */
export const ARTIFACT_KINDS = ['screenshots', 'har', 'consoleLogs'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** Default and longest `maxDurationMs`. */
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
  /** A session on a remote host: the link to the host dropped. Reconnect to the same cdpUrl; the pages are still there. */
  upstream_dropped: 4003,
} as const;

/** One file a session produced, downloadable at `url` (a path on this API) once the session is over. */
export interface BrowserArtifact {
  /** `recording.mp4`, `network.har`, `console.log`, `screenshots/page-1.png`. */
  name: string;
  url: string;
  /** Where it is on the machine the browser ran on (a mirror's: on its host). */
  path: string;
  bytes: number;
  contentType: string;
}

/** The seed's artifacts: each null (screenshots: empty) when it was not enabled or not produced. */
export interface BrowserArtifacts {
  screenshots: BrowserArtifact[];
  har: BrowserArtifact | null;
  recording: BrowserArtifact | null;
  consoleLogs: BrowserArtifact | null;
}

export interface BrowserProxy {
  /** `http://host:port`, `https://…`, `socks5://…`, `socks4://…`. */
  server: string;
  username?: string;
  /** Only ever sent, never shown: a session's `proxy` lists `username` and `bypass`. */
  password?: string;
  /** Hosts that skip the proxy, separated by `,` or `;`. */
  bypass?: string;
}

export interface BrowserFingerprint {
  userAgent?: string;
  viewport?: { width: number; height: number };
  locale?: string;
  timezoneId?: string;
}

export interface BrowserSession {
  id: string;
  kind: 'browser';
  status: BrowserSessionState;
  account: string;
  /** The CDP WebSocket through the daemon; set in `ready` and `active`. */
  cdpUrl: string | null;
  maxDurationMs: number;
  createdAt: string;
  /** When the browser first answered CDP; browser hours count from here. */
  readyAt: string | null;
  endedAt: string | null;
  /** When maxDurationMs ends it (set once it is ready, while it lives). */
  expiresAt: string | null;
  /** Seconds of browser time (readyAt to endedAt), once it is over; 0 for one that never became ready. */
  duration: number | null;
  endReason: BrowserEndReason | null;
  /** On `failed`: what happened, as a sentence. */
  error: string | null;
  metadata: Metadata;
  artifacts: BrowserArtifacts;
  /** 1-based place in the host's queue while `queued`. */
  queuePosition: number | null;
  /** Connected CDP clients (0 or 1: a new client takes the session over). */
  clients: number;
  browserVersion: string | null;
  /** Browser time used so far, in ms (from ready to now or to the end). */
  usedMs: number;
  /** What it was created with (the proxy without its password). */
  recording: boolean;
  record: ArtifactKind[];
  profile: string | null;
  proxy: Omit<BrowserProxy, 'password'> | null;
  fingerprint: BrowserFingerprint | null;
  /** Its browser was launched ahead of time (the warm pool). */
  warm: boolean;
  /** Only on a session mirrored from a remote host: the remote's name. */
  host?: string;
  /** Only on a mirrored session: its CDP link to the host, `reconnecting` until `deadline` after a drop. */
  link?: { state: 'open' | 'reconnecting'; deadline: string | null } | null;
}

export interface CreateBrowserRequest {
  maxDurationMs?: number;
  recording?: boolean;
  record?: ArtifactKind[];
  profile?: string;
  proxy?: BrowserProxy;
  fingerprint?: BrowserFingerprint;
  metadata?: Metadata;
}

export interface BrowserPlanUsage {
  plan: string;
  maxConcurrent: number;
  /** null: no monthly quota. */
  monthlyHours: number | null;
  usedHours: number;
  periodStart: string;
  resetsAt: string;
}

export interface BrowserHostStatus {
  /** Browsers this host runs at once (`browsers.max_concurrent`). */
  maxConcurrent: number;
  running: number;
  queued: number;
  /** Browsers launched ahead of time, waiting for a session (`browsers.warm`). */
  warm: number;
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

