// The owner's key routes on a real daemon: rotate, a revoked name used again, the tiers a key may have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let d: DaemonProcess;
let port: number;
beforeAll(async () => {
  h = makeHome();
  d = await spawnDaemon(h.home, { FBAY_LISTEN: '127.0.0.1:0' });
  const health = await api(h.socket, 'GET', '/v1/health');
  port = Number(health.body.listeners.find((l: string) => l.startsWith('tcp:')).split(':').pop());
});
afterAll(async () => {
  await stopDaemon(d);
  h.cleanup();
});

const me = async (key: string) => (await fetch(`http://127.0.0.1:${port}/v1/auth/me`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('API key routes', () => {
  it("refuses tier 'local' for a teammate's key", async () => {
    const r = await api(h.socket, 'POST', '/v1/keys', { name: 'mallory', tier: 'local' });
    expect(r.status).toBe(400);
    expect(r.body.error).toContain("tier 'local' is the host owner's own");
  });

  it('rotate: a new key, the old one refused at once, the same account and balance', async () => {
    const created = (await api(h.socket, 'POST', '/v1/keys', { name: 'alice', tier: 'team', credits: 47.633334 })).body;
    const rotated = await api(h.socket, 'POST', '/v1/keys/alice/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ name: 'alice', tier: 'team', account: { account: 'alice', balance_credits: 47.633334 } });
    expect(await me(created.key)).toBe(401);
    expect(await me(rotated.body.key)).toBe(200);
  });

  it('a revoked name is used again: a new key, the account kept (no second grant of initial credits)', async () => {
    const first = (await api(h.socket, 'POST', '/v1/keys', { name: 'bob' })).body;
    expect(first.account.balance_credits).toBe(20);
    await api(h.socket, 'POST', '/v1/keys/bob/credits', { credits: 5 });
    await api(h.socket, 'DELETE', '/v1/keys/bob');
    const again = await api(h.socket, 'POST', '/v1/keys', { name: 'bob' });
    expect(again.status).toBe(201);
    expect(again.body.account.balance_credits).toBe(25);
    expect(await me(first.key)).toBe(401);
    expect(await me(again.body.key)).toBe(200);
    const live = await api(h.socket, 'POST', '/v1/keys', { name: 'bob' });
    expect(live.status).toBe(409);
    expect(live.body.next).toContain('fbay keys rotate bob');
  });
});
