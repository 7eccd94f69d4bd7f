// Owner-only API keys: create (the key is shown once), list, revoke, and add credits to a key's account.
import { ApiError } from '../../transport/protocol/errors.js';
import type { ApiKeyStore } from '../auth/api-keys.js';
import { body as parseBody } from './request.js';
import { CreateKeyBody, CreditKeyBody } from '../../transport/protocol/schemas/admin.js';
import type { Route } from '../http/router.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';
import type { SessionCore as SessionEngine } from '../sessions/session-core.js';

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

/** A board host's key: a name and nothing to spend (the host's sessions are its users'). */
function hostKey(keys: ApiKeyStore, body: { name: string; tier?: string | undefined; credits?: number | undefined }) {
  if (body.tier !== undefined || body.credits !== undefined) {
    throw new ApiError('invalid_request', "A host key has no tier and no credits (it is no account: the sessions on its boards are charged to their users); drop 'tier' and 'credits'.");
  }
  const { key, record } = keys.create(body.name, 'host', 'user', 'host');
  return { key, ...record, account: null };
}

export function keyRoutes(keys: ApiKeyStore, engine: SessionEngine): Route[] {
  const withAccount = <T extends { name: string; kind: string }>(k: T) => ({ ...k, account: k.kind === 'host' ? null : engine.account(k.name) });
  return [
    {
      method: 'POST',
      path: '/v1/keys',
      handler: async (r) => {
        ownerOnly(r.account);
        const body = await parseBody(r, CreateKeyBody);
        if (body.kind === 'host') return { status: 201, body: hostKey(keys, body) };
        const tier = body.tier ?? 'free';
        // The tier a coordinator's account has on its host is no teammate's to have.
        if (typeof tier !== 'string' || !engine.accounts.tierExists(tier) || tier.startsWith('@')) {
          throw new ApiError('invalid_request', `tier must be one of the configured tiers (free, top_up, team, pro, …); got ${JSON.stringify(tier)}.`);
        }
        if (tier === LOCAL_ACCOUNT) {
          // The owner's own tier (unmetered, on the Unix socket): not one to hand to a key.
          throw new ApiError('invalid_request', "tier 'local' is the host owner's own (unmetered); a teammate's key takes free, top_up, team or pro.");
        }
        if (typeof body.name !== 'string') throw new ApiError('invalid_request', 'Give the key a name: it is the account name, e.g. "alice".');
        const amount = credits(body.credits, 'credits', false);
        const { key, record } = keys.create(body.name, tier, body.role ?? 'user');
        // A reused name keeps its account; a new tier or a given balance is applied, and a tier's initial credits come once.
        await engine.openAccount(record.name, tier, amount);
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
      handler: async (r) => {
        ownerOnly(r.account);
        const record = keys.revoke(r.params.name!);
        // A revoked key's sessions end now: revoking is how an owner stops someone's use of the boards.
        await Promise.all(engine.live(record.name).map((s) => engine.end(record.name, s.id)));
        return { status: 200, body: withAccount(record) };
      },
    },
    {
      method: 'POST',
      path: '/v1/keys/:name/rotate',
      handler: (r) => {
        ownerOnly(r.account);
        const { key, record } = keys.rotate(r.params.name!);
        return { status: 200, body: { key, ...withAccount(record) } };
      },
    },
    {
      method: 'POST',
      path: '/v1/keys/:name/credits',
      handler: async (r) => {
        ownerOnly(r.account);
        const name = r.params.name!;
        if (!keys.get(name)) throw new ApiError('not_found', `No key named '${name}'.`, { next: 'See `fbay keys list`.' });
        if (keys.get(name)!.kind === 'host') throw new ApiError('invalid_request', `'${name}' is a host key: it has no account to credit. Credit the users of its boards instead.`);
        const body = await parseBody(r, CreditKeyBody);
        await engine.creditAccount(name, credits(body.credits, 'credits', true)!);
        return { status: 200, body: engine.account(name) };
      },
    },
  ];
}
