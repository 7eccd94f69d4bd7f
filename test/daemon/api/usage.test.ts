// GET /v1/usage (the dashboard's chart) and the `boards` event (its live grid), against a real daemon.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, makeHome, nextEvent, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let d: DaemonProcess;
beforeAll(async () => {
  h = makeHome();
  h.writeConfig({ virtual_boards: 2 });
  d = await spawnDaemon(h.home);
});
afterAll(async () => {
  await stopDaemon(d);
  h.cleanup();
});

describe('usage over time', () => {
  it("buckets today's board credits with what the account view says was used", async () => {
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const ended = (await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`)).body;
    const usage = (await api(h.socket, 'GET', '/v1/usage?days=7')).body;
    expect(usage.buckets).toHaveLength(7);
    expect(usage.buckets.at(-1).credits.board).toBeCloseTo(ended.credits_used, 6);
    expect(usage.buckets.slice(0, 6).every((b: { credits: object }) => Object.keys(b.credits).length === 0)).toBe(true);
    expect(usage.plans.browser.name).toBe('scale');
    expect((await api(h.socket, 'GET', '/v1/usage?days=0')).status).toBe(400);
  });

  it('tells every event stream that the boards changed when the board list does', async () => {
    const next = nextEvent(h.socket, (type) => type === 'boards');
    await next.ready;
    h.writeConfig({ virtual_boards: 3 });
    await api(h.socket, 'POST', '/v1/config/reload', { changed: ['virtual_boards'] });
    expect((await next.event).data).toEqual({ type: 'boards' });
  });
});
