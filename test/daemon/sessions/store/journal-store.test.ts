// The embedded store: one journal for every kind, group commits, torn lines, the journals of earlier versions.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreRecord } from '../../../../src/daemon/sessions/record.js';
import { coreRecord } from './core-record.js';
import { JOURNAL_NAME, JournalStore } from '../../../../src/daemon/sessions/store/journal-store.js';

let dir: string;
let logged: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fbay-journal-'));
  logged = [];
});
// Every store a test opened is closed after it: a journal's file handle left to the GC is a Node warning (a failure).
const opened: JournalStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const open = () => {
  const store = new JournalStore({ stateDir: dir, log: (m) => logged.push(m), isFinal: (s) => s.ended_at !== null });
  opened.push(store);
  return store;
};
const record = coreRecord;
const claim = (resources: string[] | null = null) => ({ resources, queue: false, limit: null });

describe('JournalStore', () => {
  it('commits concurrent writes together and each is on disk when it resolves', async () => {
    const store = open();
    await store.load();
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.insert(record(`s${i}`), claim())));
    const lines = readFileSync(join(dir, JOURNAL_NAME), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(50);
    await store.close();
    expect((await open().load()).sessions.map((s) => s.id)).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`));
  });

  it('finishes the writes under way when it closes, and refuses any after, so the file is not made again', async () => {
    const store = open();
    await store.load();
    const first = store.write([{ t: 's', s: record('s1') }]);
    await store.close();
    await first;
    rmSync(join(dir, JOURNAL_NAME));
    await expect(store.write([{ t: 's', s: record('s2') }])).rejects.toThrow('the journal is closed');
    expect(existsSync(join(dir, JOURNAL_NAME))).toBe(false);
  });

  it('claims a resource once: a second insert for the same board gets the next one, or none', async () => {
    const store = open();
    await store.load();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => store.insert(record(id), claim(['virtual-1', 'virtual-2']))));
    expect([a, b, c].map((r) => (r.outcome === 'created' ? r.session.resource : r.outcome))).toEqual(['virtual-1', 'virtual-2', 'no_resource']);
  });

  it('drops a torn last line with a log line, keeping everything before it, and appends after it cleanly', async () => {
    const store = open();
    await store.load();
    await store.insert(record('kept'), claim());
    await store.close();
    appendFileSync(join(dir, JOURNAL_NAME), '[{"t":"s","s":{"id":"torn","kin');
    const again = open();
    expect((await again.load()).sessions.map((s) => s.id)).toEqual(['kept']);
    expect(logged.join('\n')).toMatch(/dropped a torn last line/);
    await again.insert(record('next'), claim());
    await again.close();
    expect((await open().load()).sessions.map((s) => s.id)).toEqual(['kept', 'next']);
  });

  it('carries the board and browser journals of the earlier version over, losing nothing', async () => {
    const board = { id: 'ses_board', account: 'local', board_type: 'virtual', board_id: 'virtual-1', state: 'idle', created_at: 5, ended_at: null, idempotency_key: 'k1', request_hash: 'h' };
    const browser = { id: 'ses_browser', account: 'local', state: 'ended', created_at: 7, ready_at: 7, ended_at: 9, end_reason: 'user_ended', cdp_token: 'cdp_x' };
    const account = { name: 'local', tier: 'local', balance: null, used_total: 3, configured: null, granted: [] };
    writeFileSync(join(dir, 'journal.jsonl'), `${JSON.stringify([{ t: 'session', s: board }, { t: 'account', a: account }])}\n`);
    mkdirSync(join(dir, 'browsers'));
    writeFileSync(join(dir, 'browsers', 'journal.jsonl'), `${JSON.stringify([{ t: 'b', s: browser }, { t: 'u', account: 'local', month: '2026-11', ms: 2 }])}\n`);
    const { sessions, accounts, usage } = await open().load();
    expect(sessions.map((s) => [s.id, s.kind, s.resource])).toEqual([
      ['ses_board', 'board', 'virtual-1'],
      ['ses_browser', 'browser', null],
    ]);
    expect(sessions[0]).toMatchObject({ idempotency_key: 'k1', host: null });
    expect(accounts).toEqual([account]);
    expect(usage).toEqual([{ account: 'local', kind: 'browser', month: '2026-11', ms: 2 }]);
    expect(existsSync(join(dir, 'journal.jsonl'))).toBe(false);
    expect(existsSync(join(dir, 'journal.jsonl.migrated'))).toBe(true);
    expect(logged.join('\n')).toMatch(/carried 2 sessions and 1 accounts over/);
  });

  it('keeps Idempotency-Keys: a second insert with one key returns the first session', async () => {
    const store = open();
    await store.load();
    const first = await store.insert(record('a', { idempotency_key: 'k' }), claim());
    const second = await store.insert(record('b', { idempotency_key: 'k' }), claim());
    expect(first.outcome).toBe('created');
    expect(second).toMatchObject({ outcome: 'existing', session: { id: 'a' } });
  });

  it('holds a name for one live session at a time, across a restart, and lets it go when the session ends', async () => {
    const store = open();
    await store.load();
    const [a, b] = await Promise.all(['a', 'b'].map((id) => store.insert(record(id, { holds: ['profile:local.p'] }), claim())));
    expect(a!.outcome).toBe('created');
    expect(b).toMatchObject({ outcome: 'held', name: 'profile:local.p', holder: { id: 'a' } });
    expect((await store.insert(record('c', { holds: ['profile:local.q'] }), claim())).outcome).toBe('created');
    await store.close();
    const again = open();
    await again.load();
    expect((await again.insert(record('d', { holds: ['profile:local.p'] }), claim())).outcome).toBe('held');
    await again.write([{ t: 's', s: record('a', { holds: ['profile:local.p'], ended_at: 9, state: 'ended' }) }]);
    expect((await again.insert(record('e', { holds: ['profile:local.p'] }), claim())).outcome).toBe('created');
    await again.close();
  });
});
