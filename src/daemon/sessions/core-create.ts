// Creating a session, for every kind: idempotent, within the account's limits and credits, claimed atomically in
// the store, queued when it may wait, and answered once it has settled and is durable.
import { ApiError } from '../../transport/protocol/errors.js';
import { CoreShared } from './core-shared.js';
import { LOCAL_ACCOUNT } from './core-base.js';
import { requestHash } from './idempotency.js';
import { canMove } from './lifecycle.js';
import { StartFailure } from './provider.js';
import { newSessionId, type CoreRecord } from './record.js';

export interface CreateOptions {
  idempotencyKey: string | null;
  /** The remote fbay host to create it on (mirrored here); null: this host. */
  host?: string | null;
}

export const COMPACT_AFTER = 20_000;

export abstract class CoreCreate extends CoreShared {
  /** Creates waiting for their session to settle, by id; a start that fails while one waits leaves its failure here. */
  private readonly awaiting = new Set<string>();
  private readonly failures = new Map<string, StartFailure>();
  /** Creates under way by (account, Idempotency-Key). */
  private readonly inflight = new Map<string, Promise<CoreRecord>>();

  async create(account: string, kindName: string, request: Record<string, unknown>, options: CreateOptions): Promise<CoreRecord> {
    if (this.stopped) throw new ApiError('upstream_unavailable', 'The daemon is stopping; create the session again once it is back.');
    const host = options.host ?? null;
    const key = options.idempotencyKey;
    if (key === null) return this.createOnce(account, kindName, request, host, key, null);
    // Only a create with a key can be replayed: only then is its request compared, so only then hashed.
    const hash = requestHash(host ? { host, ...request } : request);
    const earlier = this.sessions.byIdempotencyKey(account, key);
    if (earlier) return this.replay(earlier, hash);
    // Concurrent creates with one key: the first does the work, the others get its session.
    const slot = `${account}\u0000${key}`;
    const inflight = this.inflight.get(slot);
    if (inflight) {
      const first = await inflight.catch(() => null);
      if (first) return this.replay(first, hash);
    }
    const attempt = this.createOnce(account, kindName, request, host, key, hash);
    this.inflight.set(slot, attempt);
    try {
      return await attempt;
    } finally {
      if (this.inflight.get(slot) === attempt) this.inflight.delete(slot);
    }
  }

