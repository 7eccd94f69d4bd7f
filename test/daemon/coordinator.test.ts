// Two coordinator daemons on one PostgreSQL database: keys made on one work on the other, a session made through one
// is shown and ended through the other, hosts are listed, and /metrics answers the owner and metrics keys only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../helpers/pg-database.js';
import { startCoordinator, type CoordinatorProcess } from '../helpers/coordinators.js';

let db: TestDatabase;
let a: CoordinatorProcess;
let b: CoordinatorProcess;
let key: string;

beforeAll(async () => {
  db = await freshDatabase();
  a = await startCoordinator('coord-a', db.url);
  b = await startCoordinator('coord-b', db.url);
  key = (await a.owner('POST', '/v1/keys', { name: 'alice', tier: 'pro', credits: 100 })).body.key;
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await db?.drop();
});

describe('coordinators on one PostgreSQL database', () => {
  it("accepts on B a key made on A, and shows and ends through B a session made through A (charged once)", async () => {
    await expect.poll(async () => (await b.tcp(key, 'GET', '/v1/auth/me')).status).toBe(200);
    const created = await a.tcp(key, 'POST', '/v1/sessions', { board_type: 'virtual' }, { 'idempotency-key': 'c-1' });
    expect(created).toMatchObject({ status: 201, body: { state: 'idle', board_id: 'virtual-1' } });
    const id = created.body.id as string;
    expect((await b.tcp(key, 'GET', `/v1/sessions/${id}`)).body).toMatchObject({ id, state: 'idle' });
    // The same Idempotency-Key through the other coordinator: the same session.
    expect((await b.tcp(key, 'POST', '/v1/sessions', { board_type: 'virtual' }, { 'idempotency-key': 'c-1' })).body.id).toBe(id);
    const ended = await b.tcp(key, 'DELETE', `/v1/sessions/${id}`);
    expect(ended.body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    await expect.poll(async () => (await a.tcp(key, 'GET', `/v1/sessions/${id}`)).body.state).toBe('ended');
    expect(await db.query('SELECT session_id FROM credit_ledger')).toEqual([{ session_id: id }]);
  });

  it('lists joined hosts in the status, with their boards, version and heartbeat', async () => {
    expect((await a.owner('GET', '/v1/health')).body).toMatchObject({ coordinator: 'coord-a', fleet: [] });
    // What the host tunnel records (the join side): a heartbeat and the host's boards, through the store.
    const pool = new pg.Pool({ connectionString: db.url });
    const { PgFleet } = await import('../../src/daemon/sessions/store/pg-fleet.js');
    const fleet = new PgFleet(pool, 'coord-a');
    await fleet.hostHeartbeat('lab-1', { version: '0.1.0' });
    await fleet.registerResources({ coordinator_id: 'coord-a', host: 'lab-1' }, [{ id: 'lab-1/esp-1', kind: 'board', coordinator_id: 'coord-a', host: 'lab-1', type: 'esp32-s3', name: 'esp-1', online: true }]);
    await pool.end();
    const health = (await a.owner('GET', '/v1/health')).body;
    expect(health.fleet).toEqual([expect.objectContaining({ name: 'lab-1', boards: ['lab-1/esp-1'], version: '0.1.0', link_state: 'open', coordinator_id: 'coord-a' })]);
    expect((await b.owner('GET', '/v1/health')).body.fleet).toEqual([]);
    const metrics = (await a.owner('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^fbay_host_heartbeat_lag_seconds\{host="lab-1"\} [\d.]+$/m);
  });

  it('serves /metrics to the owner and to a metrics key, and to nobody else', async () => {
    const text = (await a.owner('GET', '/metrics')).body as string;
    expect(text).toMatch(/^# TYPE fbay_sessions gauge$/m);
    expect(text).toMatch(/^fbay_sessions\{kind="board",state="ended"\} 0$|^fbay_allocations_total\{kind="board"\} \d+$/m);
    expect(text).toMatch(/^fbay_store_seconds_bucket\{op="insert",le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^fbay_queue_length\{kind="board"\} 0$/m);
    const metricsKey = (await a.owner('POST', '/v1/keys', { name: 'prom', role: 'metrics' })).body.key as string;
    await expect.poll(async () => (await b.tcp(metricsKey, 'GET', '/metrics')).status).toBe(200);
    expect((await b.tcp(metricsKey, 'GET', '/v1/sessions')).status).toBe(403);
    expect((await b.tcp(key, 'GET', '/metrics')).status).toBe(403);
  });
});
