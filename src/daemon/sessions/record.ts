// The session record every kind shares (epoch-millisecond timestamps), and session ids (DESIGN §3).
import { randomInt } from 'node:crypto';
import type { Metadata } from '../../transport/protocol/api.js';

export interface LinkState {
  state: 'open' | 'reconnecting';
  /** While reconnecting: the instant the session ends if the link is not back. */
  deadline: number | null;
}

/** What the core knows of every session; a kind's record adds its own fields beside these. */
export interface CoreRecord {
  id: string;
  kind: string;
  account: string;
  state: string;
  created_at: number;
  ended_at: number | null;
  end_reason: string | null;
  metadata: Metadata;
  idempotency_key: string | null;
  request_hash: string | null;
  /** The resource the store claimed for it (a board id, a browser slot); null until it has one, or for kinds without. */
  resource: string | null;
  /**
   * Names no other live session may hold at the same time (a browser profile), claimed with the insert and let go
   * when it ends; absent: none.
   */
  holds?: readonly string[];
  /** The remote fbay host it is mirrored from; null for this host's own sessions. */
  host: string | null;
  /** A mirrored session's link to its host. */
  link: LinkState | null;
  /** Writes so far (absent: none since it was recorded): a shared store applies a write only onto the one before it. */
  rev?: number;
  /** The coordinator that runs its provider, when several share a store; absent or null: this daemon's own. */
  coordinator?: string | null;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const SESSION_ID_PATTERN = /^ses_[A-Za-z0-9]{24}$/;

export function newSessionId(): string {
  let id = 'ses_';
  for (let i = 0; i < 24; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

export const iso = (t: number | null | undefined): string | null => (t == null ? null : new Date(t).toISOString());
