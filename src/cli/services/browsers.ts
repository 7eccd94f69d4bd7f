// Browser session operations behind `fbay browser …`: create (and wait until usable), list, show, end, the default id.
import { UserError } from '../../shared/user-error.js';
import { parseDuration } from '../../shared/duration.js';
import {
  ARTIFACT_KINDS,
  MAX_BROWSER_MAX_DURATION_MS,
  type ArtifactKind,
  type BrowserList,
  type BrowserSession,
  type CreateBrowserRequest,
} from '../../transport/protocol/browser-api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';

const usage = (message: string, next?: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', ...(next ? { next } : {}) });
const byId = (id: string) => `/v1/browsers?id=${encodeURIComponent(id)}`;
/** One long-poll: under the client's 30 s request timeout. */
const POLL_MS = 25_000;

export interface BrowserCreateFlags {
  maxDuration?: string;
  record?: string;
  metadata?: string[];
}

/** `--record console_log,screenshots,har` → the kinds, refusing unknown ones with exit 2. */
export function parseRecord(text: string): ArtifactKind[] {
  const kinds = text.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) {
    if (!(ARTIFACT_KINDS as readonly string[]).includes(k)) throw usage(`--record: '${k}' is not an artifact kind; use ${ARTIFACT_KINDS.join(', ')}.`);
  }
  if (kinds.length === 0) throw usage(`--record needs at least one of ${ARTIFACT_KINDS.join(', ')}.`);
  return [...new Set(kinds)] as ArtifactKind[];
}

export function createBrowserRequest(flags: BrowserCreateFlags, metadata?: Record<string, string>): CreateBrowserRequest {
  const request: CreateBrowserRequest = {};
  if (flags.maxDuration !== undefined) {
    const ms = parseDuration(flags.maxDuration, '--max-duration');
    if (ms < 1000 || ms > MAX_BROWSER_MAX_DURATION_MS) throw usage(`--max-duration must be from 1s to 24h; got '${flags.maxDuration}'.`);
    request.max_duration_ms = ms;
  }
  if (flags.record !== undefined) request.record = parseRecord(flags.record);
  if (metadata && Object.keys(metadata).length > 0) request.metadata = metadata;
  return request;
}

export function listBrowsers(client: DaemonClient, all = false): Promise<BrowserList> {
  return client.get<BrowserList>(all ? '/v1/browsers?all=1' : '/v1/browsers');
}

export function getBrowser(client: DaemonClient, id: string): Promise<BrowserSession> {
  return client.get<BrowserSession>(byId(id));
}

export function endBrowser(client: DaemonClient, id: string): Promise<BrowserSession> {
  return client.delete<BrowserSession>(byId(id));
}

/** The ID given, or the account's single live browser session. */
export async function resolveBrowserId(client: DaemonClient, given: string | undefined): Promise<string> {
  if (given) return given;
  const { browsers } = await listBrowsers(client);
  if (browsers.length === 1) return browsers[0]!.id;
  if (browsers.length === 0) {
    throw new UserError('There is no live browser session.', {
      exit: EXIT.not_found,
      code: 'not_found',
      next: 'Create one with `fbay browser create --wait-ready`, or pass an ID (see `fbay browser list --all`).',
    });
  }
  throw new UserError(`There are ${browsers.length} live browser sessions; say which one: ${browsers.map((b) => `${b.id} (${b.state})`).join(', ')}.`, {
    exit: EXIT.usage,
    code: 'ambiguous_session',
    next: `For example: fbay browser show ${browsers[0]!.id}`,
  });
}

function failed(s: BrowserSession): UserError {
  if (s.state === 'failed') {
    return new UserError(`Browser session ${s.id} failed: ${s.failure_reason ?? 'no reason given'}.`, {
      code: 'browser_failed',
      next: 'See `fbay daemon logs`; `fbay config set browsers.executable PATH` picks another Chromium.',
    });
  }
  return new UserError(`Browser session ${s.id} ended (${s.end_reason ?? 'unknown reason'}) before its browser was ready.`, { code: 'session_ended' });
}

/**
 * Creates a browser session. The daemon answers once the browser is up, unless the host is full and the session
 * queues; with `waitReady` this then waits (long-polling) until it is usable. Ctrl-C while queued ends it.
 */
export async function createBrowser(
  client: DaemonClient,
  request: CreateBrowserRequest,
  options: { waitReady: boolean; signal?: AbortSignal },
): Promise<BrowserSession> {
  let s = await client.post<BrowserSession>('/v1/browsers', request);
  if (s.state === 'failed') throw failed(s);
  if (!options.waitReady) return s;
  try {
    while (s.state === 'queued' || s.state === 'assigning') {
      if (options.signal?.aborted) throw interrupted();
      s = await client.get<BrowserSession>(`${byId(s.id)}&wait=usable&timeout_ms=${POLL_MS}`);
    }
  } catch (err) {
    await endBrowser(client.uninterruptible(), s.id).catch(() => undefined);
    throw err;
  }
  if (s.state !== 'ready' && s.state !== 'active') throw failed(s);
  return s;
}
