// Accounts against a real daemon: a configured balance, 402 when it is spent, the reload that applies a new one.
import { afterEach, describe, expect, it } from 'vitest';
import { api, makeHome, nextEvent, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let d: DaemonProcess;
afterEach(async () => {
  await stopDaemon(d);
  h.cleanup();
});

describe('account and meter', () => {
  it('402s a create on a zero balance, and a reload with a new balance lets it through', async () => {
    h = makeHome();
    h.writeConfig({ account: { tier: 'local', balance_credits: 0 } });
    d = await spawnDaemon(h.home);
    const me = await api(h.socket, 'GET', '/v1/auth/me');
    expect(me.body).toMatchObject({ account: 'local', tier: 'local', balance_credits: 0, limits: { max_concurrent: 1 } });
    const refused = await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('payment_required');
    h.writeConfig({ account: { tier: 'local', balance_credits: 5 } });
    expect((await api(h.socket, 'POST', '/v1/config/reload', { changed: ['account.balance_credits'] })).status).toBe(204);
    const ok = await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect(ok.status).toBe(201);
    expect((await api(h.socket, 'GET', '/v1/auth/me')).body.balance_credits).toBeCloseTo(4, 1);
  });

  it('unmetered by default for the local owner, usage still recorded', async () => {
    h = makeHome();
    d = await spawnDaemon(h.home);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    const me = await api(h.socket, 'GET', '/v1/auth/me');
    expect(me.body.balance_credits).toBeNull();
    expect(me.body.credits_used_total).toBeGreaterThanOrEqual(1);
  });
});

describe('config reload', () => {
  it('shrinking virtual_boards unplugs a reserved board: with no grace its session ends with board_lost', async () => {
    h = makeHome();
    h.writeConfig({ virtual_boards: 1, board_grace_s: 0 });
    d = await spawnDaemon(h.home);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const ended = nextEvent(h.socket, (type) => type === 'ended', `?session=${s.id}`);
    await ended.ready;
    h.writeConfig({ virtual_boards: 0, board_grace_s: 0 });
    await api(h.socket, 'POST', '/v1/config/reload', { changed: ['virtual_boards'] });
    expect((await ended.event).data).toMatchObject({ reason: 'board_lost' });
    expect((await api(h.socket, 'GET', '/v1/boards')).body.boards).toEqual([]);
  });
});
