// The PostgreSQL schema, as numbered migrations applied at start under an advisory lock (the first coordinator to
// start applies them; the others wait, then find them applied). SQL kept to PostgreSQL 15.
import type { Pool } from 'pg';
import { PG_INSERT_FUNCTION, PG_WRITE_FUNCTION } from './pg-functions.js';

/** Held while migrating: one coordinator at a time. */
const MIGRATION_LOCK = 0x0fba_0001;

const V1_TABLES = `
CREATE TABLE sessions (
  id text PRIMARY KEY,
  kind text NOT NULL,
  account text NOT NULL,
  state text NOT NULL,
  resource text,
  idempotency_key text,
  host text,
  coordinator text,
  live boolean NOT NULL,
  -- The account may have only one live session of this kind (its tier's limit is 1): a unique index holds it.
  one_live boolean NOT NULL DEFAULT false,
  -- The states that count toward that limit of one, fixed at create.
  limit_states text[],
  rev bigint NOT NULL DEFAULT 0,
  written_by text,
  created_at timestamptz NOT NULL,
  ended_at timestamptz,
  -- The earliest instant one of its deadlines (idle, caps, TTLs, grace, queue wait) fires; null: none.
  next_deadline timestamptz,
  record jsonb NOT NULL
);
CREATE UNIQUE INDEX sessions_one_per_resource ON sessions (resource) WHERE live AND resource IS NOT NULL;
CREATE UNIQUE INDEX sessions_one_live_per_account ON sessions (account, kind) WHERE live AND one_live;
CREATE INDEX sessions_live_by_account ON sessions (account, kind) WHERE live;
CREATE INDEX sessions_deadlines ON sessions (next_deadline) WHERE live;
CREATE INDEX sessions_created ON sessions (created_at);

CREATE TABLE idempotency_keys (
  account text NOT NULL,
  key text NOT NULL,
  session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  request_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, key)
);

CREATE TABLE accounts (
  name text PRIMARY KEY,
  tier text NOT NULL,
  balance double precision,
  used_total double precision NOT NULL DEFAULT 0,
  configured double precision,
  granted text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per settled session, written in the same transaction as the session's end: a charge is booked once.
CREATE TABLE credit_ledger (
  session_id text PRIMARY KEY,
  account text NOT NULL,
  credits double precision NOT NULL,
  at timestamptz NOT NULL,
  coordinator text
);
CREATE INDEX credit_ledger_account ON credit_ledger (account, at);

CREATE TABLE quota_usage (
  account text NOT NULL,
  kind text NOT NULL,
  month text NOT NULL,
  ms bigint NOT NULL,
  PRIMARY KEY (account, kind, month)
);

CREATE TABLE api_keys (
  name text PRIMARY KEY,
  tier text NOT NULL,
  role text NOT NULL DEFAULT 'user',
  prefix text NOT NULL,
  hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  rotated_at timestamptz
);

CREATE TABLE coordinators (
  id text PRIMARY KEY,
  url text,
  version text,
  pid integer,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_heartbeat_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hosts (
  name text PRIMARY KEY,
  coordinator_id text,
  last_heartbeat_at timestamptz,
  link_state text NOT NULL DEFAULT 'open',
  version text
);

-- What sessions claim: boards (a coordinator's own, or a joined host's) and other resources such as browser slots.
CREATE TABLE resources (
  id text PRIMARY KEY,
  kind text NOT NULL DEFAULT 'board',
  coordinator_id text,
  host text,
  type text,
  name text,
  online boolean NOT NULL DEFAULT true,
  info jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE VIEW boards AS SELECT id, coordinator_id, host, type, name, online, info, updated_at FROM resources WHERE kind = 'board';
`;

/** Every migration, in order; a new one is appended, never edited once released. */
export const MIGRATIONS: readonly string[] = [
  V1_TABLES + PG_INSERT_FUNCTION + PG_WRITE_FUNCTION,
  // 2: fbay_insert again, fixed: a create with no limit (a remote host's session) wrote NULL into one_live (NOT
  // NULL) and failed. Version 1 now makes the fixed one too; databases made before get it here.
  PG_INSERT_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'),
  // 3: how many browsers and sandboxes each joined host runs at once for its coordinator: another coordinator with no
  // room on hosts of its own passes such a create to the one whose host has room.
  'ALTER TABLE hosts ADD COLUMN sandboxes integer NOT NULL DEFAULT 0, ADD COLUMN browsers integer NOT NULL DEFAULT 0;',
  // 4: fbay_insert waits once for a free candidate that is only locked (its boards being registered again, a create
  // that may yet fail), and looks again after a registration under way inserted its candidates, instead of answering
  // that no board is free.
  PG_INSERT_FUNCTION.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'),
];

/** Applies the migrations this database lacks, under an advisory lock; returns the versions applied now. */
export async function migrate(pool: Pool): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const have = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const [i, sql] of MIGRATIONS.entries()) {
      const version = i + 1;
      if (have.has(version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${version} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
