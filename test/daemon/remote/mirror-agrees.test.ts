// A mirrored session shows what its host holds: the idle window asked for, the host's cap, the host account's
// balance on the meter, and a final charge that never goes down; and the key's sessions made elsewhere are listed.
import { afterEach, describe, expect, it } from 'vitest';
import { api, nextEvent } from '../../helpers/daemon-process.js';
import { twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';

let t: TwoDaemons;
afterEach(async () => {
  await t.close();
});

describe('a mirror agrees with its host', () => {
  it('idle window, cap, balance and the final charge are the host’s', async () => {
    t = await twoDaemons({ tiers: { pro: { max_session_s: 3600 } } });
    const metered = nextEvent(t.client.home.socket, (type, e) => type === 'meter' && e.balance_credits !== null);
    await metered.ready;
    const s = (await t.lab('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 90 })).body;
    const upstream = (await t.hostApi('GET', `/v1/sessions/${s.id}`)).body;
    expect([s.idle_timeout_s, upstream.idle_timeout_s]).toEqual([90, 90]);
    expect(s.expires_at).toBe(upstream.expires_at);
    expect(s.expires_at).not.toBeNull();
    const meter = (await metered.event).data;
    expect(meter.session_id).toBe(s.id);
    const hostBalance = (await t.hostApi('GET', '/v1/auth/me')).body.balance_credits;
    expect(Math.abs(meter.balance_credits - hostBalance)).toBeLessThan(2);
    const before = (await api(t.client.home.socket, 'GET', `/v1/sessions/${s.id}`)).body.credits_used;
    await api(t.client.home.socket, 'DELETE', `/v1/sessions/${s.id}`);
    // A board session ends here at once and is released on its host just after (CI once read the host first).
    await expect.poll(async () => (await t.hostApi('GET', `/v1/sessions/${s.id}`)).body.state).toBe('ended');
    const final = (await t.hostApi('GET', `/v1/sessions/${s.id}`)).body;
    await expect.poll(async () => (await api(t.client.home.socket, 'GET', `/v1/sessions/${s.id}`)).body.credits_used).toBe(final.credits_used);
    expect(final.credits_used).toBeGreaterThanOrEqual(before);
  });

  it('session list --remote shows the key’s sessions on the host, made by anyone, and end reaches them', async () => {
    t = await twoDaemons();
    const elsewhere = (await t.hostApi('POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const listed = (await t.lab('GET', '/v1/sessions')).body.sessions;
    expect(listed.map((x: { id: string }) => x.id)).toEqual([elsewhere.id]);
    expect(listed[0].host).toBe('lab');
    expect((await t.lab('GET', `/v1/sessions/${elsewhere.id}`)).body).toMatchObject({ id: elsewhere.id, state: 'idle' });
    expect((await t.lab('DELETE', `/v1/sessions/${elsewhere.id}`)).body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    expect((await t.hostApi('GET', `/v1/sessions/${elsewhere.id}`)).body.state).toBe('ended');
  });
});
