// Every deadline a session has — idle timeout, duration cap, credit budget, account balance — and its warning.
import type { EndReason, WarningKind } from '../../transport/protocol/api.js';
import type { DeadlineScheduler } from './deadline-scheduler.js';
import { exhaustionInstant, instantReaching } from './meter.js';
import { capInstant, idleDeadline, type SessionRecord } from './session-record.js';

export const IDLE_WARNING_MS = 10_000;
export const CREDITS_LOW_MS = 60_000;
export const DURATION_WARNING_MS = 60_000;

export interface TimerHooks {
  end(s: SessionRecord, reason: EndReason, at: number): void;
  warn(s: SessionRecord, kind: WarningKind, endsAt: number): void;
}

export class SessionTimers {
  constructor(
    private readonly scheduler: DeadlineScheduler,
    private readonly hooks: TimerHooks,
  ) {}

  /** (Re)arms the session's own deadlines for its current state. */
  arm(s: SessionRecord): void {
    this.armIdle(s);
    if (s.state === 'pending' && s.wait_until !== null) {
      this.scheduler.schedule(`${s.id}:wait`, s.wait_until, (at) => this.hooks.end(s, 'allocation_failed', at));
    } else this.scheduler.cancel(`${s.id}:wait`);
    // A mirrored session's cap and budget are its host's to enforce: only the idle countdown runs here.
    if (s.started_at === null || s.host) return;
    this.deadline(s, 'cap', capInstant(s), 'max_duration', 'duration_warning', DURATION_WARNING_MS);
    const budget = s.max_credits === null ? null : instantReaching(s, s.max_credits);
    this.deadline(s, 'budget', budget, 'credits_exhausted', 'credits_low', CREDITS_LOW_MS);
  }

  /** A missing board ends the session with board_lost unless it is back (disarmGrace) by `at`. */
  armGrace(s: SessionRecord, at: number): void {
    this.scheduler.schedule(`${s.id}:grace`, at, (when) => this.hooks.end(s, 'board_lost', when));
  }

  disarmGrace(s: SessionRecord): void {
    this.scheduler.cancel(`${s.id}:grace`);
  }

  armIdle(s: SessionRecord): void {
    this.deadline(s, 'idle', idleDeadline(s), 'idle_timeout', 'idle_warning', IDLE_WARNING_MS);
  }

  disarm(s: SessionRecord): void {
    this.scheduler.cancelPrefix(`${s.id}:`);
  }

  /**
   * Arms the instant the account's balance runs out across its started sessions; they all end then.
   * `balance` null (unmetered) disarms it.
   */
  armAccount(account: string, sessions: SessionRecord[], balance: number | null): void {
    const key = `acct:${account}`;
    const started = sessions.filter((s) => s.started_at !== null);
    const out = balance === null || started.length === 0
      ? null
      : exhaustionInstant(started, balance, Math.min(...started.map((s) => s.started_at!)));
    if (out === null) {
      this.scheduler.cancel(`${key}:out`);
      this.scheduler.cancel(`${key}:low`);
      return;
    }
    this.scheduler.schedule(`${key}:out`, out, (at) => {
      for (const s of started) if (s.state !== 'ended') this.hooks.end(s, 'credits_exhausted', at);
    });
    const earliest = Math.min(...started.map((s) => s.started_at!));
    this.scheduler.schedule(`${key}:low`, Math.max(out - CREDITS_LOW_MS, earliest), () => {
      for (const s of started) if (s.state !== 'ended') this.hooks.warn(s, 'credits_low', out);
    });
  }

  private deadline(
    s: SessionRecord,
    name: string,
    at: number | null,
    reason: EndReason,
    warning: WarningKind,
    warnBefore: number,
  ): void {
    const key = `${s.id}:${name}`;
    if (at === null) {
      this.scheduler.cancel(key);
      this.scheduler.cancel(`${key}:warn`);
      return;
    }
    this.scheduler.schedule(key, at, (when) => this.hooks.end(s, reason, when));
    // A window shorter than the warning lead is warned about as soon as it opens.
    const opened = name === 'idle' ? s.idle_since! : s.started_at!;
    this.scheduler.schedule(`${key}:warn`, Math.max(at - warnBefore, opened), () => this.hooks.warn(s, warning, at));
  }
}
