// Test helpers for sandbox routes on a real daemon: requests over its socket or TCP (raw bytes too), exec streams
// read as SSE, waits on a sandbox's state through /v1/events, and requests to its web URL.
import { request } from 'node:http';
import { expect } from 'vitest';
import { nextEvent } from '../../helpers/daemon-process.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

export type Target = { socket: string } | { port: number; key?: string; host?: string };

export function call(target: Target, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
    const where = 'socket' in target ? { socketPath: target.socket } : { host: '127.0.0.1', port: target.port };
    const auth = 'key' in target && target.key ? { authorization: `Bearer ${target.key}` } : {};
    const host = 'host' in target && target.host ? { host: target.host } : {};
    const req = request({ ...where, method, path, agent: false, headers: { ...auth, ...host, ...(payload !== undefined && !Buffer.isBuffer(payload) ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = undefined;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, body: parsed });
      });
    });
    // A body the daemon refuses by its declared size is answered before it is sent: the rest hits a closed socket.
    req.on('error', (err: NodeJS.ErrnoException) => err.code !== 'EPIPE' && reject(err));
    req.end(payload);
  });
}

/** An exec with `stream: true`: the SSE events in order, as {type, ...data}. */
export async function execStream(target: Target, id: string, body: Record<string, unknown>): Promise<{ status: number; events: any[] }> {
  const r = await call(target, 'POST', `/v1/sessions/${id}/exec`, { ...body, stream: true });
  if (r.status !== 200) return { status: r.status, events: [r.body] };
  const events = r.text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => JSON.parse(/^data: (.*)$/m.exec(block)![1]!));
  return { status: r.status, events };
}

/** Resolves once the sandbox reaches `state` (subscribed before `action` runs, so the change cannot be missed). */
export async function reachState(socket: string, id: string, state: string, action: () => unknown = () => undefined): Promise<void> {
  const sub = nextEvent(socket, (type, data) => type === 'state' && data.session.id === id && data.session.state === state, `?session=${id}`);
  await sub.ready;
  await action();
  await sub.event;
}

/** A request to a sandbox's web URL (the relay), with the URL's host name and its secret turned into the cookie. */
export async function web(url: string, path = '/'): Promise<Reply> {
  const u = new URL(url);
  const target = { port: Number(u.port), host: u.host };
  const first = await call(target, 'GET', `${path}${u.search}`);
  expect(first.status).toBe(302);
  const cookie = String(first.headers['set-cookie']).split(';')[0]!;
  return call(target, 'GET', path, undefined, { cookie });
}

export const SEED_BODY = { ttl: 3600, metadata: { userId: 'user_123', purpose: 'code-execution' } };
