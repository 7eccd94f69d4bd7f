// Shared by the browser benchmarks: a minimal CDP client over ws, a Chromium launched directly (the baseline), pages.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import WebSocket from 'ws';
import { chromiumArgs } from '../dist/daemon/browsers/launcher.js';
import { findBrowser } from '../dist/daemon/browsers/executable.js';

/** A CDP client: call(method, params, sessionId) → result; rejects on a CDP error. */
export async function cdp(url, headers = {}) {
  const ws = new WebSocket(url, { headers, maxPayload: 512 * 1024 * 1024, perMessageDeflate: false });
  await once(ws, 'open');
  let next = 1;
  const waiting = new Map();
  const listeners = new Set();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.id !== undefined) {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error) w?.reject(new Error(`${m.error.message}`));
      else w?.resolve(m.result);
    } else for (const l of listeners) l(m);
  });
  return {
    call: (method, params = {}, sessionId) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      }),
    onEvent: (fn) => listeners.add(fn),
    close: () => ws.close(),
  };
}

/** Attaches to the browser's first page and loads `url` in it; resolves with the page's sessionId. */
export async function openPage(client, url) {
  const { targetInfos } = await client.call('Target.getTargets');
  const page = targetInfos.find((t) => t.type === 'page');
  const { sessionId } = await client.call('Target.attachToTarget', { targetId: page.targetId, flatten: true });
  await client.call('Page.enable', {}, sessionId);
  const loaded = new Promise((resolve) => client.onEvent((m) => m.method === 'Page.loadEventFired' && m.sessionId === sessionId && resolve()));
  await client.call('Page.navigate', { url }, sessionId);
  await loaded;
  return sessionId;
}

/** The baseline: spawn Chromium with the daemon's flags and wait for its first CDP answer on the pipe. */
export async function directLaunchMs() {
  const profile = mkdtempSync('/tmp/fbay-bench-profile-');
  const t = performance.now();
  const child = spawn(findBrowser(null), chromiumArgs(profile, process.getuid?.() === 0), { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true });
  child.stdio[3].write('{"id":1,"method":"Browser.getVersion"}\0');
  await new Promise((resolve) => child.stdio[4].once('data', resolve));
  const ms = performance.now() - t;
  child.stdio[3].destroy();
  child.stdio[4].destroy();
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(profile, { recursive: true, force: true });
  return ms;
}

/** Chromium with the daemon's flags but a loopback debugging port instead of the pipe: CDP with nothing in between. */
export async function launchDirect() {
  const profile = mkdtempSync('/tmp/fbay-bench-profile-');
  const asRoot = process.getuid?.() === 0;
  const args = chromiumArgs(profile, asRoot).map((a) => (a === '--remote-debugging-pipe' ? '--remote-debugging-port=0' : a));
  const child = spawn(findBrowser(null), args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let err = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (text) => {
      err += text;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`chromium exited: ${err}`)));
  });
  return {
    url,
    pid: child.pid,
    async close() {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Pages for the browsers to load: a small one, and random pixels (a screenshot of several MiB). */
export async function servePages() {
  const noise = `<!doctype html><body style="margin:0"><canvas id="c" width="1280" height="720"></canvas><script>
const c = document.getElementById('c').getContext('2d'); const img = c.createImageData(1280, 720);
let x = 7; for (let i = 0; i < img.data.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; img.data[i] = i % 4 === 3 ? 255 : x & 255; }
c.putImageData(img, 0, 0);</script>`;
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(req.url === '/noise' ? noise : '<!doctype html><title>bench</title><h1>hello</h1>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${server.address().port}`;
  return { url: (path = '/') => base + path, close: () => server.close() };
}

/** Memory of a browser: PSS and RSS summed over its process group (browser, renderers, zygote, utility). */
export function groupMemoryMb(pgid) {
  let pss = 0;
  let rss = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(stat[2]) !== pgid) continue;
      const rollup = readFileSync(`/proc/${name}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)[1]);
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)[1]);
    } catch {
      // gone meanwhile
    }
  }
  return { pss: pss / 1024, rss: rss / 1024 };
}

/** The pid of a session's browser (the leader of its process group), from the daemon's pid record of it. */
export function browserPid(home, id) {
  return JSON.parse(readFileSync(`${home}/state/browsers/live/${id}.json`, 'utf8')).pid;
}

/** PSS of the warm browsers waiting in a daemon's pool (their user-data-dir is `run/warm-…`), by process group. */
export function waitingPss(home) {
  let pss = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === Number(name) && cmd.includes(`--user-data-dir=${home}/state/browsers/run/warm-`)) pss += groupMemoryMb(pgrp).pss;
    } catch {}
  }
  return pss;
}

/** Resolves once the daemon's warm pool holds `count` browsers (polled: the pool fills in the daemon's own time). */
export async function warmFilled(d, count = 1) {
  for (;;) {
    const { body } = await d.api('GET', '/v1/browsers');
    if (body.host.warm >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `n` round trips of a trivial Runtime.evaluate on a page's session, in ms each. */
export async function evaluateRounds(client, sessionId, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await client.call('Runtime.evaluate', { expression: '1+1', returnByValue: true }, sessionId);
    out.push(performance.now() - t);
  }
  return out;
}

/** `n` full-viewport screenshots one after another: the time they took and the base64 bytes they came to. */
export async function screenshots(client, sessionId, n) {
  let bytes = 0;
  const t = performance.now();
  for (let i = 0; i < n; i++) bytes += (await client.call('Page.captureScreenshot', { format: 'png' }, sessionId)).data.length;
  return { ms: performance.now() - t, bytes };
}
