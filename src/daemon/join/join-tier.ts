// The tier of a coordinator's account on its board host: as many board sessions as the host has boards, and as many
// browsers as it has slots, unmetered (the coordinator charges its users and counts their hours). Added to the
// configured tiers and plans under a name config cannot give one.
import type { TierTables } from '../sessions/tiers.js';
import { JOIN_ACCOUNT } from './join-sessions.js';

const cache = new WeakMap<TierTables, TierTables>();

export function withJoinTier(tables: TierTables): TierTables {
  let out = cache.get(tables);
  if (!out) {
    out = {
      ...tables,
      tiers: { ...tables.tiers, [JOIN_ACCOUNT]: { max_concurrent: Number.MAX_SAFE_INTEGER, max_session_s: null, initial_credits: null, browser_plan: JOIN_ACCOUNT, sandbox_plan: 'free' } },
      browserPlans: { ...tables.browserPlans, [JOIN_ACCOUNT]: { max_concurrent: Number.MAX_SAFE_INTEGER, monthly_hours: null } },
    };
    cache.set(tables, out);
  }
  return out;
}
