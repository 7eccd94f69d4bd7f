// The session engine: reservations, the lifecycle, the meter and the limits for board sessions (DESIGN §3).
import { EventEmitter } from 'node:events';
import type { Account, CreateSessionRequest, EndReason, Session, WarningKind } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { EngineEvent, MeterEvent } from '../../transport/protocol/events.js';
import type { TierConfig } from '../../shared/config-keys.js';
import type { JournalRecord, SessionStore } from '../store/journal.js';
import { AccountBook, type AccountSettings } from './accounts.js';
import type { Clock } from '../../shared/clock.js';
import { DeadlineScheduler } from './deadline-scheduler.js';
import { IdempotencyIndex, requestHash } from './idempotency.js';
import { assertTransition, isLive } from './lifecycle.js';
import { creditsAt, instantReaching, roundCredits } from './meter.js';
import { capInstant, newSessionId, sessionCredits, toApiSession, type SessionRecord } from './session-record.js';
import { SessionTimers } from './session-timers.js';
import { BoardAllocator, type BoardSource, type PortOpener } from './board-allocator.js';
import { MirrorSessions } from './mirror-sessions.js';

export interface EngineSettings {
  idle_timeout_s: number;
  /** How long a session keeps its reservation while its board is unplugged or re-enumerating. */
  board_grace_s: number;
  tiers: Record<string, TierConfig>;
  account: AccountSettings;
}

export interface EngineDeps {
  clock: Clock;
  store: SessionStore;
  boards: BoardSource;
  ports: PortOpener;
  settings(): EngineSettings;
  /** The serial WebSocket URL a session's account reaches it at (the owner's Unix socket, or the TCP listener). */
  wsUrlFor(sessionId: string, account: string): string;
  /** How many ended sessions `session list --all` keeps across restarts. */
  keepEnded?: number;
}

export const LOCAL_ACCOUNT = 'local';
const COMPACT_AFTER = 20_000;

export class SessionEngine extends EventEmitter<{ event: [EngineEvent] }> {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly idempotency = new IdempotencyIndex();
  private readonly scheduler: DeadlineScheduler;
  private readonly timers: SessionTimers;
  private readonly allocator: BoardAllocator;
  readonly accounts: AccountBook;
  /** Sessions of remote hosts held here (daemon/remote drives them). */
  readonly mirrors: MirrorSessions;

  /** Journal writes since the last compaction; past COMPACT_AFTER the journal is rewritten from memory. */
  private appends = 0;
  /** After shutdown nothing changes: a daemon stopping for a restart must not end what it keeps. */
  private stopped = false;

  constructor(private readonly deps: EngineDeps) {
    super();
    // Every SSE stream and console subscribes: the count is the number of clients, not a leak.
    this.setMaxListeners(0);
    this.scheduler = new DeadlineScheduler(deps.clock);
    this.timers = new SessionTimers(this.scheduler, {
      end: (s, reason, at) => this.finish(s, reason, at),
      warn: (s, kind, endsAt) => this.warn(s, kind, endsAt),
    });
    this.accounts = new AccountBook(() => deps.settings().tiers);
    this.mirrors = new MirrorSessions({
      sessions: this.sessions,
      now: () => this.now(),
      settings: () => deps.settings(),
      ports: deps.ports,
      remember: (account, key, hash, id) => this.idempotency.remember(account, key, hash, id),
      changed: (s) => this.changed(s),
      persist: (records) => this.persist(records),
      meter: (s) => this.meter(s),
      warn: (s, kind, endsAt) => this.warn(s, kind, endsAt),
      finish: (s, reason, at) => this.finish(s, reason, at),
      arm: (s) => this.timers.arm(s),
      view: (s) => this.view(s),
    });
    this.allocator = new BoardAllocator(deps.boards, deps.ports, {
      started: (s) => this.started(s),
      reopened: (s) => this.boardBack(s.id),
      // A started session whose board does not open (after a restart) gets the grace a vanished board gets.
      failed: (s, reason, at) => (reason === 'board_lost' ? this.boardMissing(s.id) : this.finish(s, reason, at)),
      changed: (s) => this.changed(s),
      now: () => deps.clock.now(),
    });
  }

