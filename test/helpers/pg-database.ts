// Test helper: a fresh PostgreSQL database per test file (fbay_test_<random>), emptied between tests, dropped at the end.
// The server is the machine's (CI starts Debian's cluster); FBAY_TEST_PG names a role that may create databases.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.FBAY_TEST_PG || 'postgres://fbay:fbay@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  /** Empties every table the store made (the schema stays). */
  empty(): Promise<void>;
  query<T extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function freshDatabase(base = PG_ADMIN_URL): Promise<TestDatabase> {
  const name = `fbay_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect().catch((err: Error) => {
    throw new Error(`PostgreSQL is not reachable at ${base} (${err.message}): start it (\`pg_ctlcluster 15 main start\`) or set FBAY_TEST_PG.`);
  });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(base, name);
  const pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  return {
    name,
    url,
    empty: async () => {
      const { rows } = await pool.query<{ exists: boolean }>("SELECT to_regclass('sessions') IS NOT NULL AS exists");
      if (rows[0]!.exists) await pool.query('TRUNCATE sessions, idempotency_keys, accounts, credit_ledger, quota_usage, resources, hosts, coordinators, api_keys');
    },
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    drop: async () => {
      await pool.end();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
