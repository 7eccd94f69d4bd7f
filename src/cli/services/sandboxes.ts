// Sandbox session operations behind `fbay sandbox create|list|show|end|url`: the create request from flags, the
// calls, and the default id (the account's single live sandbox). Plan ranges are the daemon's to check: it names the plan.
import { parseDuration } from '../../shared/duration.js';
import { UserError } from '../../shared/user-error.js';
import type { Metadata, SessionList } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { API } from '../../transport/protocol/paths.js';
import type { CreateSandboxRequest, SandboxLimitsRequest, SandboxSession } from '../../transport/protocol/sandbox-api.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { idempotencyHeader } from './idempotency-key.js';

const usage = (message: string, next?: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', ...(next ? { next } : {}) });
const LIVE = new Set(['creating', 'active', 'idle', 'deep_sleep', 'waking']);

export interface SandboxCreateFlags {
  ttl?: string;
  memory?: string;
  cpu?: string;
  disk?: string;
  execTimeout?: string;
}

/** A duration flag in whole seconds (a bare number is seconds), at least 1s. */
export function wholeSeconds(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms < 1000 || ms % 1000 !== 0) throw usage(`${flag} must be a whole number of seconds, at least 1s (like 90s, 30m or 24h); got '${text}'.`);
  return ms / 1000;
}

function positive(text: string, flag: string, whole: boolean): number {
  const n = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !(n > 0) || (whole && !Number.isInteger(n))) {
    throw usage(`${flag} must be a ${whole ? 'whole' : 'positive'} number${whole ? ' above 0' : ''}; got '${text}'.`);
  }
  return n;
}

export function createSandboxRequest(flags: SandboxCreateFlags, metadata?: Metadata): CreateSandboxRequest {
  const request: CreateSandboxRequest = { kind: 'sandbox' };
  if (flags.ttl !== undefined) request.ttl = wholeSeconds(flags.ttl, '--ttl');
  if (metadata && Object.keys(metadata).length > 0) request.metadata = metadata;
  const limits: SandboxLimitsRequest = {};
  if (flags.memory !== undefined) limits.memory_mb = positive(flags.memory, '--memory', true);
  if (flags.cpu !== undefined) limits.cpu = positive(flags.cpu, '--cpu', false);
  if (flags.disk !== undefined) limits.disk_mb = positive(flags.disk, '--disk', true);
  if (flags.execTimeout !== undefined) limits.exec_timeout_s = wholeSeconds(flags.execTimeout, '--exec-timeout');
  if (Object.keys(limits).length > 0) request.limits = limits;
  return request;
}

const SANDBOX_HINTS: Record<string, string> = {
  concurrency_limit: 'See the live ones with `fbay sandbox list` and end one with `fbay sandbox end ID`.',
  not_found: 'See your sandboxes with `fbay sandbox list --all`.',
};

/**
 * The daemon's error with a next step about sandboxes, not board sessions: a sentence that already says what to do
 * (an ended or expired sandbox's) keeps no generic hint.
 */
export function sandboxHint(err: unknown): unknown {
  if (!(err instanceof UserError) || err.message === '') return err;
  const next = err.message.includes('`fbay sandbox') ? undefined : (SANDBOX_HINTS[err.code] ?? (err.code === 'session_conflict' ? undefined : err.next));
  if (next === err.next) return err;
  return new UserError(err.message, { exit: err.exit, code: err.code, cause: err, ...(next ? { next } : {}) });
}

/** `idempotencyKey`: --idempotency-key; absent, a fresh key. */
export function createSandbox(client: DaemonClient, request: CreateSandboxRequest, idempotencyKey?: string): Promise<SandboxSession> {
  return client.post<SandboxSession>(API.sessions, request, idempotencyHeader(idempotencyKey));
}

/** Live sandboxes (all: ended ones too); `errors`: hosts whose sandboxes are missing from the list, and why. */
export async function listSandboxes(client: DaemonClient, all = false): Promise<{ sessions: SandboxSession[]; errors?: NonNullable<SessionList['errors']> }> {
  return client.get<{ sessions: SandboxSession[]; errors?: NonNullable<SessionList['errors']> }>(`${API.sessions}?kind=sandbox${all ? '&all=1' : ''}`);
}

function notSandbox(s: { id: string; kind?: string }): UserError {
  const show = s.kind === 'browser' ? 'fbay browser show' : 'fbay session show';
  return new UserError(`${s.id} is a ${s.kind ?? 'board'} session, not a sandbox.`, { exit: EXIT.not_found, code: 'wrong_kind', next: `Use \`${show} ${s.id}\` for it.` });
}

export async function getSandbox(client: DaemonClient, id: string): Promise<SandboxSession> {
  const s = await client.get<SandboxSession>(API.session(encodeURIComponent(id)));
  if (s.kind !== 'sandbox') throw notSandbox(s);
  return s;
}

export async function endSandbox(client: DaemonClient, id: string): Promise<SandboxSession> {
  await getSandbox(client, id);
  return client.delete<SandboxSession>(API.session(encodeURIComponent(id)));
}

/** The ID given, or the account's single live sandbox (deep sleep included: a request wakes it). */
export async function resolveSandboxId(client: DaemonClient, given: string | undefined, command = 'fbay sandbox show ID'): Promise<string> {
  if (given) return given;
  const list = await listSandboxes(client);
  const live = list.sessions.filter((s) => LIVE.has(s.state));
  // A host that did not answer may hold the one meant: no guess is made for it.
  const missing = list.errors?.[0];
  if (missing && live.length < 2) {
    throw new UserError(`Cannot tell which sandbox is meant: ${missing.host}'s are not listed (${missing.error.replace(/\.$/, '')}).`, {
      exit: EXIT.daemon_unavailable,
      code: 'upstream_unavailable',
      next: `Give its ID: \`${command}\`.`,
    });
  }
  if (live.length === 1) return live[0]!.id;
  if (live.length === 0) {
    throw new UserError('There is no live sandbox.', { exit: EXIT.not_found, code: 'not_found', next: 'Create one with `fbay sandbox create`, or pass an ID (see `fbay sandbox list --all`).' });
  }
  throw new UserError(`There are ${live.length} live sandboxes; say which one: ${live.map((s) => `${s.id} (${s.state})`).join(', ')}.`, {
    exit: EXIT.usage,
    code: 'ambiguous_session',
    next: `Give its ID: \`${command}\`, e.g. ${command.replace('ID', live[0]!.id)}`,
  });
}

/** The sandbox's URL for another port inside it: `http://PORT-ses-….localhost:…/` (3000 is the plain URL). */
export function urlForPort(url: string, port: number | undefined): string {
  if (port === undefined || port === 3000) return url;
  const u = new URL(url);
  u.hostname = `${port}-${u.hostname}`;
  return u.toString();
}

export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65_535) throw usage(`--port must be a port number from 1 to 65535; got '${text}'.`);
  return n;
}
