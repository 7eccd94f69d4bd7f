// The session store: asynchronous, with allocation as one atomic step, so another engine (PostgreSQL) is a new
// implementation of this interface, not a rewrite of the core.
import type { EventEmitter } from 'node:events';
import type { AccountSnapshot } from '../accounts.js';
import type { UsageEntry } from '../quota-usage.js';
import type { CoreRecord } from '../record.js';

/**
 * What a write carries. A session's snapshot has `rev` one above the revision it was read at: a shared store applies it
 * only if the stored one is still that (the embedded ones always apply). An account or usage record may say what
 * changed (`delta`, `add`) so that a store shared by several coordinators applies the change, not a stale snapshot.
 */
export type StoreRecord =
  | { t: 's'; s: CoreRecord }
  | { t: 'a'; a: AccountSnapshot; delta?: AccountDelta }
  | { t: 'u'; u: UsageEntry; add?: number };

export type AccountDelta =
  /** Credits added (`fbay keys credit`). */
  | { credit: number }
  /** An ended session's charge: one ledger row, in the same step as the session's end. */
  | { charge: number; session: string; at: number };

export interface StoreSnapshot {
  /** Every session kept, oldest first. */
  sessions: CoreRecord[];
  accounts: AccountSnapshot[];
  usage: UsageEntry[];
}

/** What creating a session claims, checked and taken in the same step as recording it. */
export interface Claim {
  /** Resources that would fit, in order of preference: the first no live session holds is taken. null: none needed. */
  resources: readonly string[] | null;
  /** With no free resource: record it anyway, waiting (first come, first served), rather than refuse. */
  queue: boolean;
  /** The account's concurrency rule for the kind: at most `max` of its own sessions of the kind in `states`. */
  limit: { max: number; states: readonly string[] } | null;
}

export type InsertResult =
  /** Recorded (durably), with the resource claimed, or waiting for one. */
  | { outcome: 'created'; session: CoreRecord }
  /** The same account and Idempotency-Key recorded a session before: that one (durable too). */
  | { outcome: 'existing'; session: CoreRecord }
  /** The account is at its limit: these are the sessions that count. */
  | { outcome: 'limit'; counted: CoreRecord[] }
  /** A live session holds one of the names the new one's `holds` lists. */
  | { outcome: 'held'; name: string; holder: CoreRecord }
  /** Nothing free and `queue` was false. */
  | { outcome: 'no_resource' };

/** Whether a write was applied; when another writer changed the session first, what it holds now. */
export type WriteOutcome = { applied: true } | { applied: false; current: CoreRecord | null };

/** What a shared store tells of changes other coordinators made (ids only: the core reads them again). */
export interface StoreChanges {
  session: [id: string];
  account: [name: string];
  /** API keys changed. */
  keys: [];
  /** The store lost its change feed for a while: anything may have changed. */
  resync: [];
}

export interface SessionStore {
  /** Everything kept, after a start. */
  load(): Promise<StoreSnapshot>;
  /** Records a new session together with its claim (limit, idempotency key, held names, resource) as one step. */
  insert(session: CoreRecord, claim: Claim): Promise<InsertResult>;
  /** Takes the first free one of `resources` for a waiting session and records it; null when none is free. */
  assign(session: CoreRecord, resources: readonly string[]): Promise<string | null>;
  /** Writes snapshots that belong together in one step; durable once it resolves. */
  write(records: StoreRecord[]): Promise<WriteOutcome>;
  /** Replaces what is kept by exactly this (dropping what compaction let go). */
  compact(snapshot: StoreSnapshot): Promise<void>;
  close(): Promise<void>;
  /**
   * Answers the writes whose commit another thread finished (the journal's writer). The daemon calls it at every
   * request it reads, so that an answer leaves once its lines are on disk, not after every socket ready meanwhile.
   */
  poll?(): void;

  // ——— only stores that several coordinators share ———
  /** Changes made elsewhere; an embedded store has none. */
  readonly changes?: EventEmitter<StoreChanges>;
  /** One session as stored now (one this coordinator has not seen, or one another changed); null: none. */
  read?(id: string, options?: { othersOnly?: boolean }): Promise<CoreRecord | null>;
  /** An account and its usage rows as stored now. */
  readAccount?(name: string): Promise<{ account: AccountSnapshot | null; usage: UsageEntry[] }>;
  /** The core took the stored record as its own again: writes it made before that are refused from now on. */
  rebase?(id: string): void;
  /** Live sessions this coordinator has not seen (after a lost change feed). */
  live?(): Promise<CoreRecord[]>;
  /**
   * Makes this coordinator the one that runs a live session another ran, written onto the revision `s` was read at
   * with `patch` (its new resource, say) applied; null when it changed meanwhile, ended, or the new resource is held.
   */
  takeOver?(s: CoreRecord, patch: Partial<CoreRecord>): Promise<CoreRecord | null>;
}
