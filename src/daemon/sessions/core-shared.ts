// A store several coordinators share: what another changed is read again and taken as this core's own record —
// cache, deadlines, events to its clients, the provider it runs — and a write another beat to it is re-evaluated.
import { CoreAccounts } from './core-accounts.js';
import type { CoreRecord } from './record.js';

export abstract class CoreShared extends CoreAccounts {
  /** Follows a shared store's change feed (an embedded store has none). */
  protected follow(): void {
    const changes = this.deps.store.changes;
    if (!changes) return;
    changes.on('session', (id) => void this.refresh(id, true));
    changes.on('account', (name) => void this.refreshAccount(name));
    changes.on('resync', () => void this.resync());
  }

  /** Reads a session again and takes what is stored (with `othersOnly`, unless this coordinator wrote it last). */
  async refresh(id: string, othersOnly = false): Promise<CoreRecord | undefined> {
    const fresh = await this.deps.store.read?.(id, { othersOnly }).catch((err: Error) => (this.deps.log(`store: could not read ${id}: ${err.message}`), null));
    return fresh ? this.adopt(fresh) : this.sessions.get(id);
  }

  async refreshAccount(name: string): Promise<void> {
    const read = await this.deps.store.readAccount?.(name).catch(() => null);
    if (!read || this.stopped) return;
    if (read.account) this.accounts.restore([read.account]);
    this.usage.restore(read.usage);
    this.armAccount(name);
  }

  /** After the change feed was lost: every live session as stored, and those this core held that are not live any more. */
  private async resync(): Promise<void> {
    const live = (await this.deps.store.live?.().catch(() => null)) ?? null;
    if (live === null) return;
    const ids = new Set(live.map((s) => s.id));
    for (const s of live) this.adopt(s);
    const gone = [...this.sessions.values()].filter((s) => this.isLive(s) && !ids.has(s.id));
    await Promise.all(gone.map((s) => this.refresh(s.id)));
    await Promise.all([...this.accounts.all()].map((a) => this.refreshAccount(a.name)));
  }

  protected override lost(s: CoreRecord, current: CoreRecord | null): void {
    this.deps.log(`session ${s.id}: another coordinator changed it first; taking what it wrote`);
    if (current) this.adopt(current);
    else void this.refresh(s.id);
    // A charge this core booked in its cache did not happen: the account as stored is the one that counts.
    void this.refreshAccount(s.account);
  }

  /**
   * Takes a stored record as this core's: the cached object is updated in place (providers and waiters hold it),
   * its deadlines re-armed, its clients told; a session this core runs is stopped if it ended elsewhere, and picked
   * up again if a change here that lost had ended it.
   */
  adopt(fresh: CoreRecord): CoreRecord {
    const s = this.sessions.get(fresh.id);
    if (this.stopped || !this.kinds.has(fresh.kind)) return s ?? fresh;
    this.deps.store.rebase?.(fresh.id);
    const kind = this.kindOf(fresh);
    // Another coordinator runs it from now on (its host went there): it is let go of here, without ending it.
    const leaving = s && this.isLive(s) && this.runsHere(s) && !this.runsHere(fresh) && this.isLive(fresh) ? this.providerOf(s) : null;
    if (!s) {
      this.sessions.set(fresh.id, fresh);
      if (this.isLive(fresh)) this.deadlines.arm(fresh, kind);
      this.emit('event', { type: 'state', session: this.view(fresh) as never });
      return fresh;
    }
    const wasLive = this.isLive(s);
    const from = s.state;
    for (const key of Object.keys(s)) if (!Object.hasOwn(fresh, key)) delete (s as unknown as Record<string, unknown>)[key];
    Object.assign(s, fresh);
    this.sessions.set(s.id, s);
    const live = this.isLive(s);
    if (live) this.deadlines.arm(s, kind);
    else this.deadlines.disarm(s);
    if (!live || s.state !== kind.waiting || s.resource !== null) this.queue.remove(s.id);
    this.emit('event', { type: 'state', session: this.view(s) as never });
    if (kind.credits) this.meter(s);
    leaving?.handOff(s);
    const provider = this.providerOf(s);
    if (wasLive && !live) {
      this.emit('event', { type: 'ended', session_id: s.id, reason: s.end_reason ?? 'ended', session: this.view(s) as never });
      provider.stop(s, s.end_reason ?? 'ended').catch((err: Error) => this.deps.log(`session ${s.id}: stopping failed: ${err.message}`));
      this.released(s);
    } else if (!wasLive && live) provider.resume(s);
    else if (live && from !== s.state) provider.entered(s, from);
    this.armAccount(s.account);
    return s;
  }

