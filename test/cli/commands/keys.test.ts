import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';

let fake: FakeDaemon;
beforeEach(async () => {
  fake = await startFakeDaemon();
});
afterEach(() => fake.close());

const ACCOUNT = { account: 'alice', tier: 'team', balance_credits: 50, credits_used_total: 0, limits: { max_concurrent: 2, max_session_s: null, initial_credits: 0 } };
const KEY = { name: 'alice', tier: 'team', prefix: 'key_AbCd', created_at: '2026-11-22T00:00:00.000Z', revoked_at: null, account: ACCOUNT };

describe('fbay keys', () => {
  it('create prints the key once with how to use it, and sends name, tier and credits', async () => {
    fake.route('POST', '/v1/keys', { status: 201, body: { key: `key_${'A'.repeat(32)}`, ...KEY } });
    const r = await run(['keys', 'create', '--name', 'alice', '--tier', 'team', '--credits', '50'], { FBAY_HOME: fake.home });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`key_${'A'.repeat(32)}`);
    expect(r.stdout).toMatch(/shown only now/);
    expect(fake.requests.at(-1)!.body).toEqual({ name: 'alice', tier: 'team', credits: 50 });
  });

  it('list shows prefixes and balances, never keys; credit and revoke', async () => {
    fake.route('GET', '/v1/keys', { body: { keys: [KEY] } });
    const list = await run(['keys', 'list'], { FBAY_HOME: fake.home });
    expect(list.stdout).toMatch(/alice\s+key_AbCd…\s+team\s+50/);
    fake.route('POST', '/v1/keys/alice/credits', { body: { ...ACCOUNT, balance_credits: 60 } });
    expect((await run(['keys', 'credit', 'alice', '10'], { FBAY_HOME: fake.home })).stdout).toBe('alice now has 60 credits.\n');
    expect((await run(['keys', 'credit', 'alice', 'lots'], { FBAY_HOME: fake.home })).code).toBe(2);
    fake.route('DELETE', '/v1/keys/alice', { body: { ...KEY, revoked_at: '2026-11-22T01:00:00.000Z' } });
    expect((await run(['keys', 'revoke', 'alice'], { FBAY_HOME: fake.home })).stdout).toBe("Revoked alice's key.\n");
  });
});
