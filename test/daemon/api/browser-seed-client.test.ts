// The README's seed-style client, run exactly as written (node, plain fetch, playwright-core) against a daemon on TCP
// with an API key: it creates, polls while its session queues behind another, connects to cdpUrl, and ends it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { servePages, type PageServer } from '../browsers/page-server.js';
import { freePort } from '../../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The code between the README's seed-client markers. */
function seedClient(): string {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const block = /<!-- seed-client:start -->\n```js\n([\s\S]*?)```\n<!-- seed-client:end -->/.exec(readme);
  if (!block) throw new Error('README.md has no seed-client block');
  return block[1]!;
}

let h: TestHome;
let d: DaemonProcess;
let pages: PageServer;
let port: number;
let key: string;

beforeAll(async () => {
  h = makeHome();
  // One browser at a time, none warm: the client's session queues behind the owner's and has to be polled.
  h.writeConfig({ browsers: { max_concurrent: 1, warm: 0 } });
  port = await freePort();
  [d, pages] = await Promise.all([spawnDaemon(h.home, { FBAY_LISTEN: `127.0.0.1:${port}` }), servePages()]);
  key = (await api(h.socket, 'POST', '/v1/keys', { name: 'seed', tier: 'pro' })).body.key;
});
afterAll(async () => {
  await stopDaemon(d);
  await pages.close();
  h.cleanup();
});

describe('the seed-style polling client from the README', () => {
  it('creates, polls while queued, drives the page over cdpUrl, and ends the session', { timeout: 60_000 }, async () => {
    const blocker = (await api(h.socket, 'POST', '/v1/browsers', {})).body;
    expect(blocker.status).toBe('ready');
    const env = { ...process.env, FBAY_URL: `http://127.0.0.1:${port}`, FBAY_KEY: key, PAGE_URL: pages.url('/') };
    const client = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', seedClient()], { cwd: ROOT, env }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    // The key's session waits for the owner's slot: the client is polling it.
    await expect.poll(() => listAs(port, key), { timeout: 20_000 }).toEqual(['queued']);
    await api(h.socket, 'DELETE', `/v1/browsers?id=${blocker.id}`);
    const { code, stdout, stderr } = await client;
    expect(code, stderr).toBe(0);
    const [title, ended] = stdout.trim().split('\n');
    expect(title).toBe('fbay test page');
    expect(ended).toMatch(/^ended user_ended \d+(\.\d+)?$/);
    expect(await listAs(port, key, true)).toEqual(['ended']);
  });
});

/** The statuses of the key's browser sessions, over TCP as that account. */
async function listAs(p: number, k: string, all = false): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${p}/v1/browsers${all ? '?all=1' : ''}`, { headers: { authorization: `Bearer ${k}` } });
  return ((await res.json()) as { browsers: { status: string }[] }).browsers.map((b) => b.status);
}
