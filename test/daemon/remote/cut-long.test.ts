// A 25 s network cut, inside the host's 30 s idle window: the mirrored session survives with every byte.
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../../helpers/daemon-process.js';
import { twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';
import { cutAndCheck } from '../../helpers/cut-scenario.js';

let t: TwoDaemons;
afterEach(async () => {
  await t.close();
});

describe('a long cut', () => {
  it('25 s: reconnects before the host gives up, bytes exact, live again within a second', { timeout: 90_000 }, async () => {
    t = await twoDaemons();
    const { session, backAfterMs } = await cutAndCheck(t, 25_000);
    expect(backAfterMs).toBeLessThan(5000);
    expect((await api(t.client.home.socket, 'GET', `/v1/sessions/${session.id}`)).body.state).toBe('active');
    expect((await t.hostApi('GET', `/v1/sessions/${session.id}`)).body.state).toBe('active');
  });
});
