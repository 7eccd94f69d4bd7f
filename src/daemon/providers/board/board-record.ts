// A board session as the core keeps it: the shared record plus the board, the idle window and the meter's inputs.
import type { BoardSessionState } from '../../../transport/protocol/api.js';
import type { CoreRecord } from '../../sessions/record.js';
import { creditsAt, type Metered } from './board-meter.js';

export interface BoardRecord extends CoreRecord, Metered {
  kind: 'board';
  state: BoardSessionState;
  board_type: string;
  /** Asked for a specific board (board_id in the request) rather than any board of the type. */
  wants_board_id: string | null;
  /** The board it holds: here (the same as `resource`), or on the host of a mirrored session. */
  board_id: string | null;
  idle_timeout_s: number;
  /** When the session last became idle (no serial client); null while active or not started. */
  idle_since: number | null;
  /** When the board's port went away; the session survives that for the re-enumeration grace. */
  board_lost_at: number | null;
  /** When its user switched the board's power off (`fbay power off`): a board away meanwhile is not lost. */
  power_off_at?: number | null;
  /** A pending session gives up waiting for a board at this instant. */
  wait_until: number | null;
  /** The tier's cap on a session's length, fixed at create. */
  max_session_s: number | null;
  /** A mirrored session's meter, as the remote host reports it (it is the one that charges). */
  upstream_credits: number | null;
  /** Clients holding the reservation for a command's length (`fbay exec`'s guard stream): no idle countdown then. */
  held?: number;
  /** A mirrored session's account balance on its host (the one it is charged to); null: unmetered or not known. */
  upstream_balance?: number | null;
  /** A mirrored session's cap as its host reports it (`expires_at` there). */
  upstream_expires_at?: number | null;
  /** The joined host its board is on (a coordinator's session; it is metered here, unlike a mirror's). */
  board_host?: string | null;
}

/**
 * Credits a session has used by t. A mirror's host is the one that charges: its last report stands, and while the
 * session lives the same formula, from the same started_at and rate, carries it forward between reports.
 */
export function sessionCredits(s: BoardRecord, t: number): number {
  if (!s.host) return creditsAt(s, t);
  const reported = s.upstream_credits ?? 0;
  return s.ended_at !== null ? reported : Math.max(reported, creditsAt(s, t));
}

/** The instant a session will be ended by its cap, if nothing ends it sooner. */
export function capInstant(s: BoardRecord): number | null {
  if (s.started_at === null) return null;
  return s.max_session_s === null ? null : s.started_at + s.max_session_s * 1000;
}

export function idleDeadline(s: BoardRecord): number | null {
  if ((s.held ?? 0) > 0) return null;
  return s.state === 'idle' && s.idle_since !== null ? s.idle_since + s.idle_timeout_s * 1000 : null;
}
