// The login link's page drawn by the daemon with the dashboard's own components (the built dist/ui-server): the
// boards of the login's account in the root, the data it was drawn from in the boot meta, the stylesheet inline —
// and, when that cannot be done, the page as before, which loads its data itself.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Router, type Route } from '../../../src/daemon/http/router.js';
import { FirstPaint } from '../../../src/daemon/ui/first-paint.js';
import { loopbackHosts } from '../../../src/daemon/ui/guards.js';
import { createUiServer } from '../../../src/daemon/ui/ui-server.js';
import { UiSessions } from '../../../src/daemon/ui/ui-sessions.js';
import { StaticFiles } from '../../../src/daemon/ui/static-files.js';
import { http } from './http-client.js';
import { manualClock } from './manual-clock.js';

/** What `npm run build` made (npm test builds first). */
const RENDERER = fileURLToPath(new URL('../../../dist/ui-server/first-paint.js', import.meta.url));
const board = (id: string, state: string) => ({ id, name: id, type: 'virtual', state, rate_credits_per_min: 1, serial: { path: `/dev/pts/${id.length}` } });
const INDEX = '<!doctype html><html><head><title>fbay</title><link rel="stylesheet" crossorigin href="/ui/assets/index-x.css"></head><body><div id="root"></div></body></html>';

let dir: string;
let servers: Server[] = [];
let asked: string[];
let logs: string[];

function routes(sessions: Route['handler'] = (r) => ({ status: 200, body: { sessions: [] as unknown[], account: r.account } })): Route[] {
  return [
    { method: 'GET', path: '/v1/boards', handler: (r) => (asked.push(`boards:${r.account}`), { status: 200, body: { boards: [board('virtual-1', 'available'), board('virtual-2', 'reserved')] } }) },
    { method: 'GET', path: '/v1/sessions', handler: (r) => (asked.push(`sessions:${r.account}`), sessions(r)) },
  ];
}

async function serve(router: Router, firstPaint: FirstPaint | undefined) {
  const sessions = new UiSessions({ clock: manualClock() });
  const server = createUiServer(
    { router, upgrade: () => undefined, sessions, files: new StaticFiles(dir), ...(firstPaint ? { firstPaint } : {}), keyAccount: () => null, log: (m) => logs.push(m) },
    { mode: 'loopback', hosts: loopbackHosts },
  );
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return http(port, 'GET', `/login?token=${sessions.mintLoginToken('local').token}`);
}

const bootOf = (html: string) => JSON.parse(/<meta name="fbay-boot" content="([^"]*)">/.exec(html)![1]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))));
const rootOf = (html: string) => /<div id="root">([\s\S]*)<\/div><\/body>/.exec(html)?.[1] ?? '';

beforeEach(() => {
  dir = mkdtempSync('/tmp/fbay-first-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-x.css'), '.grid{display:grid}');
  asked = [];
  logs = [];
});
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

describe("the login link's first page", () => {
  it("comes with the login account's boards drawn, the data they were drawn from, and the stylesheet inline", async () => {
    const router = new Router().add(routes());
    const page = await serve(router, new FirstPaint(router, (m) => logs.push(m), RENDERER));
    expect(page.status).toBe(200);
    const root = rootOf(page.text);
    expect(root).toContain('<h1>Boards</h1>');
    expect([...root.matchAll(/data-board="([^"]+)" data-state="([^"]+)"/g)].map((m) => [m[1], m[2]])).toEqual([
      ['virtual-1', 'available'],
      ['virtual-2', 'reserved'],
    ]);
    // Drawn before the page's script runs: its buttons wait for it, disabled.
    expect(root).toMatch(/<button type="button" disabled="" aria-label="Start session on virtual-1">Start Session<\/button>/);
    expect(bootOf(page.text)).toEqual({
      me: { logged_in: true, account: 'local', owner: true, via: 'token', expires_at: expect.any(String), login: 'token' },
      data: { '/v1/boards': { boards: [board('virtual-1', 'available'), board('virtual-2', 'reserved')] }, '/v1/sessions': { sessions: [], account: 'local' } },
    });
    expect(asked).toEqual(['boards:local', 'sessions:local']);
    expect(page.text).toContain('<style>.grid{display:grid}</style>');
    expect(page.text).not.toContain('index-x.css');
    expect(logs).toEqual([]);
  });

  it('is the page as before (no boards, the stylesheet linked) when the API fails it, and says why in the log', async () => {
    const router = new Router().add(routes(() => ({ status: 503, body: {} })));
    const page = await serve(router, new FirstPaint(router, (m) => logs.push(m), RENDERER));
    expect(page.status).toBe(200);
    expect(rootOf(page.text)).toBe('');
    expect(page.text).not.toContain('fbay-boot');
    expect(page.text).toContain('href="/ui/assets/index-x.css"');
    expect(page.text).toMatch(/<meta name="fbay-csrf" content="[\w-]{43}">/);
    expect(logs).toEqual(['dashboard: the first page was not rendered (GET /v1/sessions answered 503); the page loads its data itself']);
  });

  it('is the page as before when there is no built renderer', async () => {
    const router = new Router().add(routes());
    const page = await serve(router, new FirstPaint(router, (m) => logs.push(m), join(dir, 'absent.js')));
    expect(rootOf(page.text)).toBe('');
    expect(asked).toEqual([]);
    expect(page.text).toMatch(/<meta name="fbay-csrf" content="[\w-]{43}">/);
  });
});
