// The fbay v1 HTTP API's resource shapes, shared by the CLI and the daemon (DESIGN.md §4).

/** Every session has one (DESIGN §3); `GET /v1/sessions?kind=` takes them, and `fbay session list --kind`. */
export const SESSION_KINDS = ['board', 'browser', 'sandbox'] as const;
export type SessionKindName = (typeof SESSION_KINDS)[number];

export const BOARD_SESSION_STATES = ['pending', 'allocating', 'idle', 'active', 'flashing', 'ended'] as const;
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
  'host_lost',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/** `quota_low`: a minute of the account's monthly browser hours is left. */
export const WARNING_KINDS = ['idle_warning', 'credits_low', 'duration_warning', 'quota_low'] as const;
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
  /** null: a board on this host; else the remote fbay host the session is mirrored from, or (on a coordinator) the
   *  joined host its board is on. */
  host: string | null;
  /** For a mirrored session (or one on a joined host): its link to that host, `reconnecting` until `deadline` after
   *  a network drop. */
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

export type BoardState = 'available' | 'reserved' | 'flashing' | 'offline';

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
  /** How fbay switches the board's power (`fbay power`), and how it last left it; control null: it cannot. */
  power?: { control: 'argv' | 'uhubctl' | 'virtual' | null; state: 'on' | 'off' };
  /** How fbay flashes it (`rom`: esptool's protocol; `command`: its entry's flash_command) and the most one upload may
   *  carry, which a client checks before sending; null: fbay cannot flash it. */
  flash?: { method: 'rom' | 'command'; max_bytes: number } | null;
  /** Why the board is `flashing` with no session (its on_end restore) or `offline` (a restore that failed); else null. */
  reason?: string | null;
  /** The joined host the board is on (a coordinator's listing); null: this machine. */
  host: string | null;
  /** On a coordinator's listing, a board another coordinator of its database offers (a create is passed there). */
  coordinator?: string;
}

export interface TierLimits {
  max_concurrent: number;
  max_session_s: number | null;
  initial_credits: number | null;
}

export interface BrowserPlanLimits {
  name: string;
  max_concurrent: number;
  /** null: no monthly quota. */
  monthly_hours: number | null;
}

export interface SandboxPlanLimits {
  name: string;
  max_live: number;
  max_ttl_s: number;
  overrides: boolean;
}

export interface Account {
  account: string;
  tier: string;
  /** null: unmetered (usage is still recorded in credits_used_total). */
  balance_credits: number | null;
  credits_used_total: number;
  /** Board sessions' limits. */
  limits: TierLimits;
  /** The plans the tier gives for the other kinds. */
  plans: { browser: BrowserPlanLimits; sandbox: SandboxPlanLimits };
}

export interface Health {
  version: string;
  pid: number;
  uptime_s: number;
  socket: string;
  listeners: string[];
  /** A coordinator on PostgreSQL: its name. */
  coordinator?: string;
  /** A coordinator's board hosts in the shared database, each with its boards. */
  fleet?: FleetHost[];
}

/** A board host as a coordinator on PostgreSQL records it (the fleet every coordinator shares). */
export interface FleetHost {
  name: string;
  coordinator_id: string | null;
  last_heartbeat_at: string | null;
  link_state: string;
  version: string | null;
  boards: string[];
}

export interface SessionList {
  sessions: Session[];
  /** Hosts whose sessions would be listed too but that did not answer (a default remote's sandboxes): why. */
  errors?: { host: string; code: string; error: string }[];
}

export interface BoardList {
  boards: Board[];
}

export interface ErrorBody {
  error: string;
  code: string;
  [extra: string]: unknown;
}

/** A board host joined to this coordinator (`GET /v1/hosts`, `fbay daemon status`). */
export interface HostStatus {
  name: string;
  /** `open`: connected; `reconnecting`: dropped, within its grace; `away`: not connected. */
  link: 'open' | 'reconnecting' | 'away';
  version: string | null;
  boards: number;
  board_ids: string[];
  /** Live sessions on its boards. */
  sessions: number;
  /** Browsers it runs at once for this coordinator, while connected (0: none). */
  browsers: number;
  /** Sandboxes it runs at once for this coordinator, while connected (0: none). */
  sandboxes: number;
  last_heartbeat_at: string | null;
  connected_at: string | null;
  disconnected_at: string | null;
  /** While reconnecting: when its sessions end (`host_lost`) unless it is back. */
  grace_deadline: string | null;
}

/** This daemon's own tunnel to a coordinator (`fbay daemon start --join`). */
export interface JoinStatus {
  url: string;
  /** The name the coordinator knows this host by (its key's). */
  host: string | null;
  state: 'connecting' | 'open' | 'reconnecting' | 'refused';
  /** Why the coordinator refused it, or why the last connection dropped. */
  error: string | null;
  boards: number;
  /** Boards the coordinator refused, with why. */
  refused: Array<{ id: string; reason: string }>;
  sessions: number;
}

export interface HostList {
  hosts: HostStatus[];
  join: JoinStatus | null;
}
