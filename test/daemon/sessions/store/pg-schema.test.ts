// The PostgreSQL schema's migrations: a database made by an earlier version gets only what it lacks, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { MIGRATIONS, migrate } from '../../../../src/daemon/sessions/store/pg-schema.js';
import { freshDatabase, type TestDatabase } from '../../../helpers/pg-database.js';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await freshDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('PostgreSQL schema migrations', () => {
  it('brings a database at version 1 to the latest, and applies nothing twice', async () => {
    // As the first release left it.
    await pool.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    await pool.query(MIGRATIONS[0]!);
    await pool.query('INSERT INTO schema_migrations (version) VALUES (1)');
    const latest = MIGRATIONS.length;
    expect(await migrate(pool)).toEqual(Array.from({ length: latest - 1 }, (_, i) => i + 2));
    expect(await migrate(pool)).toEqual([]);
    // fbay_insert as migrated: a create with no limit is recorded (version 1's wrote NULL into one_live and failed).
    const { rows } = await pool.query(
      "SELECT outcome FROM fbay_insert('t', 'ses_x', 'board', 'acct', 'pending', NULL, NULL, 'lab', NULL, now(), NULL, '{}'::jsonb, NULL, false, NULL, NULL)",
    );
    expect(rows).toEqual([{ outcome: 'created' }]);
  });

  it('fbay_insert waits for a free board whose row is only locked or being inserted (registered), and never claims a taken one', async () => {
    await migrate(pool);
    await pool.query("INSERT INTO resources (id, coordinator_id) VALUES ('c/virtual-1', 'c'), ('c/virtual-2', 'c')");
    const create = (id: string, board: string) =>
      `SELECT outcome, claimed FROM fbay_insert('c', '${id}', 'board', 'acct', 'allocating', NULL, NULL, NULL, 'c', now(), NULL, '{}'::jsonb, ARRAY['${board}'], false, NULL, NULL)`;
    const waiting = () => pool.query("SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted").then((r) => r.rows[0].n as number);
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      // The boards' rows updated by a registration that has not committed yet: the create waits, then claims.
      await locker.query('BEGIN');
      await locker.query("UPDATE resources SET online = true, updated_at = now() WHERE id = 'c/virtual-1'");
      const first = pool.query(create('ses_w1', 'c/virtual-1'));
      await expect.poll(waiting, { timeout: 10_000 }).toBe(1);
      await locker.query('COMMIT');
      expect((await first).rows).toEqual([{ outcome: 'created', claimed: 'c/virtual-1' }]);

      // A registration that is inserting the board's row: the create waits for it, then finds the board.
      await locker.query('BEGIN');
      await locker.query("INSERT INTO resources (id, coordinator_id) VALUES ('c/virtual-3', 'c')");
      const third = pool.query(create('ses_w0', 'c/virtual-3'));
      await expect.poll(waiting, { timeout: 10_000 }).toBe(1);
      await locker.query('COMMIT');
      expect((await third).rows).toEqual([{ outcome: 'created', claimed: 'c/virtual-3' }]);

      // A create that holds the row and takes the board: the one waiting behind it is refused, not given it too.
      await locker.query('BEGIN');
      expect((await locker.query(create('ses_w2', 'c/virtual-2'))).rows).toEqual([{ outcome: 'created', claimed: 'c/virtual-2' }]);
      const second = pool.query(create('ses_w3', 'c/virtual-2'));
      await expect.poll(waiting, { timeout: 10_000 }).toBe(1);
      await locker.query('COMMIT');
      expect((await second).rows).toEqual([{ outcome: 'no_resource', claimed: null }]);
    } finally {
      await locker.end();
    }
  });
});
