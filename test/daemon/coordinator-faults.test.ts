// Faults of a coordinator's database: PostgreSQL stopped mid-traffic (a private cluster this test stops and starts).
// Creates during the outage get 503 with Retry-After and leave nothing behind; an end made meanwhile is stored once
// the database is back; everything resumes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { privateCluster, type PgCluster } from '../helpers/pg-cluster.js';
import { startCoordinator, type CoordinatorProcess } from '../helpers/coordinators.js';

let cluster: PgCluster;
let a: CoordinatorProcess;

beforeAll(async () => {
  cluster = await privateCluster();
  a = await startCoordinator('fault-a', cluster.url, { virtual_boards: 4 });
}, 60_000);
afterAll(async () => {
  await a?.stop();
  cluster?.destroy();
});

const rows = async (sql: string) => {
  const c = new pg.Client({ connectionString: cluster.url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
};

describe('a coordinator whose PostgreSQL goes away mid-traffic', () => {
  it('answers creates 503 with Retry-After while it is down, stores an end made meanwhile, and resumes', async () => {
    const key = (await a.owner('POST', '/v1/keys', { name: 'bob', tier: 'pro', credits: 100 })).body.key as string;
    const before = await a.tcp(key, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect(before.status).toBe(201);
    cluster.stop();
    const during = await a.tcp(key, 'POST', '/v1/sessions', { board_type: 'virtual' }, { 'idempotency-key': 'outage-1' });
    expect(during).toMatchObject({ status: 503, body: { code: 'store_unavailable' } });
    expect(during.headers['retry-after']).toBe('2');
    // An end while the database is away: answered once it is stored.
    const ending = a.tcp(key, 'DELETE', `/v1/sessions/${before.body.id}`);
    cluster.start();
    expect((await ending).body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    expect(await rows(`SELECT state FROM sessions WHERE id = '${before.body.id}'`)).toEqual([{ state: 'ended' }]);
    // Nothing of the refused create was kept: its key is free, and the same request now creates.
    expect(await rows("SELECT key FROM idempotency_keys WHERE key = 'outage-1'")).toEqual([]);
    await expect.poll(async () => (await a.tcp(key, 'POST', '/v1/sessions', { board_type: 'virtual' }, { 'idempotency-key': 'outage-1' })).status, { timeout: 10_000 }).toBe(201);
    expect(await rows("SELECT count(*)::int AS n FROM sessions WHERE live")).toEqual([{ n: 1 }]);
    expect(await rows('SELECT count(*)::int AS n FROM credit_ledger')).toEqual([{ n: 1 }]);
  }, 60_000);
});
