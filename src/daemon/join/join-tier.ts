// The tier of a coordinator's account on its board host: as many board sessions as the host has boards, unmetered
// (the coordinator charges its users). Added to the configured tiers under a name config cannot give a tier.
import type { TierTables } from '../sessions/tiers.js';
import { JOIN_ACCOUNT } from './join-sessions.js';

const cache = new WeakMap<TierTables, TierTables>();

export function withJoinTier(tables: TierTables): TierTables {
  let out = cache.get(tables);
  if (!out) {
    out = {
      ...tables,
      tiers: { ...tables.tiers, [JOIN_ACCOUNT]: { max_concurrent: Number.MAX_SAFE_INTEGER, max_session_s: null, initial_credits: null, browser_plan: 'free', sandbox_plan: 'free' } },
    };
    cache.set(tables, out);
  }
  return out;
}
