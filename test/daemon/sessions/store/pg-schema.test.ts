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
});
