// Accounts, their tiers and credit balances: what a session may cost and what its tier allows (DESIGN §3).
import type { Account } from '../../transport/protocol/api.js';
import { roundCredits } from './credits.js';
import { limitsOf, type KindLimits, type TierTables } from './tiers.js';

export interface AccountSnapshot {
  name: string;
  tier: string;
  /** Balance after every ended session was settled; null: unmetered. */
  balance: number | null;
  used_total: number;
  /** The config balance last applied, so a restart does not re-apply it on top of usage. */
  configured: number | null;
  /** Tiers whose one-time initial credits this account has had. */
  granted: string[];
}

export interface AccountSettings {
  tier: string;
  /** account.balance_credits from config: a number, or null/undefined when not set. */
  balance_credits?: number | null;
}

export class AccountBook {
  private readonly accounts = new Map<string, AccountSnapshot>();

  constructor(private readonly tables: () => TierTables) {}

  restore(snapshots: AccountSnapshot[]): void {
    for (const a of snapshots) this.accounts.set(a.name, a);
  }

  all(): Iterable<AccountSnapshot> {
    return this.accounts.values();
  }

  get(name: string): AccountSnapshot {
    let a = this.accounts.get(name);
    if (!a) {
      a = { name, tier: 'local', balance: null, used_total: 0, configured: null, granted: [] };
      this.accounts.set(name, a);
    }
    return a;
  }

  limits(name: string): KindLimits {
    return limitsOf(this.tables(), this.get(name).tier);
  }

  tierExists(tier: string): boolean {
    return Object.hasOwn(this.tables().tiers, tier);
  }

  /**
   * Applies the owner's config to an account. A configured balance is applied when it differs from the one last
   * applied, or always when `force` (the user just set it). Without one, a tier with initial credits grants them once.
   * Returns true when the account changed.
   */
  configure(name: string, settings: AccountSettings, force = false): boolean {
    const a = this.get(name);
    const before = JSON.stringify(a);
    a.tier = settings.tier;
    const configured = typeof settings.balance_credits === 'number' ? settings.balance_credits : null;
    if (configured !== null) {
      if (force || a.configured !== configured) a.balance = configured;
    } else {
      const initial = this.limits(name).board.initial_credits;
      if (initial === null) a.balance = null;
      else if (!a.granted.includes(a.tier)) {
        a.balance = (a.balance ?? 0) + initial;
        a.granted.push(a.tier);
      } else a.balance ??= 0;
    }
    a.configured = configured;
    return JSON.stringify(a) !== before;
  }

  /** Adds credits to a metered account (an unmetered one becomes metered with just these). */
  credit(name: string, credits: number): AccountSnapshot {
    const a = this.get(name);
    a.balance = roundCredits((a.balance ?? 0) + credits);
    return a;
  }

  /** Books an ended session's charge. */
  settle(name: string, credits: number): AccountSnapshot {
    const a = this.get(name);
    a.used_total = roundCredits(a.used_total + credits);
    if (a.balance !== null) a.balance = roundCredits(Math.max(0, a.balance - credits));
    return a;
  }

  /** The account as GET /v1/auth/me shows it; `liveUsage` is what its live sessions have used so far. */
  view(name: string, liveUsage: number): Account {
    const a = this.get(name);
    const { board, browser, sandbox } = this.limits(name);
    return {
      account: a.name,
      tier: a.tier,
      balance_credits: a.balance === null ? null : roundCredits(Math.max(0, a.balance - liveUsage)),
      credits_used_total: roundCredits(a.used_total + liveUsage),
      limits: board,
      plans: { browser, sandbox },
    };
  }
}
