// One tier per account sets its limits for every kind of session (DESIGN §3's table; every value configurable).
import type { BrowserPlanConfig, SandboxPlanConfig, TierConfig } from '../../shared/config-keys.js';

export interface BrowserPlan extends BrowserPlanConfig {
  name: string;
}

export interface SandboxPlan extends SandboxPlanConfig {
  name: string;
  /** Its sandboxes idle and sleep when their coordinator says (a host's plan for its coordinator), not by the clock here. */
  coordinated?: boolean;
}

/** Everything an account's tier allows, resolved through the plan tables. */
export interface KindLimits {
  tier: string;
  board: { max_concurrent: number; max_session_s: number | null; initial_credits: number | null };
  browser: BrowserPlan;
  sandbox: SandboxPlan;
}

export interface TierTables {
  tiers: Record<string, TierConfig>;
  browserPlans: Record<string, BrowserPlanConfig>;
  sandboxPlans: Record<string, SandboxPlanConfig>;
}

/** The limits of `tier` (an unknown tier — a config edited by hand — is treated as the most restrictive one, free). */
export function limitsOf(tables: TierTables, tier: string): KindLimits {
  const t = Object.hasOwn(tables.tiers, tier) ? tables.tiers[tier]! : tables.tiers.free!;
  const browserName = Object.hasOwn(tables.browserPlans, t.browser_plan) ? t.browser_plan : 'free';
  const sandboxName = Object.hasOwn(tables.sandboxPlans, t.sandbox_plan) ? t.sandbox_plan : 'free';
  return {
    tier,
    board: { max_concurrent: t.max_concurrent, max_session_s: t.max_session_s, initial_credits: t.initial_credits },
    browser: { name: browserName, ...tables.browserPlans[browserName]! },
    sandbox: { name: sandboxName, ...tables.sandboxPlans[sandboxName]! },
  };
}
