// Sandbox sessions through the API of a real daemon, on real bubblewrap, cgroups and Bun: create over TCP with an
// API key (the seed's body), exec (files kept between calls, streamed), files, background processes, the web URL.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { requireSandboxHost } from '../sandboxes/harness.js';
import { call, execStream, SEED_BODY, web, type Target } from './sandbox-helpers.js';

let h: TestHome;
let d: DaemonProcess;
let alice: Target;
let local: Target;

beforeAll(async () => {
  requireSandboxHost();
  h = makeHome();
  d = await spawnDaemon(h.home, { FBAY_LISTEN: '127.0.0.1:0' });
  const health = await api(h.socket, 'GET', '/v1/health');
  const port = Number(health.body.listeners.find((l: string) => l.startsWith('tcp:')).split(':').pop());
  alice = { port, key: (await api(h.socket, 'POST', '/v1/keys', { name: 'alice', tier: 'free', credits: 50 })).body.key };
  local = { socket: h.socket };
});
afterAll(async () => {
  await stopDaemon(d);
  h?.cleanup();
});

const exec = (t: Target, id: string, body: Record<string, unknown>) => call(t, 'POST', `/v1/sessions/${id}/exec`, body);

describe('creating a sandbox', () => {
  it("takes the seed's body over TCP with an API key: 201 with the fields, the Free plan's rate headers, Idempotency-Key", async () => {
    const created = await call(alice, 'POST', '/v1/sessions', SEED_BODY, { 'idempotency-key': 'seed-1' });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({
      kind: 'sandbox',
      state: 'active',
      account: 'alice',
      ttl_s: 3600,
      metadata: SEED_BODY.metadata,
      limits: { memory_mb: 1024, cpu: 0.25, disk_mb: 1024, exec_timeout_s: 30, max_exec_timeout_s: 30, max_file_bytes: 10_000_000 },
      isolation: { level: 'namespaces', reason: null, runtime: { name: 'bun', version: expect.stringMatching(/^\d+\.\d+\.\d+/) } },
    });
    expect(s.id).toMatch(/^ses_[A-Za-z0-9]{24}$/);
    expect(Date.parse(s.expires_at) - Date.parse(s.created_at)).toBe(3_600_000);
    expect(s.url).toMatch(/^http:\/\/ses-[a-z0-9]{24}\.localhost:\d+\/\?fbay_token=[A-Za-z0-9_-]{32}$/);
    expect(s.isolation.mechanisms).toEqual(expect.arrayContaining(['bubblewrap', 'network namespace (loopback only)', 'ext4 image per sandbox (disk quota)']));
    expect(created.headers).toMatchObject({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '99', 'x-ratelimit-reset': expect.stringMatching(/^\d{10}$/) });
    const again = await call(alice, 'POST', '/v1/sessions', SEED_BODY, { 'idempotency-key': 'seed-1' });
    expect(again.body.id).toBe(s.id);
    expect((await call(alice, 'POST', '/v1/sessions', { ttl: 60 }, { 'idempotency-key': 'seed-1' })).status).toBe(422);
    const listed = await call(alice, 'GET', '/v1/sessions?kind=sandbox');
    expect(listed.body.sessions.map((x: any) => x.id)).toEqual([s.id]);
    expect((await call(alice, 'GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ id: s.id, kind: 'sandbox' });
    // Another account does not see it.
    expect((await call(local, 'GET', `/v1/sessions/${s.id}`)).status).toBe(404);
    const ended = await call(alice, 'DELETE', `/v1/sessions/${s.id}`);
    expect(ended.body).toMatchObject({ state: 'ended', end_reason: 'user_ended', url: null });
  });
});

describe('exec', () => {
  let id: string;
  beforeAll(async () => {
    id = (await call(local, 'POST', '/v1/sessions', { kind: 'sandbox' })).body.id;
  });

  it('keeps what one exec wrote for the next; runs ts, js and sh; writes `files` first', async () => {
    const wrote = await exec(local, id, { code: "const n: number = 42; await Bun.write('/workspace/n.txt', String(n)); console.log('wrote')" });
    expect(wrote.body).toMatchObject({ stdout: 'wrote\n', exit_code: 0, timed_out: false, oom_killed: false });
    expect(wrote.body.execution_ms).toBeGreaterThan(0);
    expect(typeof wrote.body.cpu_ms).toBe('number');
    expect(typeof wrote.body.memory_used_mb).toBe('number');
    expect((await exec(local, id, { command: 'cat n.txt' })).body.stdout).toBe('42');
    expect((await exec(local, id, { code: 'console.log(typeof require)', language: 'js' })).body.stdout).toBe('function\n');
    const withFiles = await exec(local, id, {
      command: 'cat lib/a.txt bin.dat',
      files: [
        { path: 'lib/a.txt', content: 'A\n' },
        { path: '/workspace/bin.dat', content: Buffer.from('B\n').toString('base64'), encoding: 'base64' },
      ],
    });
    expect(withFiles.body).toMatchObject({ stdout: 'A\nB\n', files_written: ['/workspace/lib/a.txt', '/workspace/bin.dat'] });
    const failing = await exec(local, id, { command: 'echo oops >&2; exit 3', env: { X: 'y' } });
    expect(failing.body).toMatchObject({ stderr: 'oops\n', exit_code: 3 });
  });

  it('streams stdout and stderr as they come, with a final result event', async () => {
    const { events } = await execStream(local, id, { code: "console.log('first'); await Bun.sleep(300); console.error('second'); console.log('third')" });
    const kinds = events.map((e) => e.type);
    expect(kinds.at(-1)).toBe('result');
    expect(events.filter((e) => e.type === 'stdout').map((e) => e.data).join('')).toBe('first\nthird\n');
    expect(events.find((e) => e.type === 'stderr').data).toBe('second\n');
    expect(kinds.indexOf('stdout')).toBeLessThan(kinds.indexOf('stderr'));
    expect(events.at(-1).result).toMatchObject({ exit_code: 0, stdout: 'first\nthird\n', stderr: 'second\n' });
  });

  it('kills the whole tree at the timeout and says so; a Paid exec may ask for up to 300 s, not more', async () => {
    const r = await exec(local, id, { command: 'sleep 100 & sleep 100; echo never', timeout_s: 1 });
    expect(r.body).toMatchObject({ timed_out: true, stdout: '' });
    expect((await exec(local, id, { command: 'pgrep -c sleep || true' })).body.stdout).toBe('0\n');
    const long = await exec(local, id, { command: 'true', timeout_s: 301 });
    expect(long.status).toBe(400);
    expect(long.body.error).toContain('at most 300 (the most the paid plan allows)');
  });

  it('refuses bad requests with a sentence', async () => {
    expect((await exec(local, id, { code: '1', command: 'true' })).body.error).toBe('Give exactly one of code (run with Bun) or command (run with /bin/sh).');
    expect((await exec(local, id, { command: 'true', language: 'py' })).status).toBe(400);
    expect((await exec(local, id, { command: 'true', restart: 'on_wake' })).body.error).toContain('"background": true');
    expect((await exec(local, id, { command: 'true', env: { __proto__x: 1 } })).status).toBe(400);
  });
});

describe('files', () => {
  it('PUT, GET (a directory lists), DELETE under /workspace, within the plan size', async () => {
    const s = (await call(alice, 'POST', '/v1/sessions', {})).body;
    const put = await call(alice, 'PUT', `/v1/sessions/${s.id}/files/src/app.ts`, Buffer.from('export const x = 1;\n'));
    expect(put).toMatchObject({ status: 201, body: { path: '/workspace/src/app.ts', size: 20 } });
    expect((await call(alice, 'GET', `/v1/sessions/${s.id}/files/src/app.ts`)).text).toBe('export const x = 1;\n');
    const dir = await call(alice, 'GET', `/v1/sessions/${s.id}/files/src`);
    expect(dir.body).toMatchObject({ path: '/workspace/src', entries: [{ name: 'app.ts', type: 'file', size: 20 }] });
    expect((await call(alice, 'GET', `/v1/sessions/${s.id}/files`)).body.entries.map((e: any) => e.name)).toEqual(['src']);
    expect((await exec(alice, s.id, { code: "import { x } from './src/app.ts'; console.log(x)" })).body.stdout).toBe('1\n');
    const big = await call(alice, 'PUT', `/v1/sessions/${s.id}/files/big.bin`, Buffer.alloc(10_000_001));
    expect(big.status).toBe(413);
    expect(big.body.error).toContain('the free plan allows files of at most 10000000 bytes');
    expect((await call(alice, 'DELETE', `/v1/sessions/${s.id}/files/src`)).body).toEqual({ path: '/workspace/src', deleted: true });
    expect((await call(alice, 'GET', `/v1/sessions/${s.id}/files/src/app.ts`)).status).toBe(404);
    await call(alice, 'DELETE', `/v1/sessions/${s.id}`);
  });
});

describe('background processes and the web URL', () => {
  it('a Bun server started in the background answers through `url` (HTTP and WebSocket); its output reads on by offset; killed', async () => {
    const s = (await call(local, 'POST', '/v1/sessions', {})).body;
    const server = `
      Bun.serve({ port: 3000, fetch(req, srv) { if (srv.upgrade(req)) return; console.log('GET', new URL(req.url).pathname); return new Response('hello from ' + req.headers.get('host')); },
        websocket: { message(ws, m) { ws.send('echo:' + m); } } });
      Bun.serve({ port: 3001, fetch: () => new Response('other port') });
      console.log('listening');`;
    const started = await exec(local, s.id, { code: server, background: true });
    expect(started.status).toBe(201);
    const pid = started.body.pid;
    expect(started.body).toMatchObject({ state: 'running', restart: 'never', language: 'ts' });
    await expect.poll(async () => (await call(local, 'GET', `/v1/sessions/${s.id}/processes/${pid}/output?since=0`)).body.data, { timeout: 10_000 }).toContain('listening');
    const page = await web(s.url, '/hello');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/^hello from ses-[a-z0-9]{24}\.localhost:\d+$/);
    const other = new URL(s.url);
    other.hostname = `3001-${other.hostname}`;
    expect((await web(other.toString())).text).toBe('other port');
    // Without the secret nothing passes.
    const u = new URL(s.url);
    expect((await call({ port: Number(u.port), host: u.host }, 'GET', '/')).status).toBe(401);
    expect((await call({ port: Number(u.port), host: u.host }, 'GET', '/?fbay_token=wrong')).status).toBe(401);
    // A WebSocket upgrade goes through too.
    const first = await call({ port: Number(u.port), host: u.host }, 'GET', `/${u.search}`);
    const ws = new WebSocket(`ws://127.0.0.1:${u.port}/ws`, { headers: { host: u.host, cookie: String(first.headers['set-cookie']).split(';')[0]! } });
    await once(ws, 'open');
    ws.send('ping');
    const [reply] = await once(ws, 'message');
    expect(String(reply)).toBe('echo:ping');
    ws.close();
    const out = await call(local, 'GET', `/v1/sessions/${s.id}/processes/${pid}/output?since=0`);
    expect(out.body.data).toContain('GET /hello');
    const tail = await call(local, 'GET', `/v1/sessions/${s.id}/processes/${pid}/output?since=${out.body.next}`);
    expect(tail.body).toMatchObject({ data: '', next: out.body.next, lost: 0, ended: false });
    const listed = await call(local, 'GET', `/v1/sessions/${s.id}/processes`);
    expect(listed.body.processes).toEqual([expect.objectContaining({ pid, state: 'running' })]);
    const killed = await call(local, 'DELETE', `/v1/sessions/${s.id}/processes/${pid}`);
    expect(killed.body).toMatchObject({ pid, state: 'exited', signal: 'SIGKILL' });
    expect((await call(local, 'GET', `/v1/sessions/${s.id}/processes/999999/output`)).status).toBe(404);
    await call(local, 'DELETE', `/v1/sessions/${s.id}`);
  });
});
