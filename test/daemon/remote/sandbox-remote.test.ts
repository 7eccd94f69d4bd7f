// Sandboxes on a remote host, real processes: the client daemon passes every sandbox request for `--remote lab` (or a
// default remote) to that host as it came, under the remote's key — create, exec (streamed too), files, background
// processes, show, list, end — and the built `fbay` works against it. The sandbox is the host's: nothing is kept here.
import { once } from 'node:events';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FBAY } from '../../e2e/helpers.js';
import { api } from '../../helpers/daemon-process.js';
import { twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';
import { call, web } from '../api/sandbox-helpers.js';
import { requireSandboxHost } from '../sandboxes/harness.js';

let t: TwoDaemons;
const LAB = { 'fbay-remote': 'lab' };

beforeAll(async () => {
  requireSandboxHost();
  t = await twoDaemons();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const client = () => ({ socket: t.client.home.socket });
const lab = (method: string, path: string, body?: unknown) => call(client(), method, path, body, LAB);
const fbay = (...args: string[]) => execa(process.execPath, [FBAY, ...args], { reject: false, timeout: 30_000, env: { FBAY_HOME: t.client.home.home } });

describe('sandboxes on a remote host', () => {
  it('are made, used and ended there through the client daemon, which keeps no record of them', { timeout: 90_000 }, async () => {
    const created = await lab('POST', '/v1/sessions', { kind: 'sandbox', ttl: 600, metadata: { job: 'remote-1' } });
    expect(created.status, created.text).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({ kind: 'sandbox', state: 'active', account: 'alice', ttl_s: 600, metadata: { job: 'remote-1' } });
    expect((await t.hostApi('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ id: s.id, kind: 'sandbox' });
    expect((await call(client(), 'GET', '/v1/sessions?kind=sandbox&all=1')).body.sessions).toEqual([]);

    const ran = await lab('POST', `/v1/sessions/${s.id}/exec`, { code: 'console.log(6 * 7)' });
    expect([ran.status, ran.body?.stdout]).toEqual([200, '42\n']);
    const streamed = await lab('POST', `/v1/sessions/${s.id}/exec`, { command: 'echo one; echo two >&2', stream: true });
    expect(streamed.headers['content-type']).toContain('text/event-stream');
    expect(streamed.text).toContain('"stdout":"one\\n"');

    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    expect((await lab('PUT', `/v1/sessions/${s.id}/files/dir/blob.bin`, bytes)).status).toBe(201);
    const read = await lab('GET', `/v1/sessions/${s.id}/files/dir/blob.bin`);
    expect([read.status, read.headers['content-type'], read.headers['content-length']]).toEqual([200, 'application/octet-stream', '5']);
    expect((await lab('GET', `/v1/sessions/${s.id}/files/dir`)).body).toMatchObject({ path: '/workspace/dir', entries: [expect.objectContaining({ name: 'blob.bin', size: 5 })] });
    expect((await lab('POST', `/v1/sessions/${s.id}/exec`, { command: 'od -An -tu1 /workspace/dir/blob.bin' })).body.stdout.trim().split(/\s+/)).toEqual(['0', '1', '2', '255', '254']);

    const bg = await lab('POST', `/v1/sessions/${s.id}/exec`, { command: 'echo started; sleep 600', background: true });
    expect(bg.status, bg.text).toBe(201);
    await expect.poll(async () => (await lab('GET', `/v1/sessions/${s.id}/processes/${bg.body.pid}/output?since=0`)).body.data, { timeout: 10_000 }).toBe('started\n');
    expect((await lab('GET', `/v1/sessions/${s.id}/processes`)).body.processes).toEqual([expect.objectContaining({ pid: bg.body.pid, state: 'running' })]);
    expect((await lab('DELETE', `/v1/sessions/${s.id}/processes/${bg.body.pid}`)).status).toBe(200);

    // The remote's refusals are passed on, naming it.
    const missing = await lab('GET', `/v1/sessions/${s.id}/files/nope.txt`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'not_found', error: expect.stringMatching(/^lab: /) });
    const tooLong = await lab('POST', `/v1/sessions/${s.id}/exec`, { command: 'true', timeout_s: 301 });
    expect(tooLong.status).toBe(400);

    expect((await lab('GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ id: s.id, state: 'active', host: 'lab' });
    expect((await lab('GET', '/v1/sessions?kind=sandbox')).body.sessions).toEqual([expect.objectContaining({ id: s.id, host: 'lab' })]);
    expect((await lab('DELETE', `/v1/sessions/${s.id}`)).body).toMatchObject({ id: s.id, state: 'ended' });
    expect((await t.hostApi('GET', `/v1/sessions/${s.id}`)).body.state).toBe('ended');
  });

  it("its URL opens here: HTTP (curl) and a WebSocket reach its app through the host's ports socket; no other account's key opens it", { timeout: 60_000 }, async () => {
    const s = (await lab('POST', '/v1/sessions', { kind: 'sandbox' })).body;
    const theirs = (await t.hostApi('GET', `/v1/sessions/${s.id}`)).body.url as string;
    const mine = new URL(s.url);
    // The host's own URL, on this daemon's web port: same name and secret.
    expect([mine.hostname, mine.search]).toEqual([new URL(theirs).hostname, new URL(theirs).search]);
    expect(mine.port).not.toBe(new URL(theirs).port);
    expect((await lab('GET', `/v1/sessions/${s.id}`)).body.url).toBe(s.url);
    const app = `
      Bun.serve({ port: 3000, fetch(req, srv) { if (srv.upgrade(req)) return; return new Response('hello from the lab ' + new URL(req.url).pathname); },
        websocket: { message(ws, m) { ws.send('echo:' + m); } } });
      console.log('listening');`;
    const started = await lab('POST', `/v1/sessions/${s.id}/exec`, { code: app, background: true });
    expect(started.status, started.text).toBe(201);
    await expect.poll(async () => (await lab('GET', `/v1/sessions/${s.id}/processes/${started.body.pid}/output?since=0`)).body.data, { timeout: 10_000 }).toContain('listening');

    expect((await web(s.url, '/hi')).text).toBe('hello from the lab /hi');
    // curl follows the redirect that swaps the secret for a cookie, as a browser does (it resolves *.localhost itself).
    const curled = await execa('curl', ['-sS', '-L', '-b', '', `${s.url.replace('/?', '/page?')}`], { reject: false });
    expect([curled.exitCode, curled.stdout]).toEqual([0, 'hello from the lab /page']);
    const first = await call({ port: Number(mine.port), host: mine.host }, 'GET', `/${mine.search}`);
    const ws = new WebSocket(`ws://127.0.0.1:${mine.port}/ws`, { headers: { host: mine.host, cookie: String(first.headers['set-cookie']).split(';')[0]! } });
    await once(ws, 'open');
    ws.send('ping');
    expect(String((await once(ws, 'message'))[0])).toBe('echo:ping');
    ws.close();

    // The host's ports socket: the sandbox's account only; a port with nothing on it is said so.
    const bob = (await api(t.host.home.socket, 'POST', '/v1/keys', { name: 'bob', tier: 'pro', credits: 10 })).body.key as string;
    const refusal = async (key: string, port: number) => {
      const probe = new WebSocket(`ws://127.0.0.1:${t.host.port}/v1/sessions/${s.id}/ports/${port}`, { headers: { authorization: `Bearer ${key}` } });
      const [, res] = (await once(probe, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
      let text = '';
      for await (const c of res) text += String(c);
      return [res.statusCode, JSON.parse(text).code];
    };
    expect(await refusal(bob, 3000)).toEqual([404, 'not_found']);
    expect(await refusal(t.host.key, 3999)).toEqual([502, 'upstream_unavailable']);
    expect((await lab('DELETE', `/v1/sessions/${s.id}`)).body.state).toBe('ended');
    // Ended: the next request is told so in the host's words, and after that the name is unknown here.
    const after = await web(s.url, '/hi');
    expect([after.status, after.text]).toEqual([502, expect.stringMatching(/^lab: Sandbox ses_\w+ ended \(user_ended\)/)]);
    expect((await call({ port: Number(mine.port), host: mine.host }, 'GET', `/${mine.search}`)).status).toBe(404);
  });

  it('a remote that does not answer is said so, as for boards', { timeout: 30_000 }, async () => {
    const s = (await lab('POST', '/v1/sessions', { kind: 'sandbox' })).body;
    t.proxy.cut();
    try {
      const r = await lab('POST', `/v1/sessions/${s.id}/exec`, { command: 'true' });
      expect(r.status).toBe(502);
      expect(r.body).toMatchObject({ code: 'upstream_unavailable', error: expect.stringContaining("Remote 'lab'") });
    } finally {
      t.proxy.restore();
    }
    expect((await lab('DELETE', `/v1/sessions/${s.id}`)).body.state).toBe('ended');
  });

  it('the built fbay, with the remote as the default: create, exec and end there; --remote local still runs here', { timeout: 90_000 }, async () => {
    expect((await fbay('remote', 'use', 'lab')).exitCode).toBe(0);
    try {
      const created = await fbay('--json', 'sandbox', 'create');
      expect(created.exitCode, created.stderr).toBe(0);
      const remote = JSON.parse(created.stdout) as { id: string };
      expect((await t.hostApi('GET', `/v1/sessions/${remote.id}`)).body.state).toBe('active');
      const ran = await fbay('sandbox', 'exec', remote.id, '--', 'sh', '-c', 'echo on the lab; exit 3');
      expect([ran.exitCode, ran.stdout]).toEqual([3, 'on the lab']);

      const here = JSON.parse((await fbay('--json', '--remote', 'local', 'sandbox', 'create')).stdout) as { id: string };
      expect((await api(t.client.home.socket, 'GET', `/v1/sessions/${here.id}`, undefined, { 'fbay-remote': 'local' })).body.kind).toBe('sandbox');
      // A sandbox of this daemon's is used here without --remote local; the list has both, the remote's named.
      expect((await fbay('sandbox', 'exec', here.id, '--', 'echo', 'here')).stdout).toBe('here');
      const listed = (JSON.parse((await fbay('--json', 'sandbox', 'list')).stdout) as { sessions: Array<{ id: string; host?: string | null }> }).sessions;
      expect(listed.map((x) => [x.id, x.host ?? null]).sort()).toEqual([[here.id, null], [remote.id, 'lab']].sort());

      // The default remote not answering: this daemon's sandboxes are still listed, with a warning; no id is guessed.
      t.proxy.cut();
      try {
        const partial = await fbay('--json', 'sandbox', 'list');
        expect(partial.exitCode, partial.stderr).toBe(0);
        expect(partial.stderr).toMatch(/^warning: lab's sandboxes are not listed: Remote 'lab' .*did not answer/m);
        const body = JSON.parse(partial.stdout) as { sessions: Array<{ id: string }>; errors: unknown[] };
        expect(body.sessions.map((x) => x.id)).toEqual([here.id]);
        expect(body.errors).toEqual([expect.objectContaining({ host: 'lab', code: 'upstream_unavailable' })]);
        const guessed = await fbay('sandbox', 'show');
        expect([guessed.exitCode, guessed.stderr]).toEqual([3, expect.stringContaining("Cannot tell which sandbox is meant: lab's are not listed")]);
      } finally {
        t.proxy.restore();
      }

      expect((await fbay('sandbox', 'end', remote.id)).exitCode).toBe(0);
      expect((await t.hostApi('GET', `/v1/sessions/${remote.id}`)).body.state).toBe('ended');
      expect((await fbay('sandbox', 'end', here.id)).exitCode).toBe(0);
    } finally {
      await fbay('remote', 'use', 'local');
    }
  });
});
