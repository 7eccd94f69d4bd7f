// API keys for TCP clients: each key is an account; only a SHA-256 of the key is stored, compared in constant time.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../transport/protocol/errors.js';

export interface ApiKeyRecord {
  /** The account name the key acts as. */
  name: string;
  tier: string;
  /** The first characters of the key, to tell keys apart in `keys list` without showing them. */
  prefix: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

export type ApiKeyView = Omit<ApiKeyRecord, 'hash'>;

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const KEY_PATTERN = /^key_[A-Za-z0-9]{32}$/;
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export function newKey(): string {
  let key = 'key_';
  for (let i = 0; i < 32; i++) key += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return key;
}

export class ApiKeyStore {
  private readonly file: string;
  private keys: ApiKeyRecord[];

  constructor(stateDir: string) {
    this.file = join(stateDir, 'keys.json');
    this.keys = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as { keys: ApiKeyRecord[] }).keys : [];
  }

  list(): ApiKeyView[] {
    return this.keys.map(({ hash: _hash, ...view }) => view);
  }

  get(name: string): ApiKeyRecord | undefined {
    return this.keys.find((k) => k.name === name);
  }

  /** Creates a key for a new account; returns the key itself, which is never stored and never shown again. */
  create(name: string, tier: string): { key: string; record: ApiKeyView } {
    if (!NAME_PATTERN.test(name) || name === 'local') {
      throw new ApiError('invalid_request', `A key's name must be 1–64 lowercase letters, digits, '.', '_' or '-' (and not 'local'); got '${name}'.`);
    }
    if (this.get(name)) throw new ApiError('session_conflict', `There is already a key named '${name}'. Pick another name, or revoke it first.`);
    const key = newKey();
    const record: ApiKeyRecord = {
      name,
      tier,
      prefix: key.slice(0, 8),
      hash: sha256(key).toString('hex'),
      created_at: new Date().toISOString(),
      revoked_at: null,
    };
    this.keys.push(record);
    this.save();
    const { hash: _hash, ...view } = record;
    return { key, record: view };
  }

  revoke(name: string): ApiKeyView {
    const record = this.get(name);
    if (!record) throw new ApiError('not_found', `No key named '${name}'. See \`fbay keys list\`.`);
    record.revoked_at ??= new Date().toISOString();
    this.save();
    const { hash: _hash, ...view } = record;
    return view;
  }

  /** The account a key acts as, or null. Every stored hash is compared, in constant time, whatever matches. */
  authenticate(key: string): string | null {
    const presented = sha256(key);
    let found: ApiKeyRecord | null = null;
    for (const record of this.keys) {
      if (timingSafeEqual(presented, Buffer.from(record.hash, 'hex')) && !record.revoked_at) found = record;
    }
    return found?.name ?? null;
  }

  private save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ keys: this.keys }, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
