// Owner-only API keys: create (the key is shown once), list, revoke, and add credits to a key's account.
import { ApiError } from '../../transport/protocol/errors.js';
import type { ApiKeyStore } from '../auth/api-keys.js';
import { readJson } from '../http/body.js';
import type { Route } from '../http/router.js';
import { LOCAL_ACCOUNT, type SessionEngine } from '../engine/session-engine.js';

function ownerOnly(account: string): void {
  if (account !== LOCAL_ACCOUNT) throw new ApiError('forbidden', "Only the host's owner (on its Unix socket) manages API keys.");
}

const MAX_CREDITS = 1e9;

function credits(value: unknown, field: string, required: boolean): number | null {
  if (value === undefined && !required) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_CREDITS) {
    throw new ApiError('invalid_request', `${field} must be a number of credits from 0 to ${MAX_CREDITS}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function keyRoutes(keys: ApiKeyStore, engine: SessionEngine): Route[] {
  const withAccount = <T extends { name: string }>(k: T) => ({ ...k, account: engine.account(k.name) });
  return [
    {
      method: 'POST',
      path: '/v1/keys',
      handler: async (r) => {
        ownerOnly(r.account);
        const body = (await readJson(r.req)) as { name?: unknown; tier?: unknown; credits?: unknown };
        const tier = body.tier ?? 'free';
        if (typeof tier !== 'string' || !engine.tierExists(tier)) {
          throw new ApiError('invalid_request', `tier must be one of the configured tiers (free, top_up, team, pro, …); got ${JSON.stringify(tier)}.`);
        }
        if (typeof body.name !== 'string') throw new ApiError('invalid_request', 'Give the key a name: it is the account name, e.g. "alice".');
        const amount = credits(body.credits, 'credits', false);
        const { key, record } = keys.create(body.name, tier);
        engine.openAccount(record.name, tier, amount);
        return { status: 201, body: { key, ...withAccount(record) } };
      },
    },
    {
      method: 'GET',
      path: '/v1/keys',
      handler: (r) => {
        ownerOnly(r.account);
        return { status: 200, body: { keys: keys.list().map(withAccount) } };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/keys/:name',
      handler: (r) => {
        ownerOnly(r.account);
        const record = keys.revoke(r.params.name!);
        // A revoked key's sessions end now: revoking is how an owner stops someone's use of the boards.
        for (const s of engine.liveSessions(record.name)) engine.end(record.name, s.id, 'user_ended');
        return { status: 200, body: withAccount(record) };
      },
    },
    {
      method: 'POST',
      path: '/v1/keys/:name/credits',
      handler: async (r) => {
        ownerOnly(r.account);
        const name = r.params.name!;
        if (!keys.get(name)) throw new ApiError('not_found', `No key named '${name}'. See \`fbay keys list\`.`);
        const body = (await readJson(r.req)) as { credits?: unknown };
        engine.creditAccount(name, credits(body.credits, 'credits', true)!);
        return { status: 200, body: engine.account(name) };
      },
    },
  ];
}
