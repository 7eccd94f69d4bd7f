// The reconnecting WebSocket over TLS (wss://) and a Unix socket (ws+unix://), on real timers.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { ReconnectingWebSocket } from '../../../src/transport/reconnecting-websocket.js';
import { makeClient } from './helpers.js';
import { WsServer } from './ws-server.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
let server: WsServer | undefined;
let client: ReconnectingWebSocket | undefined;
let dir: string | undefined;

afterEach(async () => {
  client?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  [server, client, dir] = [undefined, undefined, undefined];
});

it('works over wss://, reconnecting with the same TLS options', async () => {
  const cert = fixture('cert.pem');
  server = await WsServer.start({ tls: { cert, key: fixture('key.pem') } });
  const made = makeClient(() => `wss://127.0.0.1:${server!.port}/serial`, {
    wsOptions: { ca: cert, headers: { 'X-Fixed': 'yes' } },
    headers: () => ({ Authorization: 'Bearer key_test' }),
  });
  client = made.rws;
  const opened = once(client, 'open');
  client.start();
  await opened;
  const echoed = once(client, 'message');
  server.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
  server.last.on('message', (data) => server!.last.send(data));
  client.send(Buffer.from('over tls'));
  expect(String((await echoed)[0])).toBe('over tls');
  expect(server.requests[0]!.headers).toMatchObject({ 'x-fixed': 'yes', authorization: 'Bearer key_test' });

  const reopened = once(client, 'open');
  server.last.terminate();
  await reopened;
  expect(server.sockets).toHaveLength(2);
});

it('works over ws+unix://', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'fbay-rws-'));
  const socketPath = path.join(dir, 'd.sock');
  server = await WsServer.start({ socketPath });
  const made = makeClient(() => `ws+unix://${socketPath}:/v1/sessions/s_1/serial?since=7`);
  client = made.rws;
  const opened = once(client, 'open');
  client.start();
  await opened;
  expect(server.requests[0]!.url).toBe('/v1/sessions/s_1/serial?since=7');
  const got = once(client, 'message');
  server.last.send(Buffer.from([0xff, 0x00]));
  expect([...((await got)[0] as Buffer)]).toEqual([0xff, 0x00]);
});
