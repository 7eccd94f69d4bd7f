// A 5 s network cut and a stalled connection between the client daemon and the host: the session survives, bytes exact.
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../../helpers/daemon-process.js';
import { twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';
import { cutAndCheck } from '../../helpers/cut-scenario.js';

let t: TwoDaemons;
afterEach(async () => {
  await t.close();
});

describe('short faults on the line to the host', () => {
  it('a 5 s cut: reconnecting with a deadline, then live again with every byte once', { timeout: 60_000 }, async () => {
    t = await twoDaemons();
    const { session, rec, noticedAfterMs } = await cutAndCheck(t, 5000);
    expect(noticedAfterMs).toBeLessThan(1000);
    const dropped = rec.texts.find((m) => m.type === 'state' && m.link?.state === 'reconnecting');
    // The line is retried for the host's idle window (300 s here, as asked), less a margin.
    expect(Date.parse(dropped.link.deadline) - Date.now()).toBeLessThan(300_000);
    expect((await api(t.client.home.socket, 'GET', `/v1/sessions/${session.id}`)).body).toMatchObject({ state: 'active', link: { state: 'open' } });
  });

  it('a stalled connection that sends nothing is found by the heartbeat, and the line recovers', { timeout: 60_000 }, async () => {
    t = await twoDaemons();
    const { session, noticedAfterMs } = await cutAndCheck(t, 12_000, 'stall');
    // Nothing closes a stalled connection: only the heartbeat (10 s of silence) can find it.
    expect(noticedAfterMs).toBeGreaterThanOrEqual(9_000);
    expect(noticedAfterMs).toBeLessThan(12_000);
    expect((await api(t.client.home.socket, 'GET', `/v1/sessions/${session.id}`)).body.state).toBe('active');
  });
});
