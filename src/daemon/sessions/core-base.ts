// The core's bookkeeping every operation shares: the records, their moves through each kind's table, persistence,
// events, deadlines and the settling of an ended session's credits and quota time.
import { EventEmitter } from 'node:events';
import type { WarningKind } from '../../transport/protocol/api.js';
import { AccountBook } from './accounts.js';
import { DeadlineScheduler } from './deadline-scheduler.js';
import { CoreDeadlines, type DeadlineTarget } from './deadlines.js';
import type { CoreDeps } from './core-deps.js';
import type { CoreEvents } from './events.js';
import type { DeadlineAction, SessionKind } from './kind.js';
import { assertMove, canMove, isFinal } from './lifecycle.js';
import { PeerProvider, type Provider } from './provider.js';
import { QuotaUsage } from './quota-usage.js';
import type { CoreRecord } from './record.js';
import { ResourceNames } from './resource-names.js';
import type { StoreRecord } from './store/store.js';
import { WaitQueue } from './wait-queue.js';
import { SessionTable } from './session-table.js';

export type { CoreDeps };

export const LOCAL_ACCOUNT = 'local';

export abstract class CoreBase extends EventEmitter<CoreEvents> implements DeadlineTarget {
  protected readonly sessions: SessionTable = new SessionTable((s) => this.isLive(s));
  protected readonly queue = new WaitQueue();
  protected readonly scheduler: DeadlineScheduler;
  protected readonly deadlines: CoreDeadlines;
  protected readonly kinds = new Map<string, SessionKind>();
  readonly accounts: AccountBook;
  readonly usage = new QuotaUsage();
  /** After shutdown nothing changes: a daemon stopping for a restart must not end what it keeps. */
  protected stopped = false;
  protected writes = 0;
  /** Each session's latest write, until it is durable; ends under way through a kind's `ending` state. */
  private readonly lastWrite = new Map<string, Promise<void>>();
  /** Another coordinator's sessions: mirrored here, their resources run there. */
  private readonly peer = new PeerProvider();
  readonly names: ResourceNames;
  private readonly endings = new Map<string, Promise<void>>();

  constructor(protected readonly deps: CoreDeps) {
    super();
    // Every SSE stream and console subscribes: the count is the number of clients, not a leak.
    this.setMaxListeners(0);
    for (const k of deps.kinds) this.kinds.set(k.kind, k);
    this.scheduler = new DeadlineScheduler(deps.clock);
    this.deadlines = new CoreDeadlines(this.scheduler, this);
    this.accounts = new AccountBook(() => deps.tiers());
    this.names = new ResourceNames(deps.coordinator ?? null);
  }

  now(): number {
    return this.deps.clock.now();
  }

  kindOf(s: CoreRecord): SessionKind {
    const kind = this.kinds.get(s.kind);
    if (!kind) throw new Error(`bug: no kind '${s.kind}' is registered`);
    return kind;
  }

  /** Whether this daemon runs the session's provider (always, unless several coordinators share the store). */
  runsHere(s: CoreRecord): boolean {
    return !s.coordinator || s.coordinator === this.deps.coordinator;
  }

  /** Another coordinator's session has its deadlines acted on here only if its owner has not done so by then. */
  lag(s: CoreRecord): number {
    return this.runsHere(s) ? 0 : (this.deps.peerLagMs ?? 1000);
  }

  protected providerOf(s: CoreRecord): Provider {
    if (!this.runsHere(s)) return this.peer;
    const provider = s.host ? this.deps.remote : this.deps.providers[s.kind];
    if (!provider) throw new Error(`bug: no provider for ${s.host ? 'mirrored' : s.kind} sessions`);
    return provider;
  }

  isLive(s: CoreRecord): boolean {
    return !isFinal(this.kindOf(s).lifecycle, s.state);
  }

  // ——— changes ———

  /** Writes a session's snapshot (with what belongs with it); resolves once durable. */
  protected persist(s: CoreRecord, extra: StoreRecord[] = []): Promise<void> {
    this.writes++;
    s.rev = (s.rev ?? 0) + 1;
    const written = this.deps.store.write([{ t: 's', s }, ...extra]).then(
      (outcome) => (outcome.applied ? undefined : this.lost(s, outcome.current)),
      (err: Error) => this.deps.log(`store: could not record ${s.id}: ${err.message}`),
    );
    this.lastWrite.set(s.id, written);
    void written.then(() => this.lastWrite.get(s.id) === written && this.lastWrite.delete(s.id));
    return written;
  }

  /** Another coordinator changed the session first: its write is the one kept (a shared store only). */
  protected lost(_s: CoreRecord, _current: CoreRecord | null): void {}

  /** Resolves once the session's latest snapshot is durable. */
  protected durable(s: CoreRecord): Promise<void> {
    return this.lastWrite.get(s.id) ?? Promise.resolve();
  }

  /** Persists, re-arms and announces a change; resolves once durable. */
  changed(s: CoreRecord): Promise<void> {
    const durable = this.persist(s);
    if (this.isLive(s)) this.deadlines.arm(s, this.kindOf(s));
    this.emit('event', { type: 'state', session: this.view(s) as never });
    return durable;
  }

  /** Changes a live session's fields (no state change); its deadlines and the account's follow. */
  apply(s: CoreRecord, patch: Record<string, unknown>): Promise<void> {
    Object.assign(s, patch);
    const durable = this.changed(s);
    if (this.kindOf(s).credits) this.meter(s);
    this.armAccount(s.account);
    return durable;
  }

