// The web relay against a real sandbox's Bun server: host-name routing, the secret then a cookie, HTTP through,
// a WebSocket upgrade through as bytes, other ports by name, and refusals.
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWebRelay, parseRelayHost } from '../../../src/daemon/sandboxes/web-relay.js';
import type { Sandbox } from '../../../src/daemon/sandboxes/sandbox.js';
import { newId, openHost, type Harness } from './harness.js';

const APP = `
  const serve = (port) => Bun.serve({ port, fetch(req, server) {
    if (server.upgrade(req)) return;
    return new Response(port + ' ' + new URL(req.url).pathname + ' cookie=' + (req.headers.get('cookie') ?? '') + ' host=' + req.headers.get('host'));
  }, websocket: { message(ws, m) { ws.send('echo:' + m); } } });
  serve(3000); serve(3001); console.log('listening');`;

let h: Harness;
let box: Sandbox;
let server: Server;
let port: number;
const secret = 's3cret-value';

beforeAll(async () => {
  h = await openHost();
  box = await h.host.create(newId());
  const p = await box.startBackground({ code: APP });
  await new Promise<void>((resolve) => {
    const stop = box.watch(p.pid, () => box.output(p.pid, 0).data.toString().includes('listening') && (stop(), resolve()));
  });
  const relay = createWebRelay({
    lookup: (label) => (label === box.id.replace('_', '-') ? { id: box.id, secret } : null),
    open: async (_id, p2) => {
      await box.thaw(); // what the core does: a request to the app is activity, and thaws it first
      return box.connect(p2);
    },
  });
  server = createServer((req, res) => void relay.handleRequest(req, res));
  server.on('upgrade', (req, socket, head) => void relay.handleUpgrade(req, socket, head));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server?.close();
  await h?.close();
});

function get(path: string, host: string, cookie?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

describe('web relay', () => {
  it('parses the host names it serves', () => {
    expect(parseRelayHost('ses-abc.localhost:8080')).toEqual({ label: 'ses-abc', port: 3000 });
    expect(parseRelayHost('3001-SES-abc.localhost')).toEqual({ label: 'ses-abc', port: 3001 });
    expect(parseRelayHost('example.com')).toBeNull();
    expect(parseRelayHost('99999-ses-abc.localhost')).toBeNull();
  });

  it('trades the secret in the URL for a cookie, then relays HTTP to the app, without our cookie', async () => {
    const host = `${box.id.replace('_', '-')}.localhost:${port}`;
    const first = await get(`/hello?fbay_token=${secret}&x=1`, host);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/hello?x=1');
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    const page = await get('/hello?x=1', host, `${cookie}; theirs=1`);
    expect(page).toMatchObject({ status: 200, body: `3000 /hello cookie=theirs=1 host=${host}` });
    const other = await get('/', `3001-${host}`, cookie);
    expect(other.body).toMatch(/^3001 \//);
  });

  it('passes a WebSocket upgrade through as bytes', async () => {
    const host = `${box.id.replace('_', '-')}.localhost:${port}`;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, { headers: { host, cookie: `fbay_token=${secret}` } });
    await once(ws, 'open');
    ws.send('ping');
    const [data] = await once(ws, 'message');
    expect(String(data)).toBe('echo:ping');
    ws.close();
    await once(ws, 'close');
  });

  it('thaws a frozen sandbox for a request instead of hanging on it', async () => {
    await box.freeze();
    const host = `${box.id.replace('_', '-')}.localhost:${port}`;
    const page = await get('/after-freeze', host, `fbay_token=${secret}`);
    expect(page.body).toMatch(/^3000 \/after-freeze/);
  });

  it('refuses a wrong or missing secret, an unknown sandbox, and a port nothing listens on', async () => {
    const host = `${box.id.replace('_', '-')}.localhost:${port}`;
    expect((await get('/', host)).status).toBe(401);
    expect((await get('/?fbay_token=wrong', host)).status).toBe(401);
    expect((await get('/', `ses-nobody.localhost:${port}`, `fbay_token=${secret}`)).status).toBe(404);
    const closed = await get('/', `4999-${host}`, `fbay_token=${secret}`);
    expect(closed.status).toBe(502);
    expect(closed.body).toMatch(/Nothing in the sandbox listens on port 4999/);
  });
});
