// The tier of a coordinator's account on its board host: as many board sessions as the host has boards, as many
// browsers as it has slots, and sandboxes within the bounds the coordinator set for each (it applies its users'
// plans, and idles and sleeps them itself), unmetered (the coordinator charges its users and counts their hours).
// Added to the configured tiers and plans under a name config cannot give one.
import type { SandboxPlanConfig } from '../../shared/config/defaults.js';
import type { TierTables } from '../sessions/tiers.js';
import { JOIN_ACCOUNT } from './join-sessions.js';

const cache = new WeakMap<TierTables, TierTables>();
const UNBOUNDED = Number.MAX_SAFE_INTEGER;
const JOIN_SANDBOX_PLAN: SandboxPlanConfig & { coordinated: true } = {
  coordinated: true,
  max_live: UNBOUNDED,
  max_ttl_s: 10 * 365 * 86_400,
  overrides: true,
  memory_mb: 1024,
  cpu: 0.25,
  disk_mb: 1024,
  exec_timeout_s: 30,
  max_memory_mb: 1 << 20,
  max_cpu: 1024,
  max_disk_mb: 1 << 30,
  max_exec_timeout_s: 86_400,
  max_file_mb: 1024,
  requests_per_min: UNBOUNDED,
};

export function withJoinTier(tables: TierTables): TierTables {
  let out = cache.get(tables);
  if (!out) {
    out = {
      ...tables,
      tiers: { ...tables.tiers, [JOIN_ACCOUNT]: { max_concurrent: UNBOUNDED, max_session_s: null, initial_credits: null, browser_plan: JOIN_ACCOUNT, sandbox_plan: JOIN_ACCOUNT } },
      browserPlans: { ...tables.browserPlans, [JOIN_ACCOUNT]: { max_concurrent: UNBOUNDED, monthly_hours: null } },
      sandboxPlans: { ...tables.sandboxPlans, [JOIN_ACCOUNT]: JOIN_SANDBOX_PLAN },
    };
    cache.set(tables, out);
  }
  return out;
}
