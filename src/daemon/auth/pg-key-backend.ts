// API keys in PostgreSQL, so that a key made on one coordinator works on every other: the list is read at start and
// again whenever another coordinator changes it (a NOTIFY), and written whole (keys are few).
import type { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { StoreChanges } from '../sessions/store/store.js';
import type { ApiKeyRecord, KeyRole } from './key-record.js';
import type { KeyBackend } from './key-backend.js';

interface KeyRow {
  name: string;
  tier: string;
  role: string;
  prefix: string;
  hash: string;
  created_at: Date;
  revoked_at: Date | null;
  rotated_at: Date | null;
}

const recordOf = (r: KeyRow): ApiKeyRecord => ({
  name: r.name,
  tier: r.tier,
  prefix: r.prefix,
  hash: r.hash,
  created_at: r.created_at.toISOString(),
  revoked_at: r.revoked_at?.toISOString() ?? null,
  ...(r.rotated_at ? { rotated_at: r.rotated_at.toISOString() } : {}),
  // The role column also says a host's key (`host`): such a key is no account, whatever else it says.
  ...(r.role === 'host' ? { kind: 'host' as const } : r.role === 'user' ? {} : { role: r.role as KeyRole }),
});

/** The role column: a host key's kind, or a user key's role. */
const roleColumn = (k: ApiKeyRecord): string => (k.kind === 'host' ? 'host' : (k.role ?? 'user'));

async function readKeys(pool: pg.Pool): Promise<ApiKeyRecord[]> {
  const { rows } = await pool.query<KeyRow>('SELECT name, tier, role, prefix, hash, created_at, revoked_at, rotated_at FROM api_keys ORDER BY created_at');
  return rows.map(recordOf);
}

export class PgKeyBackend implements KeyBackend {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly keys: ApiKeyRecord[],
    private readonly changes: EventEmitter<StoreChanges>,
    private readonly coordinator: string,
    private readonly log: (message: string) => void,
  ) {}

  static async open(pool: pg.Pool, changes: EventEmitter<StoreChanges>, coordinator: string, log: (message: string) => void): Promise<PgKeyBackend> {
    return new PgKeyBackend(pool, await readKeys(pool), changes, coordinator, log);
  }

  initial(): ApiKeyRecord[] {
    return this.keys;
  }

  save(keys: ApiKeyRecord[]): void {
    const copy = structuredClone(keys);
    this.writing = this.writing.then(() => this.write(copy)).catch((err: Error) => this.log(`keys: could not store the API keys in PostgreSQL: ${err.message}`));
  }

  /** Resolves once every save so far is stored. */
  settled(): Promise<void> {
    return this.writing;
  }

  private async write(keys: ApiKeyRecord[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const k of keys) {
        await client.query(
          `INSERT INTO api_keys (name, tier, role, prefix, hash, created_at, revoked_at, rotated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (name) DO UPDATE SET tier = $2, role = $3, prefix = $4, hash = $5, created_at = $6, revoked_at = $7, rotated_at = $8`,
          [k.name, k.tier, roleColumn(k), k.prefix, k.hash, k.created_at, k.revoked_at, k.rotated_at ?? null],
        );
      }
      await client.query("SELECT pg_notify('fbay', 'k:' || $1 || ':all')", [this.coordinator]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  onChange(listener: (keys: ApiKeyRecord[]) => void): void {
    this.changes.on('keys', () => {
      readKeys(this.pool).then(listener, (err: Error) => this.log(`keys: could not read the API keys from PostgreSQL: ${err.message}`));
    });
  }
}
