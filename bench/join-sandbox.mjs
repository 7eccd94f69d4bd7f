// Figures for a sandbox on a joined host (issue 15: hosts offer their sandboxes too): requests through the
// coordinator and the host's tunnel against a sandbox on the same host reached directly over its own TCP API, in the
// same run — a small file read's added round trip (p50), an exec's added round trip (p50), and 8 MiB file reads'
// throughput. Blocks alternate; each side keeps its connections alive, as a client does.
import { Agent, request } from 'node:http';
import { freePort, logged, percentile, report, startDaemon } from './lib.mjs';

const BIG = 8 * 1024 * 1024;

function call(port, agent, key, method, path, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const headers = { authorization: `Bearer ${key}`, ...(payload ? { 'content-length': payload.length, 'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json' } : {}) };
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on('data', (c) => ((bytes += c.length), chunks.length < 64 && chunks.push(c)));
      res.on('end', () => (res.statusCode < 300 ? resolve({ bytes, text: Buffer.concat(chunks).toString() }) : reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks)}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function timed(n, fn) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export async function run({ rounds = 6, reads = 150, execs = 15, bigReads = 3 } = {}) {
  const coordPort = await freePort();
  const hostPort = await freePort();
  // The coordinator's sandboxes go to its host first: the joined side's sandbox runs there. The plan's request rate
  // (1,000 a minute) is raised on both sides, or the bench would measure its refusals.
  const plans = { plans: { paid: { requests_per_min: 1_000_000 } } };
  const coord = await startDaemon({ virtual_boards: 0, browsers: { warm: 0 }, sandbox: plans }, { FBAY_LISTEN: `127.0.0.1:${coordPort}` });
  const coordKey = (await coord.api('POST', '/v1/keys', { name: 'bench', tier: 'pro', credits: 1e6 })).body.key;
  const hostKey = (await coord.api('POST', '/v1/keys', { name: 'lab1', kind: 'host' })).body.key;
  const host = await startDaemon({ browsers: { warm: 0 }, sandbox: plans }, { FBAY_LISTEN: `127.0.0.1:${hostPort}`, FBAY_JOIN: `ws://127.0.0.1:${coordPort}`, FBAY_JOIN_KEY: hostKey });
  const directKey = (await host.api('POST', '/v1/keys', { name: 'bench', tier: 'pro', credits: 1e6 })).body.key;
  const sides = [];
  try {
    await logged(coord.home, /host lab1 joined/);
    for (const [name, port, key] of [['joined', coordPort, coordKey], ['direct', hostPort, directKey]]) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const req = (method, path, body) => call(port, agent, key, method, path, body);
      const t = performance.now();
      const s = JSON.parse((await req('POST', '/v1/sessions', { kind: 'sandbox' })).text);
      const createMs = performance.now() - t;
      const base = `/v1/sessions/${s.id}`;
      await req('PUT', `${base}/files/small.txt`, Buffer.from('x'.repeat(100)));
      await req('PUT', `${base}/files/big.bin`, Buffer.alloc(BIG, 7));
      sides.push({ name, agent, req, base, createMs, reads: [], execs: [], bigMs: 0 });
    }
    const ran = await sides[0].req('POST', `${sides[0].base}/exec`, { command: 'true' });
    if (!ran.text.includes('"exit_code":0')) throw new Error(`the joined exec failed: ${ran.text}`);
    const host1 = (await host.api('GET', '/v1/hosts')).body.join?.host;
    if (host1 !== 'lab1') throw new Error('the host did not join');
    for (const s of sides) await timed(50, () => s.req('GET', `${s.base}/files/small.txt`)); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 ? [...sides].reverse() : sides) {
        s.reads.push(...(await timed(reads, () => s.req('GET', `${s.base}/files/small.txt`))));
        s.execs.push(...(await timed(execs, () => s.req('POST', `${s.base}/exec`, { command: 'true' }))));
        s.bigMs += (await timed(bigReads, () => s.req('GET', `${s.base}/files/big.bin`))).reduce((a, b) => a + b, 0);
      }
    }
    const [joined, direct] = sides;
    const p = (s, key, q = 50) => percentile(s[key], q);
    const both = (key) => `via the coordinator p50 ${p(joined, key).toFixed(3)} / p99 ${p(joined, key, 99).toFixed(3)} ms; the host direct p50 ${p(direct, key).toFixed(3)} / p99 ${p(direct, key, 99).toFixed(3)} ms`;
    const readAdded = p(joined, 'reads') - p(direct, 'reads');
    const a = report("A small file read from a joined host's sandbox through the coordinator, added over the host direct (p50)", readAdded, 'ms', {
      baseline: `${both('reads')}; create → active ${joined.createMs.toFixed(0)} vs ${direct.createMs.toFixed(0)} ms`,
      target: '< 1 ms (as a serial byte through the tunnel)',
      ok: readAdded < 1,
    });
    const execAdded = p(joined, 'execs') - p(direct, 'execs');
    const b = report("An exec (`true`) in a joined host's sandbox through the coordinator, added over the host direct (p50)", execAdded, 'ms', {
      baseline: both('execs'),
      target: '< 1 ms',
      ok: execAdded < 1,
    });
    const perSec = (s) => (rounds * bigReads * BIG) / (1024 * 1024) / (s.bigMs / 1000);
    const ratio = perSec(joined) / perSec(direct);
    const c = report("8 MiB file reads from a joined host's sandbox through the coordinator, share of the host direct's throughput", ratio * 100, '%', {
      baseline: `via the coordinator ${perSec(joined).toFixed(0)} MiB/s, the host direct ${perSec(direct).toFixed(0)} MiB/s`,
      target: '≥ 80% (as serial throughput through the tunnel)',
      ok: ratio >= 0.8,
    });
    return a && b && c;
  } finally {
    for (const s of sides) s.agent.destroy();
    await host.stop();
    await coord.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
