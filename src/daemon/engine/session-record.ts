// A board session as the engine holds it (epoch-millisecond timestamps), and its API view.
import { randomInt } from 'node:crypto';
import type { BoardSessionState, EndReason, Metadata, Session } from '../../transport/protocol/api.js';
import { creditsAt, roundCredits, type Metered } from './meter.js';

export interface SessionRecord extends Metered {
  id: string;
  account: string;
  board_type: string;
  /** Asked for a specific board (board_id in the request) rather than any board of the type. */
  wants_board_id: string | null;
  board_id: string | null;
  state: BoardSessionState;
  created_at: number;
  end_reason: EndReason | null;
  idle_timeout_s: number;
  /** When the session last became idle (no serial client); null while active or not started. */
  idle_since: number | null;
  /** When the board's port went away; the session survives that for the re-enumeration grace. */
  board_lost_at?: number | null;
  /** A pending session gives up waiting for a board at this instant. */
  wait_until: number | null;
  /** The tier's cap on a session's length, fixed at create. */
  max_session_s: number | null;
  metadata: Metadata;
  /** The remote fbay host this session lives on, mirrored here; absent/null for this host's own boards. */
  host?: string | null;
  /** A mirrored session's meter, as the remote host reports it (it is the one that charges). */
  upstream_credits?: number | null;
  /** A mirrored session's link to its host: reconnecting until `deadline` after a drop. */
  link?: { state: 'open' | 'reconnecting'; deadline: number | null } | null;
  idempotency_key: string | null;
  request_hash: string | null;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const SESSION_ID_PATTERN = /^ses_[A-Za-z0-9]{24}$/;

export function newSessionId(): string {
  let id = 'ses_';
  for (let i = 0; i < 24; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/**
 * Credits a session has used by t. A mirror's host is the one that charges: its last report stands, and while the
 * session lives the same formula, from the same started_at and rate, carries it forward between reports.
 */
export function sessionCredits(s: SessionRecord, t: number): number {
  if (!s.host) return creditsAt(s, t);
  const reported = s.upstream_credits ?? 0;
  return s.state === 'ended' ? reported : Math.max(reported, creditsAt(s, t));
}

/** The instant a session will be ended by its cap or budget, if nothing ends it sooner. */
export function capInstant(s: SessionRecord): number | null {
  if (s.started_at === null) return null;
  return s.max_session_s === null ? null : s.started_at + s.max_session_s * 1000;
}

export function idleDeadline(s: SessionRecord): number | null {
  return s.state === 'idle' && s.idle_since !== null ? s.idle_since + s.idle_timeout_s * 1000 : null;
}

export function toApiSession(
  s: SessionRecord,
  now: number,
  wsUrl: string | null,
  expiresAt: number | null,
  graceDeadline: number | null,
): Session {
  const live = s.state !== 'ended';
  return {
    id: s.id,
    kind: 'board',
    state: s.state,
    board_type: s.board_type,
    board_id: s.board_id,
    account: s.account,
    created_at: iso(s.created_at)!,
    started_at: iso(s.started_at),
    ended_at: iso(s.ended_at),
    end_reason: s.end_reason,
    idle_timeout_s: s.idle_timeout_s,
    idle_deadline: iso(idleDeadline(s)),
    board_missing_since: live ? iso(s.board_lost_at ?? null) : null,
    grace_deadline: live ? iso(graceDeadline) : null,
    expires_at: live ? iso(expiresAt) : null,
    credits_used: roundCredits(sessionCredits(s, now)),
    max_credits: s.max_credits,
    rate_credits_per_min: s.rate_credits_per_min,
    ws_url: live && s.started_at !== null ? wsUrl : null,
    metadata: s.metadata,
    host: s.host ?? null,
    link: live && s.link ? { state: s.link.state, deadline: iso(s.link.deadline) } : null,
  };
}
