import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';
import { runBytes } from '../helpers/byte-io.js';
import type { ExecStreamEvent, SandboxExecResult, SandboxSession } from '../../../src/transport/protocol/sandbox-api.js';

let fake: FakeDaemon;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  fake = await startFakeDaemon();
  env = { FBAY_HOME: fake.home };
});
afterEach(() => fake.close());

const ID = 'ses_AAAAAAAAAAAAAAAAAAAAAAAA';
const URL = 'http://ses-aaaaaaaaaaaaaaaaaaaaaaaa.localhost:4100/?fbay_token=tok';
function aSandbox(over: Partial<SandboxSession> = {}): SandboxSession {
  return {
    id: ID,
    kind: 'sandbox',
    state: 'active',
    account: 'local',
    created_at: '2030-01-01T00:00:00.000Z',
    expires_at: '2030-01-02T00:00:00.000Z',
    ttl_s: 86_400,
    url: URL,
    limits: { memory_mb: 1024, cpu: 1, disk_mb: 1024, exec_timeout_s: 30, max_exec_timeout_s: 300, max_file_bytes: 50_000_000, pids: 256, enforced: null },
    isolation: { level: 'namespaces', mechanisms: ['bubblewrap'], missing: [], reason: null, runtime: { name: 'bun', version: '1.4.5' } },
    metadata: {},
    last_activity_at: '2030-01-01T00:00:00.000Z',
    ended_at: null,
    end_reason: null,
    failure_reason: null,
    credits_used: 0,
    rate_credits_per_min: 0.1,
    ...over,
  };
}
const result = (over: Partial<SandboxExecResult> = {}): SandboxExecResult => ({
  stdout: '',
  stderr: '',
  exit_code: 0,
  signal: null,
  execution_ms: 5,
  timed_out: false,
  oom_killed: false,
  memory_used_mb: 1,
  cpu_ms: 1,
  files_written: [],
  output_truncated: false,
  ...over,
});
const sse = (events: ExecStreamEvent[]) => ({
  headers: { 'content-type': 'text/event-stream' },
  raw: events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(''),
});
const listed = () => fake.route('GET', '/v1/sessions', { body: { sessions: [aSandbox()] } });

describe('fbay sandbox create', () => {
  it('posts a sandbox body and prints the id and the url first', async () => {
    fake.route('POST', '/v1/sessions', { status: 201, body: aSandbox({ metadata: { job: '1' } }) });
    const r = await run(['sandbox', 'create', '--ttl', '1h', '--metadata', 'job=1', '--memory', '2048'], env);
    expect(r.code).toBe(0);
    expect(fake.requests.at(-1)!.body).toEqual({ kind: 'sandbox', ttl: 3600, metadata: { job: '1' }, limits: { memory_mb: 2048 } });
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([`id       ${ID}`, `url      ${URL}`]);
  });

  it('--json prints the API object; a plan refusal keeps its exit code and says what to do', async () => {
    fake.route('POST', '/v1/sessions', { status: 201, body: aSandbox() });
    expect(JSON.parse((await run(['--json', 'sandbox', 'create'], env)).stdout)).toEqual(aSandbox());
    fake.route('POST', '/v1/sessions', { status: 429, body: { error: 'The free plan allows 10 live sandboxes.', code: 'concurrency_limit' } });
    const r = await run(['sandbox', 'create'], env);
    expect(r.code).toBe(7);
    expect(r.stderr).toBe('error: The free plan allows 10 live sandboxes.\nhint: See the live ones with `fbay sandbox list` and end one with `fbay sandbox end ID`.\n');
  });
});

