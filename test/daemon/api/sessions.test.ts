// The session API against a real daemon on a real socket: lifecycle over the serial WebSocket, limits, bad input.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import {
  api,
  makeHome,
  nextEvent,
  openSerial,
  readUntil,
  spawnDaemon,
  stopDaemon,
  type DaemonProcess,
  type TestHome,
} from '../../helpers/daemon-process.js';

let h: TestHome;
let d: DaemonProcess;

beforeAll(async () => {
  h = makeHome();
  d = await spawnDaemon(h.home);
});
afterAll(async () => {
  await stopDaemon(d);
  h.cleanup();
});
beforeEach(async () => {
  // Each test starts with no live session.
  const live = await api(h.socket, 'GET', '/v1/sessions');
  for (const s of live.body.sessions) await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
});

const create = (body: unknown, headers?: Record<string, string>) => api(h.socket, 'POST', '/v1/sessions', body, headers);

describe('sessions over the API', () => {
  it('create → serial WS connects (active) → echo both ways → disconnect (idle) → idle_timeout reaches SSE', async () => {
    const created = await create({ board_type: 'virtual', idle_timeout_s: 1, metadata: { job: 'ci-42' } });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({ kind: 'board', state: 'idle', board_type: 'virtual', account: 'local', credits_used: 1, metadata: { job: 'ci-42' } });
    expect(s.id).toMatch(/^ses_[A-Za-z0-9]{24}$/);
    expect(s.ws_url).toBe(`ws+unix://${h.socket}:/v1/sessions/${s.id}/serial`);

    const activeSeen = nextEvent(h.socket, (t, e) => t === 'state' && e.session.id === s.id && e.session.state === 'active');
    await activeSeen.ready;
    const ws = await openSerial(h.socket, s.id);
    await activeSeen.event;
    ws.send(Buffer.from('echo hello-fbay\r'));
    const out = await readUntil(ws, (t) => /hello-fbay[\s\S]*hello-fbay/.test(t));
    expect(out).toContain('hello-fbay');

    const endedSeen = nextEvent(h.socket, (t, e) => t === 'ended' && e.session_id === s.id, `?session=${s.id}`);
    await endedSeen.ready;
    ws.close();
    await once(ws, 'close');
    const ev = await endedSeen.event;
    expect(ev.data).toMatchObject({ type: 'ended', reason: 'idle_timeout', session: { state: 'ended', end_reason: 'idle_timeout' } });
    const board = (await api(h.socket, 'GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === s.board_id);
    expect(board.state).toBe('available');
  });

  it('tells a connected console why the session ended, then closes it', async () => {
    const s = (await create({ board_type: 'virtual' })).body;
    const ws = await openSerial(h.socket, s.id);
    const texts: any[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) texts.push(JSON.parse(data.toString()));
    });
    const closed = once(ws, 'close');
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    await closed;
    expect(texts.find((m) => m.type === 'ended')).toMatchObject({ reason: 'user_ended' });
  });

  it('50 concurrent creates give exactly one 201 and 49 × 409 session_conflict', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => create({ board_type: 'virtual' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((x) => x === 201)).toHaveLength(1);
    expect(statuses.filter((x) => x === 409)).toHaveLength(49);
    expect(results.find((r) => r.status === 409)!.body).toMatchObject({ code: 'session_conflict' });
  });

  it('Idempotency-Key: same key and body → same session and status; other body → 422', async () => {
    const a = await create({ board_type: 'virtual' }, { 'idempotency-key': 'abc' });
    const b = await create({ board_type: 'virtual' }, { 'idempotency-key': 'abc' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).toBe(a.body.id);
    const c = await create({ board_type: 'virtual', idle_timeout_s: 5 }, { 'idempotency-key': 'abc' });
    expect(c.status).toBe(422);
    expect(c.body.code).toBe('idempotency_mismatch');
  });

  it('ending an ended session returns it unchanged', async () => {
    const s = (await create({ board_type: 'virtual' })).body;
    const first = await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    const second = await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
  });
});

describe('bad input', () => {
  const cases: [string, unknown, number, string, RegExp][] = [
    ['malformed JSON', '{"board_type": "virt', 400, 'invalid_request', /not valid JSON/],
    ['a body that is not an object', '[1,2]', 400, 'invalid_request', /JSON object/],
    ['a field of the wrong type', { board_type: 42 }, 400, 'invalid_request', /board_type must be a non-empty string; got 42/],
    ['an unknown field', { board_type: 'virtual', idle_timeout: 5 }, 400, 'invalid_request', /Unknown field 'idle_timeout'/],
    ['a negative idle_timeout_s', { board_type: 'virtual', idle_timeout_s: -5 }, 400, 'invalid_request', /idle_timeout_s must be a whole number from 1 to 86400; got -5/],
    ['an absurd idle_timeout_s', { board_type: 'virtual', idle_timeout_s: 1e12 }, 400, 'invalid_request', /idle_timeout_s/],
    ['metadata over 16 KiB', { board_type: 'virtual', metadata: { blob: 'x'.repeat(17_000) } }, 413, 'payload_too_large', /16 KiB/],
    ['non-string metadata', { board_type: 'virtual', metadata: { n: 1 } }, 400, 'invalid_request', /metadata.n must be a string/],
    ['both board_type and board_id', { board_type: 'virtual', board_id: 'virtual-1' }, 400, 'invalid_request', /exactly one/],
    ['an unknown board type', { board_type: 'esp32-c9' }, 404, 'not_found', /Known types: .*virtual/],
    ['an unknown board id', { board_id: 'nope' }, 404, 'not_found', /fbay boards/],
    ['max_credits below one', { board_type: 'virtual', max_credits: 0.5 }, 400, 'invalid_request', /max_credits/],
  ];
  it.each(cases)('%s', async (_name, body, status, code, message) => {
    const r = await create(body);
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(r.body.error).toMatch(message);
  });

  it('a body over 1 MiB is refused before it is parsed', async () => {
    const r = await create(`{"board_type":"virtual","metadata":{"x":"${'a'.repeat(1024 * 1024)}"}}`);
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('payload_too_large');
  });

  it('a malformed session id is a 400, an unknown one a 404', async () => {
    const bad = await api(h.socket, 'GET', '/v1/sessions/../../etc');
    expect([400, 404]).toContain(bad.status);
    const malformed = await api(h.socket, 'GET', '/v1/sessions/ses_short');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/ses_ followed by 24/);
    const unknown = await api(h.socket, 'DELETE', `/v1/sessions/ses_${'a'.repeat(24)}`);
    expect(unknown.status).toBe(404);
  });

  it('a WebSocket to an ended session is refused with its end reason', async () => {
    const s = (await create({ board_type: 'virtual' })).body;
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    const err = await openSerial(h.socket, s.id).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/404/);
  });
});
