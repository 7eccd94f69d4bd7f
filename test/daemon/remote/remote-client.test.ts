// The remote client's errors as users meet them: a wrong key, an untrusted certificate, a host that does not answer;
// and a remote of several URLs (coordinators of one database) going on with the next when one does not answer.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteClient } from '../../../src/daemon/remote/remote-client.js';
import { ApiError } from '../../../src/transport/protocol/errors.js';

const fixture = (name: string) => new URL(`../../transport/reconnect/fixtures/${name}`, import.meta.url);
const servers: Array<{ close(): void }> = [];
const clients: RemoteClient[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) s.close();
  for (const c of clients.splice(0)) await c.close();
});

/** An HTTPS host with the test's self-signed certificate that answers every request with `status`. */
async function host(status: number, body: unknown, headers: Record<string, string> = {}): Promise<string> {
  const server = createServer({ cert: readFileSync(fixture('cert.pem')), key: readFileSync(fixture('key.pem')) }, (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(client: RemoteClient): Promise<ApiError> {
  clients.push(client);
  const err = await client.json('GET', '/v1/auth/me').then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('RemoteClient errors', () => {
  it('a wrong key is a 401 `unauthorized` saying so, not "did not answer"', async () => {
    const url = await host(401, { error: 'Invalid or missing API key.', code: 'unauthorized' });
    const err = await failure(new RemoteClient('lab', { url, key: `key_${'a'.repeat(32)}`, ca: fixture('cert.pem').pathname }));
    expect(err.status).toBe(401);
    expect(err.code).toBe('unauthorized');
    expect(err.message).toBe("Remote 'lab' refused its API key (HTTP 401: Invalid or missing API key).");
    expect(err.toBody().next).toMatch(/fbay remote add lab https:\/\/127\.0\.0\.1:\d+ --key KEY --force/);
  });

  it("a host's refusal keeps its code, fields and the headers a client acts on (Retry-After, X-RateLimit-*)", async () => {
    const rate = { 'retry-after': '42', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '42', 'x-other': 'no' };
    const url = await host(429, { error: 'Plan hobby allows 1 live sandbox.', code: 'concurrency_limit', limit: 1, live: ['ses_a'] }, rate);
    const err = await failure(new RemoteClient('lab', { url, key: `key_${'a'.repeat(32)}`, ca: fixture('cert.pem').pathname }));
    expect([err.status, err.code, err.message]).toEqual([429, 'concurrency_limit', 'lab: Plan hobby allows 1 live sandbox.']);
    expect(err.toBody()).toEqual({ error: 'lab: Plan hobby allows 1 live sandbox.', code: 'concurrency_limit', limit: 1, live: ['ses_a'] });
    expect(err.headers).toEqual({ 'retry-after': '42', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '42' });
  });

  it('a self-signed host points at --ca', async () => {
    const url = await host(200, {});
    const err = await failure(new RemoteClient('lab', { url, key: `key_${'a'.repeat(32)}` }));
    expect(err.code).toBe('upstream_unavailable');
    expect(err.message).toContain('presented a certificate this machine does not trust');
    expect(err.toBody().next).toContain('--ca /path/to/ca.pem');
  });

  it('a host that does not answer says so, with what to check', async () => {
    const err = await failure(new RemoteClient('lab', { url: 'http://127.0.0.1:1', key: `key_${'a'.repeat(32)}` }));
    expect(err.code).toBe('upstream_unavailable');
    expect(err.message).toMatch(/^Remote 'lab' \(http:\/\/127\.0\.0\.1:1\) did not answer: .*ECONNREFUSED/);
    expect(err.toBody().next).toContain('fbay daemon start --listen');
  });
});

describe('RemoteClient with several URLs', () => {
  const key = `key_${'a'.repeat(32)}`;

  it('sends a create (not safe to repeat) to the next URL when the first refuses the connection, and stays there', async () => {
    const url = await host(201, { id: 'ses_x' });
    const client = new RemoteClient('lab', { url: `http://127.0.0.1:1,${url}`, key, ca: fixture('cert.pem').pathname });
    clients.push(client);
    expect(client.base).toBe('http://127.0.0.1:1');
    expect(await client.json('POST', '/v1/sessions', { body: { board_type: 'virtual' } })).toEqual({ status: 201, body: { id: 'ses_x' } });
    expect(client.base).toBe(url);
    // A reconnecting WebSocket's URL follows it.
    expect(client.wsUrl('/v1/sessions/ses_x/serial')).toBe(`${url.replace(/^https/, 'wss')}/v1/sessions/ses_x/serial`);
  });

  it('passes a request on (send) at the next URL when the first refuses the connection; a stream body is not sent twice', async () => {
    const url = await host(201, { id: 'ses_y' });
    const client = new RemoteClient('lab', { url: `http://127.0.0.1:1,${url}`, key, ca: fixture('cert.pem').pathname });
    clients.push(client);
    const res = await client.send('POST', '/v1/sessions', { headers: { 'content-type': 'application/json' }, body: Buffer.from('{"kind":"sandbox"}') });
    expect([res.statusCode, await res.body.json()]).toEqual([201, { id: 'ses_y' }]);
    const streamed = new RemoteClient('lab', { url: `http://127.0.0.1:1,${url}`, key, ca: fixture('cert.pem').pathname });
    clients.push(streamed);
    const err = await streamed.send('PUT', '/v1/sessions/ses_y/files/a', { body: Readable.from([Buffer.from('x')]) }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'upstream_unavailable', message: expect.stringMatching(/^Remote 'lab' \(http:\/\/127\.0\.0\.1:1\) did not answer/) });
    expect(streamed.base).toBe(url); // the next request goes there
  });

  it('says the last one it tried when none answers', async () => {
    const client = new RemoteClient('lab', { url: 'http://127.0.0.1:1,http://127.0.0.1:2', key });
    const err = await failure(client);
    expect(err.message).toMatch(/^Remote 'lab' \(http:\/\/127\.0\.0\.1:2\) did not answer/);
    expect(client.base).toBe('http://127.0.0.1:1');
  });
});

describe("a joined host's client (its connections go through the host's tunnel)", () => {
  it('says the host is away, with where to look, when its tunnel is down', async () => {
    const away = () => {
      throw Object.assign(new Error("host 'lab1' is not connected to this coordinator"), { code: 'ECONNREFUSED' });
    };
    const client = new RemoteClient('lab1', { url: 'http://lab1.joined', key: '' }, undefined, away);
    const err = (await client.json('GET', '/v1/browsers').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('upstream_unavailable');
    expect(err.message).toBe("Joined host 'lab1' did not answer through its tunnel: host 'lab1' is not connected to this coordinator.");
    expect(err.toBody()).toMatchObject({ next: expect.stringContaining('fbay daemon status') });
    expect(err.message).not.toContain('--listen');
    await client.close();
  });
});
