// Where a coordinator keeps its joined hosts — who they are, their boards, when they were last heard — behind one
// small interface: the embedded file store below implements it today, a PostgreSQL store can tomorrow.
import type { TunnelBoard } from '../../transport/tunnel/messages.js';

/** A board a joined host offers, under the id the coordinator lists it by. */
export interface JoinedBoard extends TunnelBoard {
  /** The host's own id for it (a virtual board's differs: the coordinator puts the host's name in front). */
  local_id: string;
}

export interface HostRecord {
  name: string;
  /** The fbay version the host runs (from its last hello). */
  version: string | null;
  boards: JoinedBoard[];
  first_seen_at: number;
  /** When its current (or last) connection came up. */
  connected_at: number | null;
  /** When that connection went down; null while it is up. */
  disconnected_at: number | null;
  /** The last frame heard from it: the instant its sessions are charged up to if it does not come back. */
  last_heartbeat_at: number | null;
}

export interface Refusal {
  /** The coordinator's id of the board. */
  id: string;
  /** The host that holds that id. */
  holder: string;
}

export interface HostStore {
  /** Every host known, after a start. */
  load(): Promise<HostRecord[]>;
  /**
   * A host's registration, as one step: its boards take their ids unless another host holds one — a host holds its
   * ids while it is connected, and while a live session is on the board — and those are refused. Durable once resolved.
   */
  register(name: string, version: string, boards: JoinedBoard[], at: number): Promise<{ record: HostRecord; refused: Refusal[] }>;
  /** The host's link came up (`connected_at`) or went down (`disconnected_at`). Durable once resolved. */
  link(name: string, patch: Pick<Partial<HostRecord>, 'connected_at' | 'disconnected_at' | 'last_heartbeat_at'>): Promise<void>;
  /** The host was heard at `at`. Written lazily: a crash may lose the last few seconds of it, never more. */
  heartbeat(name: string, at: number): void;
  close(): Promise<void>;
}
