// The PostgreSQL store's claims with many candidates: a create offers the few it believes free first, and falls back
// to every candidate when that guess was wrong, so a board is never missed nor given twice.
import { describe, expect, it } from 'vitest';
import type { CoreRecord } from '../../../../src/daemon/sessions/record.js';
import type { SessionStore } from '../../../../src/daemon/sessions/store/store.js';
import { useStores } from '../../../helpers/stores.js';
import { coreRecord } from './core-record.js';

const isFinal = (s: CoreRecord) => s.state === 'ended';
const boards = Array.from({ length: 40 }, (_, i) => `a/virtual-${i + 1}`);
const claim = { resources: boards, queue: false, limit: { max: 100, states: ['pending', 'allocating', 'idle', 'active'] } };

async function create(store: SessionStore, id: string) {
  const s = coreRecord(id, { state: 'pending', coordinator: 'a', created_at: Date.now() });
  return { s, result: await store.insert(s, claim) };
}

describe('PgStore claims', () => {
  const stores = useStores('postgres');

  it('gives 40 concurrent creates the 40 boards, each once, and refuses the 41st', async () => {
    const a = stores.open(isFinal, 'a');
    await a.load();
    const made = await Promise.all(boards.map((_, i) => create(a, `ses_${i}`)));
    expect(made.every((m) => m.result.outcome === 'created')).toBe(true);
    expect(new Set(made.map((m) => m.s.resource)).size).toBe(40);
    expect((await create(a, 'ses_extra')).result.outcome).toBe('no_resource');
  });

  it('finds a board another coordinator freed, though this one still believes it held', async () => {
    const a = stores.open(isFinal, 'a');
    await a.load();
    const made = await Promise.all(boards.map((_, i) => create(a, `ses_${i}`)));
    const freed = made.find((m) => m.s.resource === 'a/virtual-7')!.s;
    // B ends A's session on a/virtual-7 (as an end through another coordinator does): A has not heard of it.
    const b = stores.open(isFinal, 'b');
    await b.load();
    await b.write([{ t: 's', s: { ...freed, state: 'ended', ended_at: Date.now(), rev: (freed.rev ?? 0) + 1 } }]);
    const again = await create(a, 'ses_again');
    expect(again.result.outcome).toBe('created');
    expect(again.s.resource).toBe('a/virtual-7');
  });

  it('falls back to every candidate when the ones it believed free were taken by a session it has not heard of', async () => {
    const a = stores.open(isFinal, 'a');
    await a.load();
    const b = stores.open(isFinal, 'b');
    await b.load();
    // B's sessions take the first eight of the same names: A's guess (the first four) is wrong.
    for (let i = 0; i < 8; i++) expect((await create(b, `ses_b${i}`)).result.outcome).toBe('created');
    const made = await create(a, 'ses_a');
    expect(made.result.outcome).toBe('created');
    expect(made.s.resource).toBe('a/virtual-9');
  });

  it('records a create with no limit (a remote host\'s session), whose one_live is false', async () => {
    const a = stores.open(isFinal, 'a');
    await a.load();
    const s = coreRecord('ses_remote', { state: 'pending', host: 'lab', created_at: Date.now() });
    expect((await a.insert(s, { resources: null, queue: false, limit: null })).outcome).toBe('created');
    expect(await stores.query("SELECT one_live, live FROM sessions WHERE id = 'ses_remote'")).toEqual([{ one_live: false, live: true }]);
  });

  it('takes the first free board in the order given, as the embedded store does', async () => {
    const a = stores.open(isFinal, 'a');
    await a.load();
    const first = await create(a, 'ses_1');
    const second = await create(a, 'ses_2');
    expect([first.s.resource, second.s.resource]).toEqual(['a/virtual-1', 'a/virtual-2']);
    await a.write([{ t: 's', s: { ...first.s, state: 'ended', ended_at: Date.now(), rev: (first.s.rev ?? 0) + 1 } }]);
    expect((await create(a, 'ses_3')).s.resource).toBe('a/virtual-1');
  });

  it('reads accounts with their usage, together: one with rows, one with usage but no account row, one unknown', async () => {
    const a = stores.open(isFinal, 'a');
    await a.load();
    await stores.query("INSERT INTO accounts (name, tier, balance, used_total, configured, granted) VALUES ('acct', 'pro', 12.5, 3, NULL, '{}')");
    await stores.query("INSERT INTO quota_usage (account, kind, month, ms) VALUES ('acct', 'browser', '2026-12', 4000000000), ('acct', 'sandbox', '2026-12', 7), ('loose', 'browser', '2026-11', 5)");
    // Asked for in one turn: one statement reads them all.
    const [acct, loose, nobody] = await Promise.all(['acct', 'loose', 'nobody'].map((n) => a.readAccount!(n)));
    expect(acct!.account).toMatchObject({ name: 'acct', tier: 'pro', balance: 12.5, used_total: 3 });
    expect(acct!.usage.sort((x, y) => String(x.kind).localeCompare(String(y.kind)))).toEqual([
      { account: 'acct', kind: 'browser', month: '2026-12', ms: 4_000_000_000 },
      { account: 'acct', kind: 'sandbox', month: '2026-12', ms: 7 },
    ]);
    expect(loose).toEqual({ account: null, usage: [{ account: 'loose', kind: 'browser', month: '2026-11', ms: 5 }] });
    expect(nobody).toEqual({ account: null, usage: [] });
  });
});
