// A session on a remote host, mirrored by the local daemon: create, the held line, events across the hop, faults.
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { api, nextEvent, openSerial } from '../../helpers/daemon-process.js';
import { recorder, twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';

let t: TwoDaemons;
afterEach(async () => {
  await t.close();
});

describe('mirrored sessions', () => {
  it('creates upstream under the same id, holds the line (host sees it active), relays both ways, and ends upstream', async () => {
    t = await twoDaemons();
    const created = await t.lab('POST', '/v1/sessions', { board_type: 'virtual' });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({ host: 'lab', state: 'idle', board_type: 'virtual' });
    expect((await t.hostApi('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ account: 'alice', state: 'active' });
    expect((await t.lab('GET', '/v1/boards')).body.boards.map((b: any) => b.state)).toContain('reserved');
    expect((await t.lab('GET', '/v1/auth/me')).body).toMatchObject({ account: 'alice', tier: 'pro' });
    const listed = (await api(t.client.home.socket, 'GET', '/v1/sessions')).body.sessions;
    expect(listed.map((x: any) => [x.id, x.host])).toEqual([[s.id, 'lab']]);
    // Listing on the host asks it for the same kind.
    expect((await t.lab('GET', '/v1/sessions?kind=board')).body.sessions.map((x: any) => x.id)).toEqual([s.id]);
    expect((await t.lab('GET', '/v1/sessions?kind=sandbox')).body.sessions).toEqual([]);

    const ws = await openSerial(t.client.home.socket, s.id);
    const rec = recorder(ws);
    ws.send(Buffer.from('echo across-the-hop\r'));
    await rec.until(() => (rec.bytes().toString().match(/across-the-hop/g) ?? []).length === 2);
    ws.close();
    await once(ws, 'close');

    const ended = await api(t.client.home.socket, 'DELETE', `/v1/sessions/${s.id}`);
    expect(ended.body).toMatchObject({ state: 'ended', end_reason: 'user_ended', host: 'lab' });
    // The DELETE upstream follows the local end; ask the host (a bounded number of times) until it says so.
    let upstream = (await t.hostApi('GET', `/v1/sessions/${s.id}`)).body;
    for (let i = 0; upstream.state !== 'ended' && i < 50; i++) upstream = (await t.hostApi('GET', `/v1/sessions/${s.id}`)).body;
    expect(upstream).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
  });

  it('an end on the host reaches the local console and `session wait` with its reason', async () => {
    t = await twoDaemons();
    const s = (await t.lab('POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const ws = await openSerial(t.client.home.socket, s.id);
    const rec = recorder(ws);
    const localEnded = nextEvent(t.client.home.socket, (type) => type === 'ended', `?session=${s.id}`);
    await localEnded.ready;
    await t.hostApi('DELETE', `/v1/sessions/${s.id}`);
    expect((await localEnded.event).data).toMatchObject({ reason: 'user_ended', session: { host: 'lab' } });
    await rec.until(() => rec.texts.some((m) => m.type === 'ended'));
    expect(rec.texts.find((m) => m.type === 'ended')).toMatchObject({ reason: 'user_ended' });
  });

  it('a host that is down at create time: 502 upstream_unavailable and nothing reserved; a wrong key is a 401', async () => {
    t = await twoDaemons();
    t.proxy.cut();
    const down = await t.lab('POST', '/v1/sessions', { board_type: 'virtual' });
    expect(down.status).toBe(502);
    expect(down.body.code).toBe('upstream_unavailable');
    expect((await api(t.client.home.socket, 'GET', '/v1/sessions?all=1')).body.sessions).toEqual([]);
    t.proxy.restore();
    expect((await t.hostApi('GET', '/v1/sessions?all=1')).body.sessions).toEqual([]);

    await api(t.host.home.socket, 'DELETE', '/v1/keys/alice');
    const revoked = await t.lab('POST', '/v1/sessions', { board_type: 'virtual' });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ code: 'unauthorized', error: expect.stringMatching(/refused its API key \(HTTP 401/) });
    expect(revoked.body.next).toContain('--force');
    expect((await api(t.client.home.socket, 'GET', '/v1/sessions', undefined, { 'fbay-remote': 'nope' })).status).toBe(404);
    expect((await t.lab('GET', '/v1/boards', undefined, { 'fbay-remote': 'nope' })).status).toBe(404);
  });

  it('a retried create with the same Idempotency-Key makes one session upstream', async () => {
    t = await twoDaemons();
    const a = await t.lab('POST', '/v1/sessions', { board_type: 'virtual' }, { 'idempotency-key': 'retry-1' });
    const b = await t.lab('POST', '/v1/sessions', { board_type: 'virtual' }, { 'idempotency-key': 'retry-1' });
    expect(b.body.id).toBe(a.body.id);
    expect((await t.hostApi('GET', '/v1/sessions?all=1')).body.sessions).toHaveLength(1);
  });

  it('a host that restarts mid-session: the line comes back and no byte is lost or repeated', async () => {
    t = await twoDaemons();
    const s = (await t.lab('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 120 })).body;
    const ws = await openSerial(t.client.home.socket, s.id);
    const rec = recorder(ws);
    ws.send(Buffer.from('echo before\r'));
    await rec.until(() => rec.bytes().toString().includes('before\r\nfbay-virtual> '));
    await t.restartHost();
    await rec.until(() => rec.texts.some((m) => m.type === 'state' && m.link?.state === 'open' && rec.texts.some((x) => x.link?.state === 'reconnecting')));
    ws.send(Buffer.from('echo after\r'));
    await rec.until(() => rec.bytes().toString().includes('after\r\nfbay-virtual> '));
    const hostBytes = await t.hostLog(s.id);
    expect(rec.bytes().equals(hostBytes)).toBe(true);
  });
});

describe('events across the hop', () => {
  it("the host's warnings and meter reach the local event stream", async () => {
    // A 61 s cap on the host's pro tier: its duration_warning (a minute before) comes a second after the start.
    t = await twoDaemons({ tiers: { pro: { max_session_s: 61 } } });
    const warned = nextEvent(t.client.home.socket, (type, e) => type === 'warning' && e.kind === 'duration_warning');
    await warned.ready;
    const s = (await t.lab('POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const w = (await warned.event).data;
    expect(w).toMatchObject({ session_id: s.id, kind: 'duration_warning' });
    expect(w.seconds_left).toBeGreaterThan(55);
    expect(w.seconds_left).toBeLessThanOrEqual(60);
    // The host charges; between its reports the mirror carries the meter forward by the same formula.
    const local = (await api(t.client.home.socket, 'GET', `/v1/sessions/${s.id}`)).body;
    const upstream = (await t.hostApi('GET', `/v1/sessions/${s.id}`)).body;
    expect(local.credits_used).toBeGreaterThan(1);
    expect(Math.abs(local.credits_used - upstream.credits_used)).toBeLessThanOrEqual(upstream.rate_credits_per_min / 60);
  });
});
