// What a kind of session declares to the core: its state machine, deadlines, meter, limits and API view.
import type { WarningKind } from '../../transport/protocol/api.js';
import type { Lifecycle } from './lifecycle.js';
import type { CoreRecord } from './record.js';
import type { KindLimits } from './tiers.js';

/** What firing a deadline does: end the session (into the kind's final state for that reason), or move it. */
export type DeadlineAction<S extends string = string> =
  | { end: string }
  | { to: S };

/** One instant the core acts on, recomputed from the record after every change (nothing ticks). */
export interface Deadline<S extends string = string> {
  /** Unique within the session: `idle`, `cap`, `ttl`, … */
  name: string;
  at: number;
  action: DeadlineAction<S>;
  /** A warning `lead_ms` before, never before `opened` (a window shorter than the lead is warned about as it opens). */
  warn?: { kind: WarningKind; lead_ms: number; opened: number };
}

/** How the account's limits apply to this kind: how many may be live at once, counted in which states. */
export interface ConcurrencyRule {
  max: number;
  /** States that count toward `max` (a queued browser counts; a sandbox in deep sleep does not). */
  states: readonly string[];
}

export interface ViewContext {
  now: number;
  /** 1-based place in the first-come queue while waiting for a resource. */
  queuePosition: number | null;
}

export interface SessionKind<R extends CoreRecord = CoreRecord> {
  kind: string;
  lifecycle: Lifecycle<R['state']>;
  /** The state a session ends in for `reason` (e.g. `expired` for a sandbox's TTL, `failed` for a browser crash). */
  finalState(reason: string): R['state'];
  /** The state a session waiting for a resource is in (pending, queued); absent for kinds that never wait. */
  waiting?: R['state'];
  /** The state it moves to once the store has claimed it a resource (allocating, assigning). */
  claimed?: R['state'];
  /** Whether a new session is past its transient states (a create answers then). Default: always. */
  settled?(s: R): boolean;
  /** The state it moves to once its provider has brought the resource up (idle, ready, active). */
  started(s: R): R['state'];
  /** The refusal when the account is at its concurrency limit; `counted` are the sessions that count. */
  limitError(account: string, counted: readonly R[], limits: KindLimits): Error;
  /** The state `finish` passes through while the provider stops the resource (a browser's `ending`); absent: none. */
  ending?: R['state'];
  /** Whether an end for `reason` passes through `ending` (default: yes). */
  endsThrough?(reason: string): boolean;
  /** Fields a move into `to` at `at` sets (an idle board's idle_since, a sandbox's billed time). */
  entering?(s: R, to: R['state'], at: number): Partial<R>;
  /** Its deadlines now, from its fields alone. */
  deadlines(s: R): Deadline[];
  /** Credits used by instant t (board and sandbox sessions); absent for kinds metered otherwise. */
  credits?(s: R, t: number): number;
  /** Credits per minute it is being charged at now (bounds the account's exhaustion search). */
  creditRate?(s: R): number;
  /** A monthly quota of time (browser hours): how much an account has, which sessions accrue it, and since when. */
  quota?: {
    limitMs(limits: KindLimits): number | null;
    /** When the session started accruing (null: not yet); it accrues until it ends. */
    since(s: R): number | null;
    /** Why the session ends when the quota runs out. */
    endReason: string;
    /** The refusal of a create once the month's quota is used up. */
    exceeded(account: string, usedMs: number, limits: KindLimits, now: number): Error;
  };
  /** Live sessions of this kind cannot outlive the daemon (a browser dies with it): a restart ends them too. */
  endsWithDaemon?: boolean;
  /** Live sessions of this kind are kept by every daemon stop, even one that ends the others (a sandbox sleeps, files kept). */
  outlivesDaemon?: boolean;
  /** The concurrency rule for an account with these limits. */
  concurrency(limits: KindLimits): ConcurrencyRule;
  /** The record as the API shows it. */
  view(s: R, ctx: ViewContext): unknown;
  /** After a daemon restart: how a live record resumes (an active board goes idle, a live browser has failed). */
  restored?(s: R, now: number): Partial<R>;
}