  /**
   * Runs here from now on a live session another coordinator ran — its resource came here (a joined host that
   * failed over to this coordinator). `patch(s)` says what changes (its resource's name here), or null when the
   * session is not one to take. Resolves with whether it was taken; its provider then picks it up as after a restart.
   */
  async takeOver(id: string, patch: (s: CoreRecord) => Partial<CoreRecord> | null): Promise<boolean> {
    const store = this.deps.store;
    if (!store.takeOver || !store.read) return false;
    // Its coordinator may still be writing it (a host that moved while both are up): read again, a few times — but
    // if another coordinator took it meanwhile, that one has it.
    let from: string | null | undefined;
    for (let attempt = 0; attempt < 3 && !this.stopped; attempt++) {
      const stored = await store.read(id);
      if (!stored || !this.kinds.has(stored.kind) || !this.isLive(stored) || this.runsHere(stored)) return false;
      if (from !== undefined && stored.coordinator !== from) return false;
      from = stored.coordinator;
      const change = patch(stored);
      if (!change) return false;
      // Its serial clients and holders were the other coordinator's and did not come with it (they connect again):
      // it resumes as after a restart. An active session would otherwise never start its idle countdown here.
      const resumed = { ...change, ...this.kindOf(stored).restored?.({ ...stored, ...change }, this.now()) };
      const taken = await store.takeOver(stored, resumed);
      if (!taken) continue;
      const before = this.sessions.get(id);
      const resumes = !before || this.isLive(before);
      const s = this.adopt(taken);
      this.deps.log(`session ${id}: taken over from coordinator ${stored.coordinator} (its resource is here now)`);
      // adopt() resumes a session it had as ended; one it had live, or had not seen, is picked up here.
      if (resumes) this.providerOf(s).resume(s);
      return true;
    }
    return false;
  }

  /** Resolves once `done(s)` holds or the session is over (checked on each of its events), or after `timeoutMs`. */
  until(s: CoreRecord, done: (s: CoreRecord) => boolean, timeoutMs?: number): Promise<void> {
    if (done(s) || !this.isLive(s)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? null : this.deps.clock.setTimeout(() => finish(), timeoutMs);
      const stop = this.watch(s.id, () => (done(s) || !this.isLive(s)) && finish());
      const finish = () => {
        stop();
        if (timer) this.deps.clock.clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Waiters on one session's events, by id: 200 creates waiting at once are not each woken by all 200's events. */
  private watchers: Map<string, Set<() => void>> | null = null;

  private watch(id: string, wake: () => void): () => void {
    if (!this.watchers) {
      const watchers = (this.watchers = new Map());
      this.on('event', (e) => {
        const of = (e as { session?: { id: string } }).session?.id ?? (e as { session_id?: string }).session_id;
        const set = of === undefined ? undefined : watchers.get(of);
        if (set) for (const w of [...set]) w();
      });
    }
    const watchers = this.watchers;
    const set = watchers.get(id) ?? new Set();
    watchers.set(id, set.add(wake));
    return () => {
      set.delete(wake);
      if (set.size === 0 && watchers.get(id) === set) watchers.delete(id);
    };
  }
}