  private now(): number {
    return this.deps.clock.now();
  }

  // ——— reading ———

  view(s: SessionRecord): Session {
    const expires = [capInstant(s), s.max_credits === null ? null : instantReaching(s, s.max_credits)]
      .filter((t): t is number => t !== null);
    return toApiSession(s, this.now(), this.deps.wsUrlFor(s.id, s.account), expires.length ? Math.min(...expires) : null, this.graceDeadline(s));
  }

  private graceDeadline(s: SessionRecord): number | null {
    return s.board_lost_at == null ? null : s.board_lost_at + this.deps.settings().board_grace_s * 1000;
  }

  /** The session if `account` may see it; 404 otherwise, so ids never leak across accounts. */
  find(account: string, id: string): SessionRecord {
    const s = this.sessions.get(id);
    if (!s || s.account !== account) {
      throw new ApiError('not_found', `No session ${id}. List yours with \`fbay session list --all\`.`);
    }
    return s;
  }

  list(account: string, all = false): SessionRecord[] {
    return [...this.sessions.values()].filter((s) => s.account === account && (all || isLive(s.state)));
  }

  /** The account a session belongs to, if the session exists. */
  ownerOf(id: string): string | undefined {
    return this.sessions.get(id)?.account;
  }

  liveSessions(account: string): SessionRecord[] {
    return this.list(account, false);
  }

  /** Live sessions on this host's own boards: what limits and the local meter count (a mirror's host counts its own). */
  private localLive(account: string): SessionRecord[] {
    return this.liveSessions(account).filter((s) => !s.host);
  }

  account(name: string): Account {
    const usage = this.localLive(name).reduce((sum, s) => sum + creditsAt(s, this.now()), 0);
    return this.accounts.view(name, usage);
  }

  /** board id → the session holding it. */
  holders(): ReadonlyMap<string, string> {
    return this.allocator.holders;
  }

  // ——— creating ———

