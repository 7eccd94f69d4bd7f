import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';
import type { BrowserList, BrowserSession } from '../../../src/transport/protocol/browser-api.js';

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
    state: 'ready',
    account: 'local',
    created_at: '2030-01-01T00:00:00.000Z',
    ready_at: '2030-01-01T00:00:00.300Z',
    ended_at: null,
    end_reason: null,
    failure_reason: null,
    max_duration_ms: 1_800_000,
    expires_at: '2030-01-01T00:30:00.300Z',
    cdp_url: `ws://127.0.0.1:4100/v1/browsers/${ID}/cdp?token=cdp_x`,
    queue_position: null,
    clients: 0,
    browser_version: 'HeadlessChrome/156',
    browser_ms: 1000,
    record: [],
    artifacts: [],
    metadata: {},
    ...over,
  };
}
const list = (browsers: BrowserSession[]): BrowserList => ({
  browsers,
  plan: { plan: 'builder', max_concurrent: 5, monthly_hours: 100, used_hours: 1.25, period_start: '2030-01-01T00:00:00.000Z', resets_at: '2030-02-01T00:00:00.000Z' },
  host: { max_concurrent: 8, running: browsers.length, queued: 0 },
});

describe('fbay browser create', () => {
  it('posts the flags and prints the session with its cdp_url', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser({ record: ['console_log', 'har'] }) });
    const r = await run(['browser', 'create', '--max-duration', '5m', '--record', 'console_log,har', '--metadata', 'job=1'], env);
    expect(r.code).toBe(0);
    expect(fake.requests.at(-1)!.body).toEqual({ max_duration_ms: 300_000, record: ['console_log', 'har'], metadata: { job: '1' } });
    expect(r.stdout).toMatch(/^cdp_url +ws:\/\/127\.0\.0\.1:4100\/v1\/browsers\/ses_A+\/cdp\?token=cdp_x$/m);
    expect(r.stdout).toMatch(/^state +ready/m);
  });

  it('--json prints the API object', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser() });
    const r = await run(['--json', 'browser', 'create'], env);
    expect(JSON.parse(r.stdout)).toEqual(aBrowser());
  });

  it('--wait-ready long-polls a queued session until its cdp_url is usable', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser({ state: 'queued', queue_position: 1, cdp_url: null, ready_at: null }) });
    fake.route('GET', '/v1/browsers', () => ({ body: aBrowser() }));
    const r = await run(['browser', 'create', '--wait-ready', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).state).toBe('ready');
    expect(fake.requests.at(-1)!.url).toBe(`/v1/browsers?id=${ID}&wait=usable&timeout_ms=25000`);
  });

  it('without --wait-ready prints a queued session as it is', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser({ state: 'queued', queue_position: 2, cdp_url: null }) });
    const r = await run(['browser', 'create'], env);
    expect(r.stdout).toMatch(/^state +queued \(#2 for a browser\)$/m);
    expect(r.stdout).toMatch(/^cdp_url +-$/m);
  });

  it('a session that failed to start is an error with its reason', async () => {
    fake.route('POST', '/v1/browsers', { status: 201, body: aBrowser({ state: 'failed', failure_reason: 'Chromium exited with code 1', cdp_url: null }) });
    const r = await run(['browser', 'create'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: Browser session ${ID} failed: Chromium exited with code 1.`);
  });

  it('refuses bad flags with exit 2 before calling the daemon', async () => {
    for (const args of [['--record', 'video'], ['--max-duration', '500ms'], ['--max-duration', 'soon']]) {
      const r = await run(['browser', 'create', ...args], env);
      expect(r.code).toBe(2);
    }
    expect(fake.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('maps the limits to exit 7 with the daemon’s words and a retry hint', async () => {
    fake.route('POST', '/v1/browsers', {
      status: 429,
      headers: { 'retry-after': '120' },
      body: { error: 'Account local has 1 live browser session (ses_x); its plan (free) allows 1 at a time.', code: 'concurrency_limit' },
    });
    const r = await run(['browser', 'create'], env);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('error: Account local has 1 live browser session');
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
    expect(r.stdout).toMatch(/^ID +STATE +CREATED +EXPIRES +USED +RECORD$/m);
    expect(r.stdout).toContain(ID);
    expect(r.stdout).toContain('plan builder: 5 at a time, 1.25 of 100 browser hours used this month');
    const all = await run(['browser', 'list', '--all', '--json'], env);
    expect(JSON.parse(all.stdout).browsers).toHaveLength(1);
    expect(fake.requests.at(-1)!.url).toBe('/v1/browsers?all=1');
  });

  it('show defaults to the one live session and prints artifact paths', async () => {
    const ended = aBrowser({ state: 'ended', end_reason: 'user_ended', cdp_url: null, artifacts: [{ kind: 'har', path: '/s/network.har', bytes: 9 }] });
    fake.route('GET', '/v1/browsers', (req) => ({ body: req.url.includes('id=') ? ended : list([aBrowser()]) }));
    const r = await run(['browser', 'show'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^har +\/s\/network\.har$/m);
    expect(fake.requests.at(-1)!.url).toBe(`/v1/browsers?id=${ID}`);
  });

  it('end names the session and prints what it recorded', async () => {
    fake.route('DELETE', '/v1/browsers', {
      body: aBrowser({ state: 'ended', end_reason: 'user_ended', artifacts: [{ kind: 'screenshots', path: '/s/screenshots/page-1.png', bytes: 5 }] }),
    });
    const r = await run(['browser', 'end', ID], env);
    expect(r.stdout).toMatch(/^state +ended \(user_ended\)/m);
    expect(r.stdout).toMatch(/^screenshots +\/s\/screenshots\/page-1\.png$/m);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', url: `/v1/browsers?id=${ID}` });
  });

  it('with no live session, show exits 4 with a next step', async () => {
    fake.route('GET', '/v1/browsers', { body: list([]) });
    const r = await run(['browser', 'show'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('fbay browser create --wait-ready');
  });
});
