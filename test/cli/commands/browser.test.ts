import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';
import type { BrowserArtifact, BrowserList, BrowserSession } from '../../../src/transport/protocol/browser-api.js';

let fake: FakeDaemon;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  fake = await startFakeDaemon();
  env = { FBAY_HOME: fake.home };
});
afterEach(() => fake.close());

const ID = 'ses_AAAAAAAAAAAAAAAAAAAAAAAA';
function aBrowser(over: Partial<BrowserSession> = {}): BrowserSession {
  return {
    id: ID,
    kind: 'browser',
    status: 'ready',
    account: 'local',
    cdpUrl: `ws://127.0.0.1:4100/v1/browsers/${ID}/cdp?token=cdp_x`,
    maxDurationMs: 1_800_000,
    createdAt: '2030-01-01T00:00:00.000Z',
    readyAt: '2030-01-01T00:00:00.300Z',
    endedAt: null,
    expiresAt: '2030-01-01T00:30:00.300Z',
    duration: null,
    endReason: null,
    error: null,
    metadata: {},
    artifacts: { screenshots: [], har: null, recording: null, consoleLogs: null },
    queuePosition: null,
    clients: 0,
    browserVersion: 'HeadlessChrome/156',
    usedMs: 1000,
    recording: false,
    record: [],
    profile: null,
    proxy: null,
    fingerprint: null,
    warm: true,
    ...over,
  };
}
const list = (browsers: BrowserSession[]): BrowserList => ({
  browsers,
  plan: { plan: 'builder', maxConcurrent: 5, monthlyHours: 100, usedHours: 1.25, periodStart: '2030-01-01T00:00:00.000Z', resetsAt: '2030-02-01T00:00:00.000Z' },
  host: { maxConcurrent: 8, running: browsers.length, queued: 0, warm: 1 },
});
const artifact = (name: string, contentType: string, bytes = 5): BrowserArtifact => ({ name, url: `/v1/browsers/${ID}/artifacts/${name}`, path: `/s/${name}`, bytes, contentType });

