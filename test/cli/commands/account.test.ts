import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../../../src/transport/protocol/api.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';

let fake: FakeDaemon;
beforeEach(async () => {
  fake = await startFakeDaemon();
});
afterEach(() => fake.close());

const ACCOUNT: Account = {
  account: 'local',
  tier: 'free',
  balance_credits: 19.5,
  credits_used_total: 0.5,
  limits: { max_concurrent: 1, max_session_s: 600, initial_credits: 20 },
  plans: { browser: { name: 'free', max_concurrent: 1, monthly_hours: 5 }, sandbox: { name: 'free', max_live: 10, max_ttl_s: 86_400, overrides: false } },
};

describe('fbay account', () => {
  it('prints the account, or the object with --json', async () => {
    fake.route('GET', '/v1/auth/me', { body: ACCOUNT });
    const env = { FBAY_HOME: fake.home };
    expect((await run(['account'], env)).stdout).toContain('balance   19.5 credits');
    expect(JSON.parse((await run(['--json', 'account'], env)).stdout)).toEqual(ACCOUNT);
  });
});
