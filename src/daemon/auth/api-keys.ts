// API keys for TCP clients: each key is an account; only a SHA-256 of the key is stored, compared in constant time.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ApiError } from '../../transport/protocol/errors.js';
import { FileKeyBackend, type KeyBackend } from './key-backend.js';
import type { ApiKeyRecord, KeyKind, KeyRole } from './key-record.js';

export type { ApiKeyRecord, KeyKind, KeyRole };

export type ApiKeyView = Omit<ApiKeyRecord, 'hash' | 'kind'> & { kind: KeyKind };

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const KEY_PATTERN = /^key_[A-Za-z0-9]{32}$/;
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

export function newKey(): string {
  let key = 'key_';
  for (let i = 0; i < 32; i++) key += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return key;
}

const viewOf = ({ hash: _hash, kind, ...view }: ApiKeyRecord): ApiKeyView => ({ ...view, kind: kind ?? 'user' });

export const kindOf = (k: Pick<ApiKeyRecord, 'kind'>): KeyKind => k.kind ?? 'user';

/**
 * The keys, held in memory for every request's check; where they are kept (a file, PostgreSQL) is the backend's.
 * 'retired' (name): a key stopped working (revoked, or rotated): connections made with it must end.
 */
export class ApiKeyStore extends EventEmitter<{ retired: [name: string] }> {
  private readonly backend: KeyBackend;
  private keys: ApiKeyRecord[];

  /** A state dir (the keys file in it), or another backend with the keys it holds now. */
  constructor(where: string | KeyBackend) {
    super();
    this.backend = typeof where === 'string' ? new FileKeyBackend(where) : where;
    this.keys = this.backend.initial();
    this.backend.onChange?.((keys) => {
      this.keys = keys;
      this.hashes = null;
    });
  }

  /** What a key may do; null for an unknown name. */
  roleOf(name: string): KeyRole | null {
    const record = this.get(name);
    return record ? (record.role ?? 'user') : null;
  }

  list(): ApiKeyView[] {
    return this.keys.map(viewOf);
  }

  get(name: string): ApiKeyRecord | undefined {
    return this.keys.find((k) => k.name === name);
  }

  /**
   * Creates a key for an account; returns the key itself, which is never stored and never shown again. A revoked
   * name can be used again: it gets a new key, and the account (its balance and usage) is the one it had.
   */
  create(name: string, tier: string, role: KeyRole = 'user', kind: KeyKind = 'user'): { key: string; record: ApiKeyView; reused: boolean } {
    if (!NAME_PATTERN.test(name) || name === 'local') {
      throw new ApiError('invalid_request', `A key's name must be 1–64 lowercase letters, digits, '.', '_' or '-' (and not 'local'); got '${name}'.`);
    }
    const existing = this.get(name);
    if (existing && !existing.revoked_at) {
      throw new ApiError('session_conflict', `There is already a key named '${name}'.`, {
        next: `Pick another name, or give ${name} a new key with \`fbay keys rotate ${name}\` (the old one stops working).`,
      });
    }
    if (existing && kindOf(existing) !== kind) {
      throw new ApiError('session_conflict', `'${name}' was a ${kindOf(existing)} key; a revoked name is given again only as the same kind of key.`, { next: 'Pick another name.' });
    }
    const key = newKey();
    const fresh = {
      tier,
      prefix: key.slice(0, 8),
      hash: sha256(key).toString('hex'),
      created_at: new Date().toISOString(),
      revoked_at: null,
      ...(role === 'user' ? {} : { role }),
      ...(kind === 'host' ? { kind } : {}),
    };
    const record: ApiKeyRecord = existing ? Object.assign(existing, fresh) : { name, ...fresh };
    if (!existing) this.keys.push(record);
    this.save();
    return { key, record: viewOf(record), reused: existing !== undefined };
  }

  /** A new key for a live key's account; the old key stops working at once. */
  rotate(name: string): { key: string; record: ApiKeyView } {
    const record = this.get(name);
    if (!record) throw new ApiError('not_found', `No key named '${name}'.`, { next: 'See `fbay keys list`.' });
    if (record.revoked_at) {
      throw new ApiError('session_conflict', `${name}'s key was revoked; there is nothing to rotate.`, {
        next: `Give ${name} a new key with \`fbay keys create --name ${name}\`.`,
      });
    }
    const key = newKey();
    Object.assign(record, { prefix: key.slice(0, 8), hash: sha256(key).toString('hex'), rotated_at: new Date().toISOString() });
    this.save();
    this.emit('retired', name);
    return { key, record: viewOf(record) };
  }

  revoke(name: string): ApiKeyView {
    const record = this.get(name);
    if (!record) throw new ApiError('not_found', `No key named '${name}'.`, { next: 'See `fbay keys list`.' });
    record.revoked_at ??= new Date().toISOString();
    this.save();
    this.emit('retired', name);
    return viewOf(record);
  }

  /** The account a user's key acts as, or null (a host's key is no account). */
  authenticate(key: string): string | null {
    const found = this.identify(key);
    return found?.kind === 'user' ? found.name : null;
  }

  /** Whose key it is and what kind, or null for a key that is not valid (or revoked). */
  identify(key: string): { name: string; kind: KeyKind } | null {
    // Looked up by the hash of the key: what is compared is a SHA-256, so the lookup's timing tells nothing of the key.
    const presented = sha256(key);
    const record = this.byHash().get(presented.toString('hex'));
    if (!record || record.revoked_at || !timingSafeEqual(presented, Buffer.from(record.hash, 'hex'))) return null;
    return { name: record.name, kind: kindOf(record) };
  }

  private hashes: Map<string, ApiKeyRecord> | null = null;
  private byHash(): Map<string, ApiKeyRecord> {
    return (this.hashes ??= new Map(this.keys.map((k) => [k.hash, k])));
  }

  /** Keeps the keys again (also after the state dir was deleted under the daemon). */
  save(): void {
    this.hashes = null;
    this.backend.save(this.keys);
  }
}
