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
    expect(list.stdout).toMatch(/alice\s+user\s+key_AbCd…\s+team\s+50/);
    fake.route('POST', '/v1/keys/alice/credits', { body: { ...ACCOUNT, balance_credits: 60 } });
    expect((await run(['keys', 'credit', 'alice', '10'], { FBAY_HOME: fake.home })).stdout).toBe('alice now has 60 credits.\n');
    expect((await run(['keys', 'credit', 'alice', 'lots'], { FBAY_HOME: fake.home })).code).toBe(2);
    fake.route('DELETE', '/v1/keys/alice', { body: { ...KEY, revoked_at: '2026-11-22T01:00:00.000Z' } });
    expect((await run(['keys', 'revoke', 'alice'], { FBAY_HOME: fake.home })).stdout).toBe("Revoked alice's key.\n");
  });

  it('a team or pro key created with 0 credits says so and how to credit it', async () => {
    fake.route('POST', '/v1/keys', { status: 201, body: { key: `key_${'A'.repeat(32)}`, ...KEY, account: { ...ACCOUNT, balance_credits: 0 } } });
    const r = await run(['keys', 'create', '--name', 'alice', '--tier', 'team'], { FBAY_HOME: fake.home });
    expect(r.stdout).toContain("It has 0 credits, so alice's first `session create` would be refused (402): add some with `fbay keys credit alice N`.");
  });

  it('rotate prints the new key once and says the old one stopped working', async () => {
    fake.route('POST', '/v1/keys/alice/rotate', { body: { key: `key_${'B'.repeat(32)}`, ...KEY } });
    const r = await run(['keys', 'rotate', 'alice'], { FBAY_HOME: fake.home });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`key_${'B'.repeat(32)}`);
    expect(r.stdout).toContain("That is alice's new API key (the old one no longer works)");
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', url: '/v1/keys/alice/rotate' });
  });

  it('list rounds balances for people; --json keeps them whole', async () => {
    fake.route('GET', '/v1/keys', { body: { keys: [{ ...KEY, account: { ...ACCOUNT, balance_credits: 47.633334 } }] } });
    expect((await run(['keys', 'list'], { FBAY_HOME: fake.home })).stdout).toMatch(/alice\s+user\s+key_AbCd…\s+team\s+47\.63\s/);
    const json = await run(['--json', 'keys', 'list'], { FBAY_HOME: fake.home });
    expect(JSON.parse(json.stdout).keys[0].account.balance_credits).toBe(47.633334);
  });

  it('a taken name gets the daemon\'s hint (rotate), not one about sessions', async () => {
    fake.route('POST', '/v1/keys', { status: 409, body: { error: "There is already a key named 'alice'.", code: 'session_conflict', next: 'Pick another name, or give alice a new key with `fbay keys rotate alice` (the old one stops working).' } });
    const r = await run(['keys', 'create', '--name', 'alice'], { FBAY_HOME: fake.home });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('hint: Pick another name, or give alice a new key with `fbay keys rotate alice`');
  });
});
