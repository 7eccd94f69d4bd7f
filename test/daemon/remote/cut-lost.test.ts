// A 40 s cut, longer than the host's 30 s idle window: the mirror ends upstream_lost, and nothing is charged after
// the host ended the session.
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, openSerial } from '../../helpers/daemon-process.js';
import { recorder, twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';

let t: TwoDaemons;
afterEach(async () => {
  await t.close();
});

describe('a cut longer than the idle window', () => {
  it('40 s: the local console is told upstream_lost; the host ended it at its idle timeout', { timeout: 90_000 }, async () => {
    t = await twoDaemons();
    // The idle window asked for is the host's too (the mirror holds what the host holds): 30 s, shorter than the cut.
    const s = (await t.lab('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 30 })).body;
    const local = await openSerial(t.client.home.socket, s.id);
    const rec = recorder(local);
    const ended = nextEvent(t.client.home.socket, (type) => type === 'ended', `?session=${s.id}`);
    await ended.ready;
    const cutAt = Date.now();
    t.proxy.cut();
    const e = (await ended.event).data;
    const lostAfter = Date.now() - cutAt;
    expect(e.reason).toBe('upstream_lost');
    expect(lostAfter).toBeLessThan(30_000);
    await rec.until(() => rec.texts.some((m) => m.type === 'ended'));
    expect(rec.texts.find((m) => m.type === 'ended').reason).toBe('upstream_lost');
    // The cut lasts 40 s in all: the host's own idle countdown runs out meanwhile.
    await new Promise((r) => setTimeout(r, Math.max(0, 40_000 - (Date.now() - cutAt))));
    t.proxy.restore();
    const upstream = (await t.hostApi('GET', `/v1/sessions/${s.id}`)).body;
    expect(upstream).toMatchObject({ state: 'ended', end_reason: 'idle_timeout' });
    const endedAfter = Date.parse(upstream.ended_at) - cutAt;
    expect(endedAfter).toBeGreaterThanOrEqual(29_000);
    expect(endedAfter).toBeLessThan(35_000);
    // Charged up to its end and no further: 1 credit, plus the pro rate for the seconds it lived.
    const seconds = Math.floor((Date.parse(upstream.ended_at) - Date.parse(upstream.started_at)) / 1000);
    expect(upstream.credits_used).toBeCloseTo(1 + (upstream.rate_credits_per_min * seconds) / 60, 6);
  });
});
