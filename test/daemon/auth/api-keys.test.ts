import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../../src/daemon/auth/api-keys.js';
import { ApiError } from '../../../src/transport/protocol/errors.js';

let dir: string;
beforeEach(() => void (dir = mkdtempSync('/tmp/fbay-keys-')));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('not refused');
};

describe('ApiKeyStore', () => {
  it('a live name is refused with a hint at rotate; a revoked name gets a new key for the same account', () => {
    const keys = new ApiKeyStore(dir);
    const first = keys.create('alice', 'team');
    const taken = refusal(() => keys.create('alice', 'team'));
    expect(taken.code).toBe('session_conflict');
    expect(taken.toBody().next).toContain('fbay keys rotate alice');
    expect(taken.toBody().next).not.toContain('session');
    keys.revoke('alice');
    expect(keys.authenticate(first.key)).toBeNull();
    const again = keys.create('alice', 'pro');
    expect(again.reused).toBe(true);
    expect(again.record).toMatchObject({ name: 'alice', tier: 'pro', revoked_at: null });
    expect(keys.authenticate(again.key)).toBe('alice');
    expect(keys.authenticate(first.key)).toBeNull();
    expect(keys.list()).toHaveLength(1);
  });

  it('rotate gives a new key for the same account; the old one stops working; it survives a restart', () => {
    const keys = new ApiKeyStore(dir);
    const { key: old } = keys.create('bob', 'free');
    const { key, record } = keys.rotate('bob');
    expect(key).not.toBe(old);
    expect(record.prefix).toBe(key.slice(0, 8));
    expect(record.rotated_at).toEqual(expect.any(String));
    const reopened = new ApiKeyStore(dir);
    expect(reopened.authenticate(key)).toBe('bob');
    expect(reopened.authenticate(old)).toBeNull();
    expect(readFileSync(join(dir, 'keys.json'), 'utf8')).not.toContain(key);
    expect(refusal(() => keys.rotate('nobody')).code).toBe('not_found');
    keys.revoke('bob');
    expect(refusal(() => keys.rotate('bob')).toBody().next).toContain('fbay keys create --name bob');
  });

  it("a host key is no account: authenticate refuses it, identify names its host, its kind survives a restart", () => {
    const keys = new ApiKeyStore(dir);
    const retired: string[] = [];
    keys.on('retired', (name) => retired.push(name));
    const host = keys.create('lab1', 'host', 'user', 'host');
    expect(host.record.kind).toBe('host');
    expect(keys.authenticate(host.key)).toBeNull();
    expect(keys.identify(host.key)).toEqual({ name: 'lab1', kind: 'host' });
    const user = keys.create('alice', 'team');
    expect(keys.identify(user.key)).toEqual({ name: 'alice', kind: 'user' });
    expect(new ApiKeyStore(dir).identify(host.key)).toEqual({ name: 'lab1', kind: 'host' });
    keys.revoke('lab1');
    expect(keys.identify(host.key)).toBeNull();
    expect(retired).toEqual(['lab1']);
    // A revoked host name comes back only as a host key.
    expect(refusal(() => keys.create('lab1', 'free')).message).toContain("'lab1' was a host key");
  });
});