  private async createOnce(account: string, kindName: string, request: Record<string, unknown>, host: string | null, key: string | null, hash: string | null): Promise<CoreRecord> {
    const kind = this.kinds.get(kindName)!;
    const limits = this.accounts.limits(account);
    if (kind.credits && !host) this.requireCredits(account);
    if (kind.quota && !host) {
      const limit = kind.quota.limitMs(limits);
      const used = this.quotaUsed(account, kind, this.now());
      if (limit !== null && used >= limit) throw kind.quota.exceeded(account, used, limits, this.now());
    }
    const provider = host ? this.deps.remote! : this.deps.providers[kindName]!;
    const admitted = await provider.admit({ account, request: host ? { ...request, host, kind: kindName } : request, limits, now: this.now(), idempotencyKey: key });
    const now = this.now();
    const s: CoreRecord = {
      id: admitted.id ?? newSessionId(),
      kind: kindName,
      account,
      state: admitted.resources && kind.waiting ? kind.waiting : kind.lifecycle.initial,
      created_at: now,
      ended_at: null,
      end_reason: null,
      metadata: {},
      idempotency_key: key,
      request_hash: hash,
      resource: null,
      host,
      link: null,
      ...(this.deps.coordinator ? { coordinator: this.deps.coordinator } : {}),
      ...admitted.fields,
    };
    const resources = admitted.resources?.map((r) => this.names.qualify(r)) ?? null;
    // A create that may not wait either claims its resource in the insert or is refused: it is recorded claimed
    // already, which saves the write of that move (and, with a shared store, the others' read of it). Its events
    // are the same: it was waiting while the claim was made.
    const claimedAtOnce = Boolean(resources && !admitted.queue && kind.claimed && s.state === kind.waiting);
    if (claimedAtOnce) Object.assign(s, kind.entering?.(s, kind.claimed!, now), { state: kind.claimed });
    const result = await this.deps.store.insert(s, { resources, queue: admitted.queue, limit: host ? null : kind.concurrency(limits) });
    // Made through another coordinator, perhaps: taken into this core's records so that its changes reach the waiter.
    if (result.outcome === 'existing') return this.replay(this.sessions.get(result.session.id) ?? this.adopt(result.session), hash);
    if (result.outcome === 'limit') throw kind.limitError(account, result.counted, limits);
    if (result.outcome === 'held') throw provider.held(s, result.name, result.holder);
    if (result.outcome === 'no_resource') throw provider.noResource(s);
    this.sessions.set(s.id, s);
    if (claimedAtOnce) this.emit('event', { type: 'state', session: this.view({ ...s, state: kind.waiting! }) as never });
    this.emit('event', { type: 'state', session: this.view(s) as never });
    this.deadlines.arm(s, kind);
    this.awaiting.add(s.id);
    if (s.state === kind.waiting && s.resource === null) this.queue.add(s.id);
    else this.begin(s);
    await this.settled(s);
    this.awaiting.delete(s.id);
    const failure = this.failures.get(s.id);
    this.failures.delete(s.id);
    if (failure?.error) throw failure.error;
    // A 201 means durable: the state it shows is on disk before the answer leaves.
    await this.durable(s);
    if (this.writes >= COMPACT_AFTER) void this.compact();
    return s;
  }

  /** Resolves once a new session is past its kind's transient states (allocating, assigning, creating). */
  private settled(s: CoreRecord): Promise<void> {
    const kind = this.kindOf(s);
    return this.until(s, (x) => kind.settled?.(x) ?? true);
  }

  /** A create retried with the same Idempotency-Key: the same session, once it has settled; 422 for another body. */
  private async replay(s: CoreRecord, hash: string | null): Promise<CoreRecord> {
    if (s.request_hash !== hash) {
      throw new ApiError('idempotency_mismatch', `Idempotency-Key '${s.idempotency_key}' was already used for a different request (it created ${s.id}). Use a new key for a new request.`);
    }
    await this.settled(s);
    await this.durable(s);
    return s;
  }

  private requireCredits(account: string): void {
    const balance = this.account(account).balance_credits;
    if (balance === null || balance >= 1) return;
    throw new ApiError(
      'payment_required',
      `Account ${account} has ${balance} credits; a session needs at least 1 to start. ${
        account === LOCAL_ACCOUNT ? 'Add credits: `fbay config set account.balance_credits N`.' : `Ask the host's owner for credits (\`fbay keys credit ${account} N\`).`
      }`,
      { balance_credits: balance },
    );
  }

  /** A claimed (or resource-less) session starts: its provider brings the resource up. */
  protected begin(s: CoreRecord): void {
    const kind = this.kindOf(s);
    if (kind.claimed && s.resource !== null && s.state !== kind.claimed) void this.move(s, kind.claimed);
    const from = s.state;
    this.providerOf(s)
      .start(s)
      .then(
        (patch) => {
          if (!this.isLive(s) || this.stopped) return;
          const to = kind.started(s);
          if (s.state === to) {
            Object.assign(s, patch);
            void this.changed(s);
          } else if (canMove(kind.lifecycle, s.state, to) && (s.state === from || s.state === kind.claimed)) void this.move(s, to, patch);
        },
        (err: unknown) => {
          const failure = err instanceof StartFailure ? err : new StartFailure('failed', (err as Error).message);
          if (this.awaiting.has(s.id)) this.failures.set(s.id, failure);
          void this.finish(s, failure.reason, this.now(), { ...failure.patch });
        },
      );
  }

  abstract compact(): Promise<void>;
}
