// A store that times its calls into a histogram (the store latency metric), passing everything else through.
import type { CoreRecord } from '../record.js';
import type { SessionStore } from './store.js';

export function timedStore(store: SessionStore, observe: (op: string, seconds: number) => void): SessionStore {
  const time = <T>(op: string, p: Promise<T>): Promise<T> => {
    const t0 = performance.now();
    return p.finally(() => observe(op, (performance.now() - t0) / 1000));
  };
  return {
    load: () => time('load', store.load()),
    insert: (s, c) => time('insert', store.insert(s, c)),
    assign: (s, r) => time('assign', store.assign(s, r)),
    write: (r) => time('write', store.write(r)),
    compact: (snap) => time('compact', store.compact(snap)),
    close: () => store.close(),
    ...(store.poll ? { poll: () => store.poll!() } : {}),
    get changes() {
      return store.changes;
    },
    ...(store.read ? { read: (id: string, o?: { othersOnly?: boolean }) => time('read', store.read!(id, o)) } : {}),
    ...(store.readAccount ? { readAccount: (name: string) => time('read', store.readAccount!(name)) } : {}),
    ...(store.rebase ? { rebase: (id: string) => store.rebase!(id) } : {}),
    ...(store.live ? { live: (): Promise<CoreRecord[]> => time('read', store.live!()) } : {}),
    ...(store.takeOver ? { takeOver: (s: CoreRecord, patch: Partial<CoreRecord>) => time('write', store.takeOver!(s, patch)) } : {}),
  };
}
