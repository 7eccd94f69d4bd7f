// The in-memory claim index an embedded store keeps: live sessions by resource, by held name, by account and by
// Idempotency-Key.
import type { CoreRecord } from '../record.js';
import type { Claim, InsertResult } from './store.js';

const slot = (account: string, key: string) => `${account}\u0000${key}`;

export class ClaimIndex {
  private readonly live = new Map<string, CoreRecord>();
  private readonly holders = new Map<string, string>();
  /** Names a live session holds exclusively (`holds`: a browser profile), by the id holding each. */
  private readonly held = new Map<string, string>();
  private readonly keys = new Map<string, CoreRecord>();
  /** The other way round, by session id: what it was last noted holding, so a note costs the same however many live. */
  private readonly resourceOf = new Map<string, string>();
  private readonly namesOf = new Map<string, readonly string[]>();

  constructor(private readonly isFinal: (s: CoreRecord) => boolean) {}

  /** Brings the index up to date with a session's snapshot. */
  note(s: CoreRecord): void {
    if (s.idempotency_key) this.keys.set(slot(s.account, s.idempotency_key), s);
    const final = this.isFinal(s);
    const resource = final ? null : s.resource;
    const had = this.resourceOf.get(s.id);
    if (had !== undefined && had !== resource) {
      if (this.holders.get(had) === s.id) this.holders.delete(had);
      this.resourceOf.delete(s.id);
    }
    const names = final ? [] : (s.holds ?? []);
    for (const name of this.namesOf.get(s.id) ?? []) if (!names.includes(name) && this.held.get(name) === s.id) this.held.delete(name);
    if (names.length) this.namesOf.set(s.id, [...names]);
    else this.namesOf.delete(s.id);
    if (final) {
      this.live.delete(s.id);
      return;
    }
    this.live.set(s.id, s);
    if (resource) {
      this.holders.set(resource, s.id);
      this.resourceOf.set(s.id, resource);
    }
    for (const name of names) this.held.set(name, s.id);
  }

  /** Forgets sessions compaction let go (their Idempotency-Keys with them). */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, s] of this.keys) if (!keep.has(s.id)) this.keys.delete(key);
    for (const id of this.live.keys()) if (!keep.has(id)) this.live.delete(id);
    for (const id of this.resourceOf.keys()) if (!keep.has(id)) this.resourceOf.delete(id);
    for (const id of this.namesOf.keys()) if (!keep.has(id)) this.namesOf.delete(id);
  }

  /** The atomic part of an insert: idempotency, the limit, the names it holds, then a free resource; on success the session is noted. */
  claim(s: CoreRecord, claim: Claim): InsertResult {
    const earlier = s.idempotency_key ? this.keys.get(slot(s.account, s.idempotency_key)) : undefined;
    if (earlier) return { outcome: 'existing', session: earlier };
    if (claim.limit) {
      const counted = [...this.live.values()].filter(
        (x) => x.account === s.account && x.kind === s.kind && x.host === null && claim.limit!.states.includes(x.state),
      );
      if (counted.length >= claim.limit.max) return { outcome: 'limit', counted };
    }
    for (const name of s.holds ?? []) {
      const holder = this.live.get(this.held.get(name) ?? '');
      if (holder) return { outcome: 'held', name, holder };
    }
    if (claim.resources) {
      const free = this.free(claim.resources);
      if (free === null && !claim.queue) return { outcome: 'no_resource' };
      s.resource = free;
    }
    this.note(s);
    return { outcome: 'created', session: s };
  }

  /** The first of `resources` no live session holds. */
  free(resources: readonly string[]): string | null {
    return resources.find((r) => !this.holders.has(r)) ?? null;
  }

  take(s: CoreRecord, resources: readonly string[]): string | null {
    const free = this.free(resources);
    if (free === null) return null;
    s.resource = free;
    this.note(s);
    return free;
  }
}
