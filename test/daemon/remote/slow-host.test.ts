// A host that answers too slowly: the create fails in bounded time with 502 and leaves nothing reserved here.
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../../helpers/daemon-process.js';
import { twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';

let t: TwoDaemons;
afterEach(async () => {
  await t.close();
});

describe('a slow host', () => {
  it('times out within the request budget with upstream_unavailable', { timeout: 60_000 }, async () => {
    t = await twoDaemons();
    t.proxy.delay(20_000);
    const started = Date.now();
    const r = await t.lab('POST', '/v1/sessions', { board_type: 'virtual' });
    const took = Date.now() - started;
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('upstream_unavailable');
    expect(took).toBeLessThan(16_000);
    expect((await api(t.client.home.socket, 'GET', '/v1/sessions?all=1')).body.sessions).toEqual([]);
  });
});
