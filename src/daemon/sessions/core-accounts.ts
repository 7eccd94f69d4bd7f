// The accounts side of the core: balances and tiers, the meter's readings, quota time, and each account's
// credit and quota deadlines across its sessions.
import type { Account } from '../../transport/protocol/api.js';
import type { MeterEvent } from '../../transport/protocol/events.js';
import { CoreBase, LOCAL_ACCOUNT } from './core-base.js';
import { roundCredits } from './credits.js';
import type { SessionKind } from './kind.js';
import { monthStart, overlap } from './quota-usage.js';
import type { CoreRecord } from './record.js';

export abstract class CoreAccounts extends CoreBase {
  /** Applies the owner's account settings from config; `force` re-applies a balance the user just set. */
  async configureOwner(force = false): Promise<void> {
    if (!this.accounts.configure(LOCAL_ACCOUNT, this.deps.ownerAccount(), force)) return;
    this.armAccount(LOCAL_ACCOUNT);
    await this.deps.store.write([{ t: 'a', a: this.accounts.get(LOCAL_ACCOUNT) }]);
  }

  /** Sets up the account of a new API key: its tier, and its credits (default: the tier's initial credits). */
  async openAccount(name: string, tier: string, credits: number | null): Promise<void> {
    this.accounts.configure(name, { tier, balance_credits: credits }, true);
    await this.deps.store.write([{ t: 'a', a: this.accounts.get(name) }]);
  }

  /** Adds credits to an account; its exhaustion instant moves accordingly. */
  async creditAccount(name: string, credits: number): Promise<void> {
    const a = this.accounts.credit(name, credits);
    this.armAccount(name);
    await this.deps.store.write([{ t: 'a', a, delta: { credit: credits } }]);
  }

  /** Re-arms an account's credit and quota deadlines across its live sessions on this host. */
  protected armAccount(account: string): void {
    if (this.stopped) return;
    const live = this.live(account).filter((s) => !s.host);
    const balance = this.accounts.get(account).balance;
    this.deadlines.armCredits(account, live, (s) => this.kindOf(s), balance, (sessions, at) => {
      for (const s of sessions) void this.finish(s, 'credits_exhausted', at);
    });
    const limits = this.accounts.limits(account);
    const now = this.now();
    for (const kind of this.kinds.values()) {
      if (!kind.quota) continue;
      const accruing = live.filter((s) => s.kind === kind.kind && kind.quota!.since(s) !== null);
      this.deadlines.armQuota(account, kind.kind, accruing, kind.quota.limitMs(limits), this.quotaUsed(account, kind, now), now, {
        end: (sessions, at) => sessions.forEach((s) => void this.finish(s, kind.quota!.endReason, at)),
        rearm: () => this.armAccount(account),
      });
    }
  }

  /** Quota time an account has used this month: what ended sessions booked plus what live ones accrued so far. */
  quotaUsed(account: string, kind: SessionKind, now: number): number {
    const start = monthStart(now);
    const live = this.live(account).filter((s) => s.kind === kind.kind && !s.host);
    return this.usage.booked(account, kind.kind, now) + live.reduce((sum, s) => sum + overlap(kind.quota!.since(s) ?? now, now, start), 0);
  }

  rearmAccount(account: string): void {
    this.armAccount(account);
  }

  account(name: string): Account {
    const now = this.now();
    const usage = this.live(name)
      .filter((s) => !s.host)
      .reduce((sum, s) => sum + (this.kindOf(s).credits?.(s, now) ?? 0), 0);
    return this.accounts.view(name, usage);
  }

  /** Meter readings for an account's started live sessions that are metered in credits: a periodic SSE tick. */
  meterReadings(account: string): MeterEvent[] {
    return this.live(account)
      .filter((s) => this.kindOf(s).credits && (s as { started_at?: number | null }).started_at != null)
      .map((s) => this.meterReading(s));
  }

  protected meter(s: CoreRecord): void {
    this.emit('event', this.meterReading(s));
  }

  protected meterReading(s: CoreRecord): MeterEvent {
    const kind = this.kindOf(s);
    const now = this.now();
    return {
      type: 'meter',
      session_id: s.id,
      credits_used: roundCredits(kind.credits!(s, now)),
      rate_credits_per_min: kind.creditRate?.(s) ?? 0,
      // A mirrored session is charged on its host: that account's balance is the one that matters.
      balance_credits: s.host ? ((s as { upstream_balance?: number | null }).upstream_balance ?? null) : this.account(s.account).balance_credits,
      at: new Date(now).toISOString(),
    };
  }
}