  /** Moves a session through its kind's table (the one place transitions are enforced). */
  move(s: CoreRecord, to: string, patch: Record<string, unknown> = {}, at = this.now()): Promise<void> {
    const kind = this.kindOf(s);
    assertMove(s.id, kind.lifecycle, s.state, to);
    const from = s.state;
    Object.assign(s, patch, kind.entering?.(s, to, at) ?? {});
    s.state = to;
    const durable = this.changed(s);
    if (kind.credits) this.meter(s);
    this.armAccount(s.account);
    this.providerOf(s).entered(s, from);
    return durable;
  }

  /** Ends a session for `reason` at `at`: through its kind's `ending` state (waiting for the provider) when it has one. */
  finish(s: CoreRecord, reason: string, at = this.now(), patch: Record<string, unknown> = {}): Promise<void> {
    if (!this.isLive(s) || this.stopped) return Promise.resolve();
    // Already winding down: a second end (a DELETE, a deadline) waits for that one rather than cutting it short.
    if (this.endings.has(s.id)) return this.endings.get(s.id)!;
    const kind = this.kindOf(s);
    const final = kind.finalState(reason);
    this.queue.remove(s.id);
    if (kind.ending && s.state !== kind.ending && (kind.endsThrough?.(reason) ?? true) && canMove(kind.lifecycle, s.state, kind.ending)) {
      void this.move(s, kind.ending, { ...patch, end_reason: reason }, at);
      const ending = this.providerOf(s)
        .stop(s, reason)
        .catch((err: Error) => (this.deps.log(`session ${s.id}: stopping failed: ${err.message}`), {}))
        .then((stopped) => this.settle(s, final, reason, this.now(), stopped))
        .finally(() => this.endings.delete(s.id));
      return this.endings.set(s.id, ending).get(s.id)!;
    }
    const done = this.settle(s, final, reason, at, patch);
    // Ended already; what stopping finds out afterwards (a failed browser's artifacts so far) is recorded too.
    void this.providerOf(s)
      .stop(s, reason)
      .then((late) => {
        if (Object.keys(late).length === 0) return;
        Object.assign(s, late);
        void this.changed(s);
      })
      .catch((err: Error) => this.deps.log(`session ${s.id}: stopping failed: ${err.message}`));
    return done;
  }

  /** The last move: into a final state, with the account charged and quota time booked in the same write. */
  private settle(s: CoreRecord, final: string, reason: string, at: number, patch: Record<string, unknown>): Promise<void> {
    if (!this.isLive(s)) return Promise.resolve();
    const kind = this.kindOf(s);
    assertMove(s.id, kind.lifecycle, s.state, final);
    Object.assign(s, patch, kind.entering?.(s, final, at) ?? {});
    s.state = final;
    s.ended_at = at;
    s.end_reason = reason;
    s.link = null;
    this.deadlines.disarm(s);
    const extra: StoreRecord[] = [];
    if (kind.credits) {
      // A mirrored session is charged by its host; only this host's sessions are settled here.
      const charge = s.host ? 0 : kind.credits(s, at);
      extra.push({ t: 'a', a: this.accounts.settle(s.account, charge), delta: { charge, session: s.id, at } });
    }
    const since = kind.quota?.since(s) ?? null;
    if (since !== null && !s.host) extra.push(...this.usage.add(s.account, s.kind, since, at));
    const durable = this.persist(s, extra);
    const session = this.view(s) as never;
    this.emit('event', { type: 'state', session });
    if (kind.credits) this.meter(s);
    this.emit('event', { type: 'ended', session_id: s.id, reason, session });
    this.armAccount(s.account);
    this.released(s);
    return durable;
  }

  /** A session has ended and freed what it held: waiting sessions may now fit. */
  protected released(_s: CoreRecord): void {}

  fire(s: CoreRecord, action: DeadlineAction, at: number): void {
    if (!this.isLive(s) || this.stopped) return;
    if ('end' in action) void this.finish(s, action.end, at);
    else if (canMove(this.kindOf(s).lifecycle, s.state, action.to)) void this.move(s, action.to, {}, at);
  }

  warn(s: CoreRecord, kind: WarningKind, endsAt: number): void {
    const now = this.now();
    if (!this.isLive(s) || endsAt <= now) return;
    this.emit('event', { type: 'warning', kind, session_id: s.id, at: new Date(endsAt).toISOString(), seconds_left: Math.round((endsAt - now) / 1000) });
  }

  /** After a restart: arms a live session's deadlines again. */
  rearm(s: CoreRecord): void {
    this.deadlines.arm(s, this.kindOf(s));
  }

  /** An account's live sessions (every kind, here and mirrored). */
  live(account: string): CoreRecord[] {
    return this.sessions.live(account);
  }

  view(s: CoreRecord): unknown {
    const kind = this.kindOf(s);
    const position = kind.waiting === undefined ? null : this.queue.position(s.id, (id) => this.sessions.get(id)?.kind === s.kind);
    return kind.view(s, { now: this.now(), queuePosition: position });
  }

  /** Re-arms an account's credit and quota deadlines (the accounts layer does it). */
  protected abstract armAccount(account: string): void;
  protected abstract meter(s: CoreRecord): void;
}
