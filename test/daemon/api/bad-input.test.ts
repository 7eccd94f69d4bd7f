// Bad input at the edge: prototype keys everywhere, broken percent-encoding, huge query strings, wrong methods,
// and a hand-edited config.json — each a clear 4xx (or a logged problem), never a 500, never silently accepted.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, makeHome, openSerial, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

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

const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

describe('prototype keys are ordinary unknown fields', () => {
  it.each(PROTO_KEYS)('in a request body: %s', async (key) => {
    for (const [path, body] of [
      ['/v1/sessions', `{"board_type":"virtual","${key}":1}`],
      ['/v1/browsers', `{"${key}":{"x":1}}`],
      ['/v1/keys', `{"name":"a","${key}":"pro"}`],
      ['/v1/daemon/stop', `{"${key}":true}`],
    ] as const) {
      const r = await api(h.socket, 'POST', path, body);
      expect([r.status, r.body.code, r.body.error]).toEqual([400, 'invalid_request', expect.stringContaining(`Unknown field '${key}'`)]);
    }
  });

  it.each(PROTO_KEYS)('as a metadata key: %s', async (key) => {
    const r = await api(h.socket, 'POST', '/v1/sessions', `{"board_type":"virtual","metadata":{"${key}":"x"}}`);
    expect([r.status, r.body.error]).toEqual([400, expect.stringContaining(`'${key}' is a reserved name`)]);
  });

  it.each(PROTO_KEYS)('in a query string: %s', async (key) => {
    const r = await api(h.socket, 'GET', `/v1/sessions?${key}=1`);
    expect([r.status, r.body.error]).toEqual([400, expect.stringContaining(`Unknown field '${key}'`)]);
  });

  it.each(PROTO_KEYS)('as a remote or tier name: %s', async (key) => {
    const remote = await api(h.socket, 'GET', '/v1/boards', undefined, { 'fbay-remote': key });
    expect([remote.status, remote.body.error]).toEqual([404, expect.stringContaining(`No remote named '${key}'`)]);
    const tier = await api(h.socket, 'POST', '/v1/keys', { name: 'bob', tier: key });
    expect([tier.status, tier.body.code]).toEqual([400, 'invalid_request']);
  });

  it('in a serial control message', async () => {
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const ws = await openSerial(h.socket, s.id);
    const replies: string[] = [];
    ws.on('message', (data, binary) => !binary && replies.push(data.toString()));
    for (const key of PROTO_KEYS) ws.send(`{"type":"break","${key}":1}`);
    ws.send('{"type":"constructor"}');
    await expect.poll(() => replies.filter((r) => r.includes('invalid_request')).length).toBe(PROTO_KEYS.length + 1);
    ws.close();
    await once(ws, 'close');
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
  });
});

describe('paths, queries and methods', () => {
  it('malformed percent-encoding in a path is a 400', async () => {
    const r = await api(h.socket, 'GET', '/v1/sessions/%E0%A4%A');
    expect([r.status, r.body.code]).toEqual([400, 'invalid_request']);
    expect(r.body.error).toMatch(/percent-encoding/);
  });

  it('a 64 KiB query string gets a JSON 400 saying what to do', async () => {
    const r = await api(h.socket, 'GET', `/v1/sessions?all=${'x'.repeat(64 * 1024)}`);
    expect([r.status, r.body.code]).toEqual([400, 'invalid_request']);
    expect(r.body.error).toMatch(/16 KiB/);
  });

  it('PATCH on every route that has no PATCH is a 405 with Allow', async () => {
    const id = `ses_${'a'.repeat(24)}`;
    const paths = ['/v1/health', '/v1/auth/me', '/v1/boards', '/v1/sessions', `/v1/sessions/${id}/log`, `/v1/sessions/${id}/reset`, '/v1/events', '/v1/browsers', '/v1/keys', '/v1/keys/a', '/v1/daemon/stop', '/v1/config/reload', '/v1/openapi.json'];
    for (const path of paths) {
      const r = await api(h.socket, 'PATCH', path, {});
      expect([path, r.status, r.body.code]).toEqual([path, 405, 'method_not_allowed']);
      expect(r.headers.allow).toBeTruthy();
    }
    const patch = await api(h.socket, 'PATCH', `/v1/sessions/${id}`, { idle_timeout_s: 60 });
    expect(patch.status).toBe(404);
  });
});

describe('a hand-edited config.json', () => {
  it('reports each bad value with its key and value, and the daemon runs on the last good config', async () => {
    h.writeConfig({ idle_timeout_s: 45, virtual_boards: 3 });
    expect((await api(h.socket, 'POST', '/v1/config/reload', {})).status).toBe(204);
    h.writeConfig({ idle_timeout_s: 'ten', virtual_boards: 3, account: { tier: 'constructor' }, colour: 'blue', tiers: { constructor: { max_concurrent: 2 } } });
    const r = await api(h.socket, 'POST', '/v1/config/reload', {});
    expect(r.status).toBe(200);
    expect(r.body.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^idle_timeout_s is "ten": it must be an integer from 1 to 86400; using 45/),
        expect.stringMatching(/^colour is not a config key/),
        expect.stringMatching(/^tiers\.constructor\.max_concurrent is not a config key/),
        expect.stringMatching(/^account\.tier is "constructor"/),
      ]),
    );
    const s = await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect(s.body.idle_timeout_s).toBe(45);
    await api(h.socket, 'DELETE', `/v1/sessions/${s.body.id}`);
    expect((await api(h.socket, 'GET', '/v1/boards')).body.boards).toHaveLength(3);
  });
});
