// The fbay v1 HTTP API's resource shapes, shared by the CLI and the daemon (DESIGN.md §4).

export const BOARD_SESSION_STATES = ['pending', 'allocating', 'idle', 'active', 'ended'] as const;
export type BoardSessionState = (typeof BOARD_SESSION_STATES)[number];

export const END_REASONS = [
  'user_ended',
  'idle_timeout',
  'credits_exhausted',
  'max_duration',
  'board_lost',
  'allocation_failed',
  'host_shutdown',
  'upstream_lost',
] as const;
export type EndReason = (typeof END_REASONS)[number];

export const WARNING_KINDS = ['idle_warning', 'credits_low', 'duration_warning'] as const;
export type WarningKind = (typeof WARNING_KINDS)[number];

export type Metadata = Record<string, string>;

export interface Session {
  id: string;
  kind: 'board';
  state: BoardSessionState;
  board_type: string;
  board_id: string | null;
  account: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  end_reason: EndReason | null;
  idle_timeout_s: number;
  idle_deadline: string | null;
  /** Set while the board is unplugged or re-enumerating: the session ends with board_lost if it is not back by grace_deadline. */
  board_missing_since: string | null;
  grace_deadline: string | null;
  /** When a capped tier or a max_credits budget will end the session, if nothing else does first. */
  expires_at: string | null;
  credits_used: number;
  max_credits: number | null;
  rate_credits_per_min: number;
  ws_url: string | null;
  metadata: Metadata;
  /** null: a board on this host; else the name of the remote fbay host the session is mirrored from. */
  host: string | null;
  /** For a mirrored session: its link to the remote host, `reconnecting` until `deadline` after a network drop. */
  link: { state: 'open' | 'reconnecting'; deadline: string | null } | null;
}

export interface CreateSessionRequest {
  board_type?: string;
  board_id?: string;
  metadata?: Metadata;
  idle_timeout_s?: number;
  wait_s?: number;
  max_credits?: number;
}

export type BoardState = 'available' | 'reserved' | 'offline';

export interface Board {
  id: string;
  type: string;
  name: string;
  state: BoardState;
  rate_credits_per_min: number;
  serial: {
    path: string;
    vid: string | null;
    pid: string | null;
    serial_number: string | null;
    manufacturer: string | null;
    product: string | null;
    /** USB topology, e.g. 1-1.4. */
    location: string | null;
  };
  session_id: string | null;
}

export interface TierLimits {
  max_concurrent: number;
  max_session_s: number | null;
  initial_credits: number | null;
}

export interface Account {
  account: string;
  tier: string;
  /** null: unmetered (usage is still recorded in credits_used_total). */
  balance_credits: number | null;
  credits_used_total: number;
  limits: TierLimits;
}

export interface Health {
  version: string;
  pid: number;
  uptime_s: number;
  socket: string;
  listeners: string[];
}

export interface SessionList {
  sessions: Session[];
}

export interface BoardList {
  boards: Board[];
}

export interface ErrorBody {
  error: string;
  code: string;
  [extra: string]: unknown;
}