describe('fbay browser create', () => {
  it('posts the flags and prints the session with its cdpUrl', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser({ record: ['consoleLogs', 'har'] }) });
    const r = await run(['browser', 'create', '--max-duration', '5m', '--record', 'consoleLogs,har', '--metadata', 'job=1'], env);
    expect(r.code).toBe(0);
    expect(fake.requests.at(-1)!.body).toEqual({ maxDurationMs: 300_000, record: ['consoleLogs', 'har'], metadata: { job: '1' } });
    expect(r.stdout).toMatch(/^cdpUrl +ws:\/\/127\.0\.0\.1:4100\/v1\/browsers\/ses_A+\/cdp\?token=cdp_x$/m);
    expect(r.stdout).toMatch(/^state +ready/m);
  });

  it('sends the recording, profile, proxy (credentials out of the URL) and fingerprint', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser() });
    const flags = ['--recording', '--profile', 'p1', '--proxy', 'http://u%40x:p%3Aw@127.0.0.1:3128', '--proxy-bypass', 'localhost', '--user-agent', 'Test/1.0'];
    const r = await run(['browser', 'create', ...flags, '--viewport', '1024x640', '--locale', 'de-DE', '--timezone', 'Asia/Tokyo'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.requests.at(-1)!.body).toEqual({
      recording: true,
      profile: 'p1',
      proxy: { server: 'http://127.0.0.1:3128', username: 'u@x', password: 'p:w', bypass: 'localhost' },
      fingerprint: { userAgent: 'Test/1.0', viewport: { width: 1024, height: 640 }, locale: 'de-DE', timezoneId: 'Asia/Tokyo' },
    });
  });

  it('--idempotency-key is sent as Idempotency-Key; without it a fresh key; a reused one is exit 5', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser() });
    expect((await run(['browser', 'create', '--idempotency-key', 'pw-run-3'], env)).code).toBe(0);
    expect(fake.requests.at(-1)!.headers['idempotency-key']).toBe('pw-run-3');
    await run(['browser', 'create'], env);
    expect(fake.requests.at(-1)!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    fake.route('POST', '/v1/browsers', { status: 422, body: { error: "Idempotency-Key 'pw-run-3' was already used for a different request.", code: 'idempotency_mismatch' } });
    const r = await run(['browser', 'create', '--recording', '--idempotency-key', 'pw-run-3'], env);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^error: Idempotency-Key 'pw-run-3' was already used for a different request\.\nhint: .*--idempotency-key/);
  });

  it('--json prints the API object', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser() });
    const r = await run(['--json', 'browser', 'create'], env);
    expect(JSON.parse(r.stdout)).toEqual(aBrowser());
  });

  it('--wait-ready long-polls a queued session until its cdp_url is usable', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser({ status: 'queued', queuePosition: 1, cdpUrl: null, readyAt: null }) });
    fake.route('GET', '/v1/browsers', () => ({ body: aBrowser() }));
    const r = await run(['browser', 'create', '--wait-ready', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('ready');
    expect(fake.requests.at(-1)!.url).toBe(`/v1/browsers?id=${ID}&wait=usable&timeoutMs=25000`);
  });

  it('without --wait-ready prints a queued session as it is', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser({ status: 'queued', queuePosition: 2, cdpUrl: null }) });
    const r = await run(['browser', 'create'], env);
    expect(r.stdout).toMatch(/^state +queued \(#2 for a browser\)$/m);
    expect(r.stdout).toMatch(/^cdpUrl +-$/m);
  });

  it('a session that failed to start is an error with its reason', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser({ status: 'failed', endReason: 'failed', error: 'Chromium exited with code 1', cdpUrl: null }) });
    const r = await run(['browser', 'create'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: Browser session ${ID} failed: Chromium exited with code 1.`);
  });

  it('refuses bad flags with exit 2 before calling the daemon', async () => {
    for (const args of [['--record', 'video'], ['--max-duration', '500ms'], ['--max-duration', 'soon'], ['--viewport', 'big'], ['--proxy-bypass', 'x'], ['--proxy', 'http://[x']]) {
      const r = await run(['browser', 'create', ...args], env);
      expect(r.code).toBe(2);
    }
    expect(fake.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('maps the limits to exit 7 with the daemon’s words and a retry hint', async () => {
    fake.route('POST', '/v1/browsers', {
      status: 429,
      headers: { 'retry-after': '120' },
      body: { error: 'Concurrent browser session limit reached: account local has 1 live browser session (ses_x); its plan (free) allows 1 at a time.', code: 'concurrency_limit' },
    });
    const r = await run(['browser', 'create'], env);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('error: Concurrent browser session limit reached: account local has 1 live browser session');
    expect(r.stderr).toContain('retry after 120s');
  });

  it('says how to install Chromium when the host has none', async () => {
    fake.route('POST', '/v1/browsers', {
      status: 502,
      body: { error: 'No Chromium or Chrome found on this host.', code: 'upstream_unavailable', next: 'Install Chromium (apt-get install chromium)' },
    });
    const r = await run(['browser', 'create'], env);
    expect(r.stderr).toContain('hint: Install Chromium (apt-get install chromium)');
  });
});

describe('fbay browser list|show|end', () => {
  it('lists live sessions with the plan usage', async () => {
    fake.route('GET', '/v1/browsers', { body: list([aBrowser()]) });
    const r = await run(['browser', 'list'], env);
    expect(r.stdout).toMatch(/^ID +STATE +CREATED +EXPIRES +USED +OPTIONS$/m);
    expect(r.stdout).toContain(ID);
    expect(r.stdout).toContain('plan builder: 5 at a time, 1.25 of 100 browser hours used this month');
    const all = await run(['browser', 'list', '--all', '--json'], env);
    expect(JSON.parse(all.stdout).browsers).toHaveLength(1);
    expect(fake.requests.at(-1)!.url).toBe('/v1/browsers?all=1');
  });

  it('show defaults to the one live session and prints artifact paths', async () => {
    const ended = aBrowser({ status: 'ended', endReason: 'user_ended', cdpUrl: null, artifacts: { screenshots: [], har: artifact('network.har', 'application/json'), recording: null, consoleLogs: null } });
    fake.route('GET', '/v1/browsers', (req) => ({ body: req.url.includes('id=') ? ended : list([aBrowser()]) }));
    const r = await run(['browser', 'show'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^network\.har +\/s\/network\.har$/m);
    expect(r.stdout).toMatch(/^download +fbay browser artifacts ses_A+ \[--out DIR\]$/m);
    expect(fake.requests.at(-1)!.url).toBe(`/v1/browsers?id=${ID}`);
  });

  it('end names the session and prints what it recorded', async () => {
    fake.route('DELETE', '/v1/browsers', {
      body: aBrowser({ status: 'ended', endReason: 'user_ended', artifacts: { screenshots: [artifact('screenshots/page-1.png', 'image/png')], har: null, recording: null, consoleLogs: null } }),
    });
    const r = await run(['browser', 'end', ID], env);
    expect(r.stdout).toMatch(/^state +ended \(user_ended\)/m);
    expect(r.stdout).toMatch(/^screenshots\/page-1\.png +\/s\/screenshots\/page-1\.png$/m);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', url: `/v1/browsers?id=${ID}` });
  });

  it('with no live session, show exits 4 with a next step', async () => {
    fake.route('GET', '/v1/browsers', { body: list([]) });
    const r = await run(['browser', 'show'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('fbay browser create --wait-ready');
  });
});

describe('browser hints, end --all and the HOST column', () => {
  it('a concurrency limit points at browser list and browser end, not at board sessions', async () => {
    fake.route('POST', '/v1/browsers', { status: 429, headers: { 'retry-after': '60' }, body: { error: 'Concurrent browser session limit reached', code: 'concurrency_limit' } });
    const r = await run(['browser', 'create'], env);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('hint: See the live ones with `fbay browser list` and end one with `fbay browser end ID` (or `--all`), or try again later (retry after 60s).');
    expect(r.stderr).not.toContain('session list');
  });

  it('end with two live sessions asks for the ID with `fbay browser end`, and --all ends them all', async () => {
    const other = aBrowser({ id: 'ses_BBBBBBBBBBBBBBBBBBBBBBBB' });
    fake.route('GET', '/v1/browsers', { body: list([aBrowser(), other]) });
    const r = await run(['browser', 'end'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`hint: Give its ID: \`fbay browser end ID\`, e.g. fbay browser end ${ID}, or end them all with \`fbay browser end --all\`.`);
    fake.route('DELETE', '/v1/browsers', (req) => ({ body: { ...aBrowser({ id: req.url.split('id=')[1]! }), status: 'ended', endReason: 'user_ended' } }));
    const all = await run(['--json', 'browser', 'end', '--all'], env);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).browsers.map((b: BrowserSession) => [b.id, b.status])).toEqual([[ID, 'ended'], [other.id, 'ended']]);
    expect((await run(['browser', 'end', ID, '--all'], env)).code).toBe(2);
  });

  it('list shows a HOST column once a session is mirrored from a remote host', async () => {
    fake.route('GET', '/v1/browsers', { body: list([aBrowser(), aBrowser({ id: 'ses_CCCCCCCCCCCCCCCCCCCCCCCC', host: 'lab' })]) });
    const r = await run(['browser', 'list'], env);
    expect(r.stdout).toMatch(/^ID +HOST +STATE/m);
    expect(r.stdout).toMatch(new RegExp(`^${ID} +local +ready`, 'm'));
    expect(r.stdout).toMatch(/^ses_C+ +lab +ready/m);
  });

  it('a board session id given to browser show says which kind it is and which command to use', async () => {
    fake.route('GET', '/v1/sessions/ses_bbbbbbbbbbbbbbbbbbbbbbbb', { body: { id: 'ses_bbbbbbbbbbbbbbbbbbbbbbbb', kind: 'board', state: 'idle' } });
    const r = await run(['browser', 'show', 'ses_bbbbbbbbbbbbbbbbbbbbbbbb'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('error: ses_bbbbbbbbbbbbbbbbbbbbbbbb is a board session, not a browser session.');
    expect(r.stderr).toContain('hint: Use `fbay session show ses_bbbbbbbbbbbbbbbbbbbbbbbb`');
  });
});
