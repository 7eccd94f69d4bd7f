// After a daemon restart: every record back from the store, live ones resumed from their timestamps.
import type { CoreAccounts } from './core-accounts.js';
import { LOCAL_ACCOUNT, type CoreDeps } from './core-base.js';
import { isFinal } from './lifecycle.js';
import type { CoreRecord } from './record.js';
import type { StoreRecord } from './store/store.js';
import type { SessionTable } from './session-table.js';

/** What to do with each live session after the restart: wait for a resource, start again, or pick up where it was. */
export interface Resumption {
  waiting: CoreRecord[];
  /** Claimed a resource but were not started yet (allocating, assigning): their provider starts them again. */
  starting: CoreRecord[];
  running: CoreRecord[];
}

/** Reloads the store into the core's records and accounts; says what each live session needs next. */
export async function restoreCore(core: CoreAccounts, deps: CoreDeps, sessions: SessionTable): Promise<Resumption> {
  const next: Resumption = { waiting: [], starting: [], running: [] };
  const snapshot = await deps.store.load();
  core.accounts.restore(snapshot.accounts);
  core.usage.restore(snapshot.usage);
  if (core.accounts.configure(LOCAL_ACCOUNT, deps.ownerAccount())) await deps.store.write([{ t: 'a', a: core.accounts.get(LOCAL_ACCOUNT) }]);
  const now = deps.clock.now();
  for (const s of snapshot.sessions) {
    const kind = core.kindOf(s);
    const wasLive = !isFinal(kind.lifecycle, s.state);
    // Another coordinator's session goes on there: this one only mirrors it (and arms its deadlines, late).
    const own = core.runsHere(s);
    if (wasLive && own) Object.assign(s, kind.restored?.(s, now) ?? {});
    sessions.set(s.id, s);
    if (!wasLive || !own) continue;
    if (isFinal(kind.lifecycle, s.state)) {
      s.rev = (s.rev ?? 0) + 1;
      // It could not survive the restart (a browser dies with its daemon): book what it used, as an end would.
      const extra: StoreRecord[] = [];
      const since = kind.quota?.since(s) ?? null;
      if (since !== null && !s.host) extra.push(...core.usage.add(s.account, s.kind, since, s.ended_at ?? now));
      await deps.store.write([{ t: 's', s }, ...extra]);
      continue;
    }
    if (s.state === kind.waiting && s.resource === null) next.waiting.push(s);
    else if (s.state === kind.waiting || s.state === kind.claimed) next.starting.push(s);
    else next.running.push(s);
  }
  for (const s of sessions.values()) if (core.isLive(s)) core.rearm(s);
  for (const a of core.accounts.all()) core.rearmAccount(a.name);
  return next;
}
