// Shared by the benchmarks: a real daemon in a temp FBAY_HOME, API calls over its socket, and percentiles.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FBAY_BIN = join(ROOT, 'bin', 'fbay');

export async function startDaemon(config = {}, env = {}) {
  const home = mkdtempSync('/tmp/fbay-b-');
  writeFileSync(join(home, 'config.json'), JSON.stringify(config));
  // FBAY_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to every daemon, to profile a figure.
  const nodeArgs = process.env.FBAY_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'dist/daemon/main.js')], {
    env: { ...process.env, FBAY_HOME: home, ...env },
    stdio: ['ignore', 'pipe', openSync(join(home, 'fbayd.log'), 'a')],
  });
  // A daemon that exits before its ready line (a port taken) fails the run instead of leaving it waiting.
  const line = await Promise.race([
    once(createInterface({ input: child.stdout }), 'line').then(([l]) => l),
    once(child, 'exit').then(([code]) => `exited with ${code}: ${readFileSync(join(home, 'fbayd.log'), 'utf8').trim().slice(-500)}`),
  ]);
  if (!line.startsWith('ready')) throw new Error(`daemon did not start: ${line}`);
  const socket = join(home, 'fbayd.sock');
  return {
    home,
    socket,
    pid: child.pid,
    api: (method, path, body) => api(socket, method, path, body),
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export function api(socket, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const where = typeof socket === 'number' ? { host: '127.0.0.1', port: socket } : { socketPath: socket };
    const req = request({ ...where, method, path, agent: false, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const median = (values) => percentile(values, 50);

/** One line per figure: name, value, unit, the same-run baseline, and the target. */
export function report(name, value, unit, { baseline, target, ok }) {
  const parts = [`${name}: ${value.toFixed(value < 10 ? 2 : 1)} ${unit}`];
  if (baseline !== undefined) parts.push(`baseline ${baseline}`);
  if (target !== undefined) parts.push(`target ${target}`);
  parts.push(ok ? 'PASS' : 'FAIL');
  console.log(parts.join(' | '));
  return ok;
}

/**
 * A loopback port for a daemon to listen on, from below the kernel's ephemeral range (32768 up): a port taken with
 * listen(0) and let go may be given to an outgoing connection before the daemon binds it.
 */
export async function freePort() {
  const { createServer } = await import('node:net');
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const s = createServer();
    const ok = await new Promise((resolve) => s.once('error', () => resolve(false)).listen(port, '127.0.0.1', () => resolve(true)));
    if (ok) {
      await new Promise((r) => s.close(r));
      return port;
    }
  }
}

/** Resolves when the daemon's log (fbayd.log in its home) has a line matching `pattern`. */
export async function logged(home, pattern) {
  for (;;) {
    const text = readFileSync(join(home, 'fbayd.log'), 'utf8');
    if (pattern.test(text)) return;
    // The log is a file the daemon appends to: look again after its next write.
    await new Promise((resolve) => {
      const w = watch(join(home, 'fbayd.log'), () => (w.close(), resolve()));
      if (pattern.test(readFileSync(join(home, 'fbayd.log'), 'utf8'))) (w.close(), resolve());
    });
  }
}