describe('fbay sandbox create --idempotency-key', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  it('sends the key as Idempotency-Key; without it, a fresh key every time', async () => {
    fake.route('POST', '/v1/sessions', { status: 201, body: aSandbox() });
    expect((await run(['sandbox', 'create', '--idempotency-key', 'ci-42/sandbox'], env)).code).toBe(0);
    expect(fake.requests.at(-1)!.headers['idempotency-key']).toBe('ci-42/sandbox');
    await run(['sandbox', 'create'], env);
    await run(['sandbox', 'create'], env);
    const [a, b] = fake.requests.slice(-2).map((r) => r.headers['idempotency-key']);
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  it('the key used for another request is exit 5 with the daemon\'s sentence and a hint about the key', async () => {
    const sentence = "Idempotency-Key 'k1' was already used for a different request (it created ses_BBBBBBBBBBBBBBBBBBBBBBBB). Use a new key for a new request.";
    fake.route('POST', '/v1/sessions', { status: 422, body: { error: sentence, code: 'idempotency_mismatch' } });
    const r = await run(['sandbox', 'create', '--ttl', '2h', '--idempotency-key', 'k1'], env);
    expect(r).toEqual({
      code: 5,
      stdout: '',
      stderr: `error: ${sentence}\nhint: An idempotency key names one request: give a new --idempotency-key for other flags, or the same flags to get the session it made.\n`,
    });
  });

  it.each([[''], ['with space'], ['x'.repeat(256)], ['caf\u00e9']])('refuses the key %j with exit 2 before calling the daemon', async (key) => {
    const r = await run(['sandbox', 'create', '--idempotency-key', key], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: --idempotency-key must be 1 to 255 visible ASCII characters (no spaces); got '${key.slice(0, 80)}'.`);
    expect(fake.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });
});

describe('fbay sandbox exec', () => {
  it('streams stdout and stderr to the terminal and exits with the command\'s code; the id comes before --', async () => {
    fake.route('POST', `/v1/sessions/${ID}/exec`, sse([
      { type: 'stdout', data: 'out\n' },
      { type: 'heartbeat', elapsed_ms: 5000 },
      { type: 'stderr', data: 'err\n' },
      { type: 'result', result: result({ exit_code: 3, stdout: 'out\n', stderr: 'err\n' }) },
    ]));
    const r = await run(['sandbox', 'exec', ID, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], env);
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(fake.requests.at(-1)!.body).toEqual({ command: "sh -c 'echo out; echo err >&2; exit 3'", stream: true });
  });

  it('without an id uses the single live sandbox; a timeout exits 8 and says so', async () => {
    listed();
    fake.route('POST', `/v1/sessions/${ID}/exec`, sse([{ type: 'result', result: result({ exit_code: null, signal: 'SIGKILL', timed_out: true, execution_ms: 1000 }) }]));
    const r = await run(['sandbox', 'exec', '--timeout', '1s', '--', 'sleep', '5'], env);
    expect(r.code).toBe(8);
    expect(r.stderr).toBe('fbay: The command ran past its timeout (1 s) and was killed with its whole process tree.\n');
    expect(fake.requests.find((q) => q.method === 'GET')!.url).toBe('/v1/sessions?kind=sandbox');
    expect(fake.requests.at(-1)!.body).toEqual({ command: 'sleep 5', timeout_s: 1, stream: true });
  });

  it('--json prints the result (and nothing streamed), still exiting with the code; an error event is an error', async () => {
    fake.route('POST', `/v1/sessions/${ID}/exec`, sse([{ type: 'stdout', data: '1\n' }, { type: 'result', result: result({ stdout: '1\n', exit_code: 1 }) }]));
    const r = await run(['--json', 'sandbox', 'exec', ID, '--code', 'console.log(1); process.exit(1)'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual(result({ stdout: '1\n', exit_code: 1 }));
    fake.route('POST', `/v1/sessions/${ID}/exec`, sse([{ type: 'error', error: 'The sandbox failed to wake.', code: 'internal_error' }]));
    expect(await run(['sandbox', 'exec', ID, '--', 'true'], env)).toEqual({ code: 1, stdout: '', stderr: 'error: The sandbox failed to wake.\n' });
  });

  it('an API refusal before it runs (expired: 410) is exit 4 with its message', async () => {
    fake.route('POST', `/v1/sessions/${ID}/exec`, { status: 410, body: { error: `${ID} expired at 2030-01-02T00:00:00.000Z.`, code: 'session_expired' } });
    const r = await run(['sandbox', 'exec', ID, '--', 'true'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`error: ${ID} expired at 2030-01-02T00:00:00.000Z.\n`);
  });

  it("an unknown id's hint is about sandboxes; a sentence that says what to do keeps no board-session hint", async () => {
    fake.route('POST', `/v1/sessions/${ID}/exec`, { status: 404, body: { error: `No session ${ID}.`, code: 'not_found' } });
    expect((await run(['sandbox', 'exec', ID, '--', 'true'], env)).stderr).toBe(`error: No session ${ID}.\nhint: See your sandboxes with \`fbay sandbox list --all\`.\n`);
    const gone = `Sandbox ${ID} ended (user_ended) at 2030-01-01T00:10:00.000Z; its files are gone. Create a new one with \`fbay sandbox create\`.`;
    fake.route('POST', `/v1/sessions/${ID}/exec`, { status: 409, body: { error: gone, code: 'session_conflict' } });
    expect(await run(['sandbox', 'exec', ID, '--', 'true'], env)).toEqual({ code: 5, stdout: '', stderr: `error: ${gone}\n` });
  });

  it('refuses two words before -- without asking the daemon (exit 2)', async () => {
    const r = await run(['sandbox', 'exec', ID, 'ls', '--', 'x'], env);
    expect(r.code).toBe(2);
    expect(fake.requests).toEqual([]);
  });
});

describe('fbay sandbox url', () => {
  it("prints the app's URL, another port's with --port; a remote's sandbox's as the daemon gives it, with no note", async () => {
    fake.route('GET', `/v1/sessions/${ID}`, { body: aSandbox() });
    const here = await run(['sandbox', 'url', ID, '--port', '3001'], env);
    expect([here.code, here.stdout, here.stderr]).toEqual([0, 'http://3001-ses-aaaaaaaaaaaaaaaaaaaaaaaa.localhost:4100/?fbay_token=tok\n', '']);
    fake.route('GET', `/v1/sessions/${ID}`, { body: { ...aSandbox(), host: 'lab' } });
    const remote = await run(['sandbox', 'url', ID], env);
    expect([remote.code, remote.stdout, remote.stderr]).toEqual([0, `${URL}\n`, '']);
  });
});

describe('fbay sandbox files', () => {
  it('put sends the raw bytes; get prints them; ls shows a directory', async () => {
    fake.route('PUT', `/v1/sessions/${ID}/files/notes/a.txt`, (q) => ({ status: 201, body: { path: '/workspace/notes/a.txt', size: q.bytes.length } }));
    fake.route('GET', `/v1/sessions/${ID}/files/notes/a.txt`, { headers: { 'content-type': 'application/octet-stream' }, raw: Buffer.from('hello\n') });
    fake.route('GET', `/v1/sessions/${ID}/files/notes`, {
      body: { path: '/workspace/notes', entries: [{ name: 'a.txt', type: 'file', size: 6, modified_at: '2030-01-01T00:00:00.000Z' }] },
    });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${fake.home}/local.txt`, 'hello\n');
    const put = await run(['sandbox', 'files', ID, 'put', `${fake.home}/local.txt`, '/workspace/notes/a.txt'], env);
    expect(put).toEqual({ code: 0, stdout: 'Wrote /workspace/notes/a.txt (6 bytes).\n', stderr: '' });
    expect(fake.requests.at(-1)!.bytes.toString()).toBe('hello\n');
    expect(fake.requests.at(-1)!.headers['content-type']).toBe('application/octet-stream');
    expect(await run(['sandbox', 'files', ID, 'get', 'notes/a.txt'], env)).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
    expect((await run(['sandbox', 'files', ID, 'ls', 'notes'], env)).stdout).toMatch(/^a\.txt +file +6 /m);
  });
});

describe('fbay sandbox logs', () => {
  const output = (data: string, next: number, ended: boolean, encoding: 'utf8' | 'base64' = 'base64') => ({
    body: { pid: 7, data: encoding === 'base64' ? Buffer.from(data).toString('base64') : data, encoding, next, lost: 0, ended, exit_code: ended ? 0 : null },
  });

  it('prints the output from --since once, as utf8 text', async () => {
    fake.route('GET', `/v1/sessions/${ID}/processes/7/output`, output('later\n', 12, false, 'utf8'));
    expect(await run(['sandbox', 'logs', ID, '7', '--since', '6'], env)).toEqual({ code: 0, stdout: 'later\n', stderr: '' });
    expect(fake.requests.at(-1)!.url).toBe(`/v1/sessions/${ID}/processes/7/output?since=6`);
  });

  it('-f prints the bytes as they come from the offset printed, and exits 0 when the process has exited', async () => {
    listed();
    let reads = 0;
    fake.route('GET', `/v1/sessions/${ID}/processes/7/output`, () => (++reads === 1 ? output('one\n', 4, false) : output('two\n', 8, true)));
    const r = await runBytes(['sandbox', 'logs', '7', '-f'], env);
    expect(r).toEqual({ code: 0, stdout: Buffer.from('one\ntwo\n'), stderr: '' });
    expect(fake.requests.filter((q) => q.url.includes('/output')).map((q) => q.url.split('?')[1])).toEqual(['since=0&encoding=base64', 'since=4&encoding=base64']);
  });

  it('--follow with --json is exit 2, pointing at reads by offset', async () => {
    const r = await run(['--json', 'sandbox', 'logs', ID, '7', '--follow'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: --json does not apply to --follow, which prints the process's output as it comes.\n" +
        'hint: Read by offset with `fbay --json sandbox logs PID --since N` instead (its `next` is where the next read starts).\n',
    );
    expect(fake.requests).toEqual([]);
  });
});
