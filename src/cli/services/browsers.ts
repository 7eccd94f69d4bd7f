// Browser session operations behind `fbay browser …`: create (and wait until usable), list, show, end, the default id.
import { UserError } from '../../shared/user-error.js';
import { parseDuration } from '../../shared/duration.js';
import {
  ARTIFACT_KINDS,
  MAX_BROWSER_MAX_DURATION_MS,
  type ArtifactKind,
  type BrowserFingerprint,
  type BrowserList,
  type BrowserProxy,
  type BrowserSession,
  type CreateBrowserRequest,
} from '../../transport/protocol/browser-api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { idempotencyHeader } from './idempotency-key.js';
import { notFoundAsOtherKind } from './other-kind.js';

const usage = (message: string, next?: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', ...(next ? { next } : {}) });
const byId = (id: string) => `/v1/browsers?id=${encodeURIComponent(id)}`;
/** One long-poll: under the client's 30 s request timeout. */
const POLL_MS = 25_000;

export interface BrowserCreateFlags {
  maxDuration?: string;
  record?: string;
  recording?: boolean;
  profile?: string;
  proxy?: string;
  proxyBypass?: string;
  userAgent?: string;
  viewport?: string;
  locale?: string;
  timezone?: string;
  metadata?: string[];
}

/** `--record screenshots,har,consoleLogs` → the kinds, refusing unknown ones with exit 2. */
export function parseRecord(text: string): ArtifactKind[] {
  const kinds = text.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) {
    if (!(ARTIFACT_KINDS as readonly string[]).includes(k)) throw usage(`--record: '${k}' is not an artifact kind; use ${ARTIFACT_KINDS.join(', ')} (and --recording for a video).`);
  }
  if (kinds.length === 0) throw usage(`--record needs at least one of ${ARTIFACT_KINDS.join(', ')}.`);
  return [...new Set(kinds)] as ArtifactKind[];
}

/** `--proxy http://user:pass@host:port` → the API's proxy: the credentials go in their own fields, never in the URL. */
export function parseProxy(text: string, bypass?: string): BrowserProxy {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `http://${text}`);
  } catch {
    throw usage(`--proxy must look like http://[user:pass@]host:port or socks5://host:port; got '${text}'.`);
  }
  const proxy: BrowserProxy = { server: `${url.protocol}//${url.host}` };
  if (url.username) proxy.username = decodeURIComponent(url.username);
  if (url.password) proxy.password = decodeURIComponent(url.password);
  if (bypass !== undefined) proxy.bypass = bypass;
  return proxy;
}

