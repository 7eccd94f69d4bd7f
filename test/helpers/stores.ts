// Test helper: the session core's suites run once per store — the embedded journal and PostgreSQL (a database of
// their own per file, emptied before each test). Only the core's timers are fake; the stores' I/O is real.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { CoreRecord } from '../../src/daemon/sessions/record.js';
import { JournalStore } from '../../src/daemon/sessions/store/journal-store.js';
import { PgStore } from '../../src/daemon/sessions/store/pg-store.js';
import type { SessionStore } from '../../src/daemon/sessions/store/store.js';
import { freshDatabase, type TestDatabase } from './pg-database.js';

export const STORES = ['journal', 'postgres'] as const;
export type StoreName = (typeof STORES)[number];

export interface Stores {
  name: StoreName;
  /** The store for this test (empty at its start); PostgreSQL's are one database, so a second open is a second coordinator. */
  open(isFinal: (s: CoreRecord) => boolean, coordinator?: string): SessionStore;
  /** What `previous` kept, opened again as a restarted daemon would (once its writes under way have landed). */
  reopen(previous: SessionStore, isFinal: (s: CoreRecord) => boolean): Promise<SessionStore>;
  /** A query on the test's PostgreSQL database (postgres only). */
  query(sql: string, params?: unknown[]): Promise<any[]>;
  /** Resolves once no store call is under way (and none started meanwhile): what the core was doing has landed. */
  idle(): Promise<void>;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Counts a store's calls under way, so a test can wait for real I/O while the core's clock stays fake. */
function tracked(store: SessionStore, calls: { n: number; started: number }): SessionStore {
  const count = <T>(p: Promise<T>): Promise<T> => {
    calls.n++;
    calls.started++;
    return p.finally(() => calls.n--);
  };
  return {
    load: () => count(store.load()),
    insert: (s, c) => count(store.insert(s, c)),
    assign: (s, r) => count(store.assign(s, r)),
    write: (r) => count(store.write(r)),
    compact: (snap) => count(store.compact(snap)),
    close: () => store.close(),
    get changes() {
      return store.changes;
    },
    ...(store.read ? { read: (id: string, o?: { othersOnly?: boolean }) => count(store.read!(id, o)) } : {}),
    ...(store.readAccount ? { readAccount: (name: string) => count(store.readAccount!(name)) } : {}),
    ...(store.rebase ? { rebase: (id: string) => store.rebase!(id) } : {}),
    ...(store.live ? { live: () => count(store.live!()) } : {}),
    ...(store.takeOver ? { takeOver: (s: CoreRecord, patch: Partial<CoreRecord>) => count(store.takeOver!(s, patch)) } : {}),
  };
}

/** Registers the hooks that give each test of the enclosing describe a fresh store of this kind. */
export function useStores(name: StoreName): Stores {
  let db: TestDatabase | null = null;
  let dir = '';
  const opened: SessionStore[] = [];
  const calls = { n: 0, started: 0 };
  if (name === 'postgres') {
    beforeAll(async () => void (db = await freshDatabase()));
    afterAll(async () => db?.drop());
  }
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fbay-store-'));
    await db?.empty();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  });
  const make = (isFinal: (s: CoreRecord) => boolean, coordinator = 'test'): SessionStore => {
    const store =
      name === 'journal'
        ? new JournalStore({ stateDir: dir, log: () => {}, isFinal })
        : new PgStore({ url: db!.url, coordinator, log: () => {}, isFinal });
    opened.push(store);
    return tracked(store, calls);
  };
  return {
    name,
    open: make,
    reopen: async (previous, isFinal) => {
      await previous.close();
      return make(isFinal);
    },
    query: (sql, params) => {
      if (!db) throw new Error('bug: only the postgres store has a database to query');
      return db.query(sql, params);
    },
    idle: async () => {
      for (let quiet = 0; quiet < 3; ) {
        const before = calls.started;
        await turn();
        quiet = calls.n === 0 && calls.started === before ? quiet + 1 : 0;
      }
    },
  };
}
