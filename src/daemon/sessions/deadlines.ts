// Every deadline the core keeps — each session's own (idle, caps, TTLs, grace, queue timeouts) and each account's
// (credits running out, monthly quota) — on one scheduler: one heap, one timer, nothing ticking per session.
import type { WarningKind } from '../../transport/protocol/api.js';
import { exhaustionInstant } from './credits.js';
import type { DeadlineScheduler } from './deadline-scheduler.js';
import type { DeadlineAction, SessionKind } from './kind.js';
import { nextMonthStart } from './quota-usage.js';
import type { CoreRecord } from './record.js';

export const CREDITS_LOW_MS = 60_000;
export const QUOTA_LOW_MS = 60_000;

/** What the deadlines do when they fire: the core acts. */
export interface DeadlineTarget {
  fire(s: CoreRecord, action: DeadlineAction, at: number): void;
  warn(s: CoreRecord, kind: WarningKind, endsAt: number): void;
  /** How long after its instant a session's deadline is acted on here (another coordinator's: later, in case it does). */
  lag?(s: CoreRecord): number;
}

export class CoreDeadlines {
  /** Names armed per session, so a deadline a change removed is cancelled too. */
  private readonly armed = new Map<string, string[]>();

  constructor(
    private readonly scheduler: DeadlineScheduler,
    private readonly target: DeadlineTarget,
  ) {}

  /** (Re)arms a session's deadlines for what it is now. */
  arm(s: CoreRecord, kind: SessionKind): void {
    const deadlines = kind.deadlines(s);
    for (const name of this.armed.get(s.id) ?? []) {
      if (!deadlines.some((d) => d.name === name)) {
        this.scheduler.cancel(`${s.id}:${name}`);
        this.scheduler.cancel(`${s.id}:${name}:warn`);
      }
    }
    this.armed.set(s.id, deadlines.map((d) => d.name));
    const lag = this.target.lag?.(s) ?? 0;
    for (const d of deadlines) {
      const key = `${s.id}:${d.name}`;
      // Acted on as of its own instant, however late the timer (a restart, a lag) runs it.
      this.scheduler.schedule(key, d.at + lag, () => this.target.fire(s, d.action, d.at));
      if (d.warn) {
        const warn = d.warn;
        this.scheduler.schedule(`${key}:warn`, Math.max(d.at - warn.lead_ms, warn.opened), () => this.target.warn(s, warn.kind, d.at));
      } else this.scheduler.cancel(`${key}:warn`);
    }
  }

  disarm(s: CoreRecord): void {
    for (const name of this.armed.get(s.id) ?? []) {
      this.scheduler.cancel(`${s.id}:${name}`);
      this.scheduler.cancel(`${s.id}:${name}:warn`);
    }
    this.armed.delete(s.id);
  }

  /**
   * Arms the instant an account's balance runs out across its metered live sessions: they all end then, with a
   * warning a minute before. `balance` null (unmetered) disarms it.
   */
  armCredits(account: string, sessions: CoreRecord[], kindOf: (s: CoreRecord) => SessionKind, balance: number | null, end: (s: CoreRecord[], at: number) => void): void {
    const key = `acct:${account}:credits`;
    const metered = sessions.filter((s) => kindOf(s).credits !== undefined);
    if (balance === null || metered.length === 0) {
      this.scheduler.cancel(key);
      this.scheduler.cancel(`${key}:warn`);
      return;
    }
    const total = (t: number) => metered.reduce((sum, s) => sum + kindOf(s).credits!(s, t), 0);
    const rate = metered.reduce((sum, s) => sum + (kindOf(s).creditRate?.(s) ?? 0), 0);
    const earliest = Math.min(...metered.map((s) => s.created_at));
    const out = exhaustionInstant(total, rate, balance, earliest);
    if (out === null) {
      this.scheduler.cancel(key);
      this.scheduler.cancel(`${key}:warn`);
      return;
    }
    this.scheduler.schedule(key, out, (at) => end(metered, at));
    this.scheduler.schedule(`${key}:warn`, Math.max(out - CREDITS_LOW_MS, earliest), () => {
      for (const s of metered) if (s.ended_at === null) this.target.warn(s, 'credits_low', out);
    });
  }

  /**
   * Arms the instant an account's monthly quota of a kind runs out: `usedNow` is what the month holds so far and
   * each of `accruing` adds 1 ms per ms. Past the month's end it re-arms then (the quota resets).
   */
  armQuota(account: string, kind: string, accruing: CoreRecord[], limitMs: number | null, usedNow: number, now: number, events: { end(s: CoreRecord[], at: number): void; rearm(): void }): void {
    const key = `quota:${account}:${kind}`;
    if (limitMs === null || accruing.length === 0) {
      this.scheduler.cancel(key);
      this.scheduler.cancel(`${key}:warn`);
      return;
    }
    const out = now + Math.max(0, Math.ceil((limitMs - usedNow) / accruing.length));
    const reset = nextMonthStart(now);
    if (out >= reset) {
      this.scheduler.cancel(`${key}:warn`);
      this.scheduler.schedule(key, reset, () => events.rearm());
      return;
    }
    this.scheduler.schedule(key, out, (at) => events.end(accruing, at));
    this.scheduler.schedule(`${key}:warn`, Math.max(out - QUOTA_LOW_MS, now), () => {
      for (const s of accruing) if (s.ended_at === null) this.target.warn(s, 'quota_low', out);
    });
  }
}
