// A browser session as /v1/browsers shows it, in the seed's names: status, cdpUrl, duration, endReason, error,
// artifacts (each null when not enabled or not produced), and what it was created with (never the proxy's password).
import type { BrowserArtifact, BrowserArtifacts, BrowserEndReason, BrowserSession } from '../../../transport/protocol/browser-api.js';
import { API } from '../../../transport/protocol/paths.js';
import type { Artifact, ArtifactSet } from '../../browsers/browser-host.js';
import { iso } from '../../sessions/record.js';
import { browserMs, expiresAt, type BrowserRecord } from './browser-record.js';
import { joinedHostOf } from './joined-browsers.js';

export interface ViewDeps {
  /** The cdpUrl a usable session is reached at by its account. */
  cdpUrl(s: BrowserRecord): string;
  clientsOf(id: string): number;
}

/** The sentence of a failed session that recorded none of its own. */
function errorOf(r: BrowserRecord): string {
  if (r.failure_reason) return r.failure_reason;
  if (r.end_reason === 'queue_timeout') {
    const waited = Math.round(((r.ended_at ?? r.created_at) - r.created_at) / 1000);
    return `No browser slot came free on this host within ${waited} s (browsers.queue_timeout_s); create it again when fewer sessions run, or raise browsers.max_concurrent.`;
  }
  return 'The browser failed; see `fbay daemon logs` on its host.';
}

function artifactView(id: string, a: Artifact): BrowserArtifact {
  return { name: a.name, url: API.artifact(id, a.name), path: a.path, bytes: a.bytes, contentType: a.contentType };
}

function artifactsView(r: BrowserRecord): BrowserArtifacts {
  // A record from before artifacts were a set (a list then) shows none.
  const set: Partial<ArtifactSet> = Array.isArray(r.artifacts) ? {} : (r.artifacts ?? {});
  const one = (a: Artifact | null | undefined) => (a ? artifactView(r.id, a) : null);
  return { screenshots: (set.screenshots ?? []).map((a) => artifactView(r.id, a)), har: one(set.har), recording: one(set.recording), consoleLogs: one(set.consoleLogs) };
}

export function browserView(r: BrowserRecord, now: number, queuePosition: number | null, deps: ViewDeps): BrowserSession {
  const usable = r.state === 'ready' || r.state === 'active';
  const over = r.ended_at !== null;
  const host = r.host ?? joinedHostOf(r.resource);
  const proxy = r.proxy ? { server: r.proxy.server, ...(r.proxy.username !== undefined ? { username: r.proxy.username } : {}), ...(r.proxy.bypass ? { bypass: r.proxy.bypass } : {}) } : null;
  return {
    id: r.id,
    kind: 'browser',
    status: r.state,
    account: r.account,
    cdpUrl: usable ? deps.cdpUrl(r) : null,
    maxDurationMs: r.max_duration_ms,
    createdAt: iso(r.created_at)!,
    readyAt: iso(r.ready_at),
    endedAt: iso(r.ended_at),
    expiresAt: over ? null : iso(expiresAt(r)),
    duration: over ? browserMs(r, now) / 1000 : null,
    endReason: r.end_reason as BrowserEndReason | null,
    error: r.state === 'failed' ? errorOf(r) : null,
    metadata: r.metadata,
    artifacts: artifactsView(r),
    queuePosition: r.state === 'queued' ? queuePosition : null,
    clients: usable ? deps.clientsOf(r.id) : 0,
    browserVersion: r.browser_version,
    usedMs: browserMs(r, now),
    recording: r.recording ?? false,
    record: r.record ?? [],
    profile: r.profile ?? null,
    proxy,
    fingerprint: r.fingerprint ?? null,
    warm: r.warm ?? false,
    // A mirrored session's host, or the joined host its slot is on.
    ...(host ? { host, link: usable && r.link ? { state: r.link.state, deadline: iso(r.link.deadline) } : null } : {}),
  };
}