/** `--viewport 1024x640` → {width, height}. */
function parseViewport(text: string): { width: number; height: number } {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(text.trim());
  if (!m) throw usage(`--viewport must be WIDTHxHEIGHT in pixels, e.g. 1280x720; got '${text}'.`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

export function createBrowserRequest(flags: BrowserCreateFlags, metadata?: Record<string, string>): CreateBrowserRequest {
  const request: CreateBrowserRequest = {};
  if (flags.maxDuration !== undefined) {
    const ms = parseDuration(flags.maxDuration, '--max-duration');
    if (ms < 1000 || ms > MAX_BROWSER_MAX_DURATION_MS) throw usage(`--max-duration must be from 1s to 24h; got '${flags.maxDuration}'.`);
    request.maxDurationMs = ms;
  }
  if (flags.recording) request.recording = true;
  if (flags.record !== undefined) request.record = parseRecord(flags.record);
  if (flags.profile !== undefined) request.profile = flags.profile;
  if (flags.proxyBypass !== undefined && flags.proxy === undefined) throw usage('--proxy-bypass needs --proxy.');
  if (flags.proxy !== undefined) request.proxy = parseProxy(flags.proxy, flags.proxyBypass);
  const fingerprint: BrowserFingerprint = {};
  if (flags.userAgent !== undefined) fingerprint.userAgent = flags.userAgent;
  if (flags.viewport !== undefined) fingerprint.viewport = parseViewport(flags.viewport);
  if (flags.locale !== undefined) fingerprint.locale = flags.locale;
  if (flags.timezone !== undefined) fingerprint.timezoneId = flags.timezone;
  if (Object.keys(fingerprint).length > 0) request.fingerprint = fingerprint;
  if (metadata && Object.keys(metadata).length > 0) request.metadata = metadata;
  return request;
}

export function listBrowsers(client: DaemonClient, all = false): Promise<BrowserList> {
  return client.get<BrowserList>(all ? '/v1/browsers?all=1' : '/v1/browsers');
}

/** The browser session; a board session's id says so, with the command to use. */
export function getBrowser(client: DaemonClient, id: string): Promise<BrowserSession> {
  return client.get<BrowserSession>(byId(id)).catch(async (err: unknown) => {
    throw await notFoundAsOtherKind(client, id, 'browser', err);
  });
}

export function endBrowser(client: DaemonClient, id: string): Promise<BrowserSession> {
  return client.delete<BrowserSession>(byId(id)).catch(async (err: unknown) => {
    throw await notFoundAsOtherKind(client, id, 'browser', err);
  });
}

/** `browser end --all`: every live browser session of the account, ended (artifacts collected). */
export async function endAllBrowsers(client: DaemonClient): Promise<BrowserSession[]> {
  const { browsers } = await listBrowsers(client);
  return Promise.all(browsers.map((b) => endBrowser(client, b.id)));
}

/** The ID given, or the account's single live browser session; `usage` is the command, with ID, for the hint. */
export async function resolveBrowserId(client: DaemonClient, given: string | undefined, usage = 'fbay browser show ID'): Promise<string> {
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
  throw new UserError(`There are ${browsers.length} live browser sessions; say which one: ${browsers.map((b) => `${b.id} (${b.status})`).join(', ')}.`, {
    exit: EXIT.usage,
    code: 'ambiguous_session',
    next: `Give its ID: \`${usage}\`, e.g. ${usage.replace('ID', browsers[0]!.id)}${usage.startsWith('fbay browser end') ? ', or end them all with `fbay browser end --all`' : ''}.`,
  });
}

/** Over a browser limit: the next step is about browsers, not board sessions. */
function browserLimitHint(err: unknown): unknown {
  if (!(err instanceof UserError)) return err;
  const retry = /\(retry after \d+s\)$/.exec(err.next ?? '')?.[0];
  const next =
    err.code === 'concurrency_limit'
      ? 'See the live ones with `fbay browser list` and end one with `fbay browser end ID` (or `--all`), or try again later'
      : err.code === 'quota_exceeded'
        ? "See this month's browser hours with `fbay browser list`; the quota renews when the month turns"
        : null;
  return next ? new UserError(err.message, { exit: err.exit, code: err.code, next: `${next}${retry ? ` ${retry}` : ''}.` }) : err;
}

function failed(s: BrowserSession): UserError {
  if (s.status === 'failed') {
    return new UserError(`Browser session ${s.id} failed: ${(s.error ?? 'no reason given').replace(/\.$/, '')}.`, {
      code: 'browser_failed',
      next: 'See `fbay daemon logs`; `fbay config set browsers.executable PATH` picks another Chromium.',
    });
  }
  return new UserError(`Browser session ${s.id} ended (${s.endReason ?? 'unknown reason'}) before its browser was ready.`, { code: 'session_ended' });
}

/**
 * Creates a browser session. The daemon answers once the browser is up, unless the host is full and the session
 * queues; with `waitReady` this then waits (long-polling) until it is usable. Ctrl-C while queued ends it.
 * `idempotencyKey`: --idempotency-key; absent, a fresh key.
 */
export async function createBrowser(
  client: DaemonClient,
  request: CreateBrowserRequest,
  options: { waitReady: boolean; idempotencyKey?: string | undefined; signal?: AbortSignal },
): Promise<BrowserSession> {
  let s = await client.post<BrowserSession>('/v1/browsers', request, idempotencyHeader(options.idempotencyKey)).catch((err: unknown) => {
    throw browserLimitHint(err);
  });
  if (s.status === 'failed') throw failed(s);
  if (!options.waitReady) return s;
  try {
    while (s.status === 'queued' || s.status === 'assigning') {
      if (options.signal?.aborted) throw interrupted();
      s = await client.get<BrowserSession>(`${byId(s.id)}&wait=usable&timeoutMs=${POLL_MS}`);
    }
  } catch (err) {
    await endBrowser(client.uninterruptible(), s.id).catch(() => undefined);
    throw err;
  }
  if (s.status !== 'ready' && s.status !== 'active') throw failed(s);
  return s;
}
