// Serving teammates over TCP: API keys, accounts that cannot see each other, rate limiting, WebSockets with ?token=.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { request } from 'node:http';
import WebSocket from 'ws';
import { api, makeHome, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let d: DaemonProcess;
let port: number;
let alice: string;
let bob: string;

function tcp(method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; headers: Record<string, any>; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

beforeAll(async () => {
  h = makeHome();
  d = await spawnDaemon(h.home, { FBAY_LISTEN: '127.0.0.1:0' });
  const health = await api(h.socket, 'GET', '/v1/health');
  const label = health.body.listeners.find((l: string) => l.startsWith('tcp:'));
  port = Number(label.split(':').pop());
  alice = (await api(h.socket, 'POST', '/v1/keys', { name: 'alice', tier: 'team', credits: 50 })).body.key;
  bob = (await api(h.socket, 'POST', '/v1/keys', { name: 'bob' })).body.key;
});
afterAll(async () => {
  await stopDaemon(d);
  h.cleanup();
});

describe('TCP listener with API keys', () => {
  it('creates keys once, stores only hashes, and gives each key its account and tier', async () => {
    expect(alice).toMatch(/^key_[A-Za-z0-9]{32}$/);
    expect((await tcp('GET', '/v1/auth/me', alice)).body).toMatchObject({ account: 'alice', tier: 'team', balance_credits: 50, limits: { max_concurrent: 2 } });
    expect((await tcp('GET', '/v1/auth/me', bob)).body).toMatchObject({ account: 'bob', tier: 'free', balance_credits: 20 });
    const list = (await api(h.socket, 'GET', '/v1/keys')).body.keys;
    expect(list.map((k: any) => k.name)).toEqual(['alice', 'bob']);
    expect(JSON.stringify(list)).not.toContain(alice);
    expect((await api(h.socket, 'POST', '/v1/keys', { name: 'alice' })).status).toBe(409);
  });

  it('401 without a key or with a wrong one; health answers without a key; keys are owner-only', async () => {
    expect((await tcp('GET', '/v1/sessions')).status).toBe(401);
    const wrong = await tcp('GET', '/v1/sessions', `key_${'x'.repeat(32)}`);
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('unauthorized');
    expect((await tcp('GET', '/v1/health')).status).toBe(200);
    expect((await tcp('GET', '/v1/keys', alice)).status).toBe(403);
  });

  it('sessions over TCP: ws_url on the listener, ?token= on the WebSocket, and other accounts get 404', async () => {
    const s = (await tcp('POST', '/v1/sessions', alice, { board_type: 'virtual' })).body;
    expect(s).toMatchObject({ account: 'alice', state: 'idle' });
    expect(s.ws_url).toBe(`ws://127.0.0.1:${port}/v1/sessions/${s.id}/serial`);
    const ws = new WebSocket(`${s.ws_url}?token=${alice}`);
    await once(ws, 'open');
    ws.send(Buffer.from('echo over-tcp\r'));
    await readUntil(ws, (t) => /over-tcp[\s\S]*over-tcp/.test(t));
    ws.close();

    expect((await tcp('GET', `/v1/sessions/${s.id}`, bob)).status).toBe(404);
    expect((await tcp('DELETE', `/v1/sessions/${s.id}`, bob)).status).toBe(404);
    expect((await tcp('GET', '/v1/sessions', bob)).body.sessions).toEqual([]);
    const sneaky = new WebSocket(`${s.ws_url}?token=${bob}`);
    const [err] = (await once(sneaky, 'error')) as [Error];
    expect(err.message).toMatch(/404/);
    expect((await tcp('DELETE', `/v1/sessions/${s.id}`, alice)).body.state).toBe('ended');
  });

  it('refuses ?token= on a plain HTTP request, saying the key goes in the Authorization header', async () => {
    const r = await tcp('GET', `/v1/sessions?token=${alice}`);
    expect(r.status).toBe(401);
    expect(r.body.error).toMatch(/Authorization header/);
  });

  it("revoking a key ends its sessions and locks it out; credits can be added", async () => {
    const carol = (await api(h.socket, 'POST', '/v1/keys', { name: 'carol', tier: 'top_up', credits: 0 })).body.key;
    expect((await tcp('POST', '/v1/sessions', carol, { board_type: 'virtual' })).status).toBe(402);
    expect((await api(h.socket, 'POST', '/v1/keys/carol/credits', { credits: 10 })).body.balance_credits).toBe(10);
    const s = (await tcp('POST', '/v1/sessions', carol, { board_type: 'virtual' })).body;
    expect(s.state).toBe('idle');
    await api(h.socket, 'DELETE', '/v1/keys/carol');
    expect((await tcp('GET', '/v1/auth/me', carol)).status).toBe(401);
    expect((await api(h.socket, 'GET', '/v1/keys')).body.keys.find((k: any) => k.name === 'carol').revoked_at).not.toBeNull();
    expect((await tcp('GET', '/v1/sessions?all=1', alice)).body.sessions.every((x: any) => x.account === 'alice')).toBe(true);
  });

  it('rate-limits requests without a valid key: a burst of 10, then 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 14; i++) {
      const r = await tcp('GET', '/v1/sessions', `key_${'y'.repeat(32)}`);
      statuses.push(r.status);
      retryAfter ??= r.headers['retry-after'];
    }
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(3);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Keyed requests are not slowed by someone else's guessing.
    expect((await tcp('GET', '/v1/auth/me', alice)).status).toBe(200);
  });
});