  async create(account: string, req: CreateSessionRequest, idempotencyKey: string | null): Promise<Session> {
    const hash = requestHash(req);
    if (idempotencyKey) {
      const earlier = this.idempotency.lookup(account, idempotencyKey, hash);
      if (earlier) return this.view(await this.allocator.settled(this.sessions.get(earlier)!));
    }
    const board = this.allocator.resolve(req);
    const limits = this.accounts.limits(account);
    const live = this.localLive(account);
    if (live.length >= limits.max_concurrent) {
      const ids = live.map((s) => s.id).join(', ');
      throw new ApiError(
        'session_conflict',
        `Account ${account} already has ${live.length} live session${live.length > 1 ? 's' : ''} (${ids}); its tier (${this.accounts.get(account).tier}) allows ${limits.max_concurrent} at a time. End one with \`fbay session end ${live[0]!.id}\`.`,
        { live_sessions: live.map((s) => s.id) },
      );
    }
    const balance = this.account(account).balance_credits;
    if (balance !== null && balance < 1) {
      throw new ApiError(
        'payment_required',
        `Account ${account} has ${balance} credits; a session needs at least 1 to start. ${
          account === LOCAL_ACCOUNT ? 'Add credits: `fbay config set account.balance_credits N`.' : `Ask the host's owner for credits (\`fbay keys credit ${account} N\`).`
        }`,
        { balance_credits: balance },
      );
    }
    const now = this.now();
    const s: SessionRecord = {
      id: newSessionId(),
      account,
      board_type: board.type,
      wants_board_id: req.board_id ?? null,
      board_id: null,
      state: 'pending',
      created_at: now,
      started_at: null,
      ended_at: null,
      end_reason: null,
      idle_timeout_s: req.idle_timeout_s ?? this.deps.settings().idle_timeout_s,
      idle_since: null,
      wait_until: req.wait_s ? now + req.wait_s * 1000 : null,
      max_session_s: limits.max_session_s,
      max_credits: req.max_credits ?? null,
      rate_credits_per_min: board.rate_credits_per_min,
      metadata: req.metadata ?? {},
      idempotency_key: idempotencyKey,
      request_hash: hash,
    };
    const free = this.allocator.freeBoard(s);
    if (!free && s.wait_until === null) throw this.allocator.noBoard(s);
    this.sessions.set(s.id, s);
    if (idempotencyKey) this.idempotency.remember(account, idempotencyKey, hash, s.id);
    this.changed(s);
    if (free) this.allocator.allocate(s, free);
    else {
      this.allocator.enqueue(s);
      this.timers.arm(s);
    }
    return this.view(await this.allocator.settled(s));
  }

  // ——— ending ———

  /** Ends a session; ending an ended session returns it unchanged. */
  end(account: string, id: string, reason: EndReason = 'user_ended'): Session {
    const s = this.find(account, id);
    this.finish(s, reason, this.now());
    return this.view(s);
  }

  private finish(s: SessionRecord, reason: EndReason, at: number): void {
    if (s.state === 'ended' || this.stopped) return;
    assertTransition(s.id, s.state, 'ended');
    s.state = 'ended';
    s.ended_at = at;
    s.end_reason = reason;
    s.idle_since = null;
    this.timers.disarm(s);
    s.link = null;
    // A mirrored session is charged by its host; only this host's boards are settled here.
    const account = this.accounts.settle(s.account, s.host ? 0 : creditsAt(s, at));
    this.persist([{ t: 'session', s }, { t: 'account', a: account }]);
    const session = this.view(s);
    this.emit('event', { type: 'state', session });
    this.meter(s);
    // Every listener hears why before the port closes under its clients.
    this.emit('event', { type: 'ended', session_id: s.id, reason, session });
    this.allocator.release(s);
    if (s.host) this.deps.ports.close(s.id);
    this.armAccount(s.account);
    this.allocator.drainQueue();
  }

  /** The board's port went away under a live session: it keeps the board for the grace window. */
  boardMissing(id: string): void {
    const s = this.sessions.get(id);
    if (!s || this.stopped || !isLive(s.state) || s.board_lost_at != null) return;
    s.board_lost_at = this.now();
    this.timers.armGrace(s, this.graceDeadline(s)!);
    this.changed(s);
  }

  /** The board came back within the grace window and its port is open again. */
  boardBack(id: string): void {
    const s = this.sessions.get(id);
    if (!s || this.stopped || !isLive(s.state) || s.board_lost_at == null) return;
    s.board_lost_at = null;
    this.timers.disarmGrace(s);
    this.changed(s);
  }

  // ——— clients come and go ———

  /** The relay reports how many serial clients a session has: ≥1 makes it active, 0 makes it idle. */
  setClientCount(id: string, clients: number): void {
    const s = this.sessions.get(id);
    if (!s || this.stopped || (s.state !== 'idle' && s.state !== 'active')) return;
    const next = clients > 0 ? 'active' : 'idle';
    if (s.state === next) return;
    assertTransition(s.id, s.state, next);
    s.state = next;
    s.idle_since = next === 'idle' ? this.now() : null;
    this.timers.armIdle(s);
    this.changed(s);
  }

  // ——— internals ———

  private started(s: SessionRecord): void {
    const now = this.now();
    assertTransition(s.id, s.state, 'idle');
    s.state = 'idle';
    s.started_at = now;
    s.idle_since = now;
    this.timers.arm(s);
    this.changed(s);
    this.meter(s);
    this.armAccount(s.account);
  }

  private persist(records: JournalRecord[]): void {
    this.deps.store.append(records);
    if (++this.appends >= COMPACT_AFTER) this.compact();
  }

  private changed(s: SessionRecord): void {
    this.persist([{ t: 'session', s }]);
    this.emit('event', { type: 'state', session: this.view(s) });
  }

  private meter(s: SessionRecord): void {
    this.emit('event', this.meterReading(s));
  }

  private meterReading(s: SessionRecord): MeterEvent {
    const now = this.now();
    return {
      type: 'meter',
      session_id: s.id,
      credits_used: roundCredits(sessionCredits(s, now)),
      rate_credits_per_min: s.rate_credits_per_min,
      balance_credits: this.account(s.account).balance_credits,
      at: new Date(now).toISOString(),
    };
  }

  /** Meter readings for an account's started live sessions: what a periodic SSE tick sends. */
  meterReadings(account: string): MeterEvent[] {
    return this.liveSessions(account).filter((s) => s.started_at !== null).map((s) => this.meterReading(s));
  }

  private warn(s: SessionRecord, kind: WarningKind, endsAt: number): void {
    const now = this.now();
    if (s.state === 'ended' || endsAt <= now) return;
    this.emit('event', {
      type: 'warning',
      kind,
      session_id: s.id,
      at: new Date(endsAt).toISOString(),
      seconds_left: Math.round((endsAt - now) / 1000),
    });
  }

  private armAccount(account: string): void {
    const a = this.accounts.get(account);
    this.timers.armAccount(account, this.localLive(account), a.balance);
  }

  // ——— config, restore, shutdown ———

  /** Applies the owner's account settings; `force` re-applies a balance the user just set. */
  configureAccount(name: string, force = false): void {
    if (this.accounts.configure(name, this.deps.settings().account, force)) {
      this.persist([{ t: 'account', a: this.accounts.get(name) }]);
      this.armAccount(name);
    }
  }

  /** Sets up the account of a new API key: its tier, and its credits (default: the tier's initial credits). */
  openAccount(name: string, tier: string, credits: number | null): void {
    this.accounts.configure(name, { tier, balance_credits: credits }, true);
    this.persist([{ t: 'account', a: this.accounts.get(name) }]);
  }

  /** Adds credits to an account; its exhaustion instant moves accordingly. */
  creditAccount(name: string, credits: number): void {
    this.persist([{ t: 'account', a: this.accounts.credit(name, credits) }]);
    this.armAccount(name);
  }

  tierExists(tier: string): boolean {
    return Object.hasOwn(this.deps.settings().tiers, tier);
  }

  /** Boards appeared (config change, hotplug): hand them to waiting sessions. */
  boardsChanged(): void {
    this.allocator.drainQueue();
  }

  /** Reloads every session from the store; live ones resume from their timestamps. */
  restore(): void {
    const { sessions, accounts } = this.deps.store.load();
    this.accounts.restore(accounts);
    this.configureAccount(LOCAL_ACCOUNT);
    const now = this.now();
    for (const s of sessions) {
      this.sessions.set(s.id, s);
      if (s.idempotency_key && s.request_hash) this.idempotency.remember(s.account, s.idempotency_key, s.request_hash, s.id);
    }
    for (const s of sessions) {
      if (!isLive(s.state)) continue;
      // Serial clients did not survive the restart: the idle window restarts now for sessions that were active.
      if (s.state === 'active') {
        s.state = 'idle';
        s.idle_since = now;
      }
      if (s.host) {
        if (s.state === 'pending') s.state = 'allocating';
        void this.mirrors.reopen(s);
      } else this.allocator.restore(s);
      this.timers.arm(s);
      if (s.board_lost_at != null) this.timers.armGrace(s, this.graceDeadline(s)!);
    }
    for (const a of this.accounts.all()) this.armAccount(a.name);
    this.compact();
    this.scheduler.runDue();
    this.allocator.drainQueue();
  }

  compact(): void {
    const keep = this.deps.keepEnded ?? 1000;
    const ended = [...this.sessions.values()].filter((s) => !isLive(s.state));
    for (const s of ended.slice(0, Math.max(0, ended.length - keep))) {
      this.sessions.delete(s.id);
      if (s.idempotency_key) this.idempotency.forget(s.account, s.idempotency_key);
    }
    this.deps.store.compact(this.sessions.values(), this.accounts.all());
    this.appends = 0;
  }

  /** Stops every timer; unless `keepSessions`, ends every live session with host_shutdown first. */
  shutdown(keepSessions: boolean): void {
    if (!keepSessions) {
      for (const s of this.sessions.values()) if (isLive(s.state)) this.finish(s, 'host_shutdown', this.now());
    }
    this.stopped = true;
    this.scheduler.stop();
    this.deps.store.close();
  }
}
