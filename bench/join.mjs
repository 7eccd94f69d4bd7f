// Figures for a board host that dialled out to a coordinator (issue 15): a serial byte's round trip and the
// throughput through host → coordinator → client, against the same host's board reached directly, in the same run.
import { once } from 'node:events';
import WebSocket from 'ws';
import { api, freePort, logged, median, percentile, report, startDaemon } from './lib.mjs';

const CHUNK = 1024 * 1024;
const ECHO_LIMIT_MS = 2000;

/** A coordinator on loopback TCP, and one host that joined it and also listens on TCP itself (the direct path). */
async function setup() {
  const coordPort = await freePort();
  const hostPort = await freePort();
  const coord = await startDaemon({ virtual_boards: 0 }, { FBAY_LISTEN: `127.0.0.1:${coordPort}` });
  const coordKey = (await coord.api('POST', '/v1/keys', { name: 'bench', tier: 'pro', credits: 1e6 })).body.key;
  const hostKey = (await coord.api('POST', '/v1/keys', { name: 'lab1', kind: 'host' })).body.key;
  const host = await startDaemon({}, { FBAY_LISTEN: `127.0.0.1:${hostPort}`, FBAY_JOIN: `ws://127.0.0.1:${coordPort}`, FBAY_JOIN_KEY: hostKey });
  const directKey = (await host.api('POST', '/v1/keys', { name: 'bench', tier: 'pro', credits: 1e6 })).body.key;
  await logged(coord.home, /host lab1 joined/);
  const paths = {
    direct: { port: hostPort, key: directKey, board: 'virtual-1' },
    joined: { port: coordPort, key: coordKey, board: 'lab1.virtual-2' },
  };
  return { paths, async close() { await host.stop(); await coord.stop(); } };
}

/** A session on the path's board with a serial client: its output counted, and fed to `onData` when set. */
async function session(p) {
  const auth = { authorization: `Bearer ${p.key}` };
  const s = (await api(p.port, 'POST', '/v1/sessions', { board_id: p.board, idle_timeout_s: 600 }, auth)).body;
  if (!s?.id) throw new Error(`create on ${p.board} failed: ${JSON.stringify(s)}`);
  const ws = new WebSocket(`ws://127.0.0.1:${p.port}/v1/sessions/${s.id}/serial`, { headers: auth, perMessageDeflate: false });
  const c = { ws, bytes: 0, gaps: 0, onData: null, waiters: [] };
  ws.on('message', (d, bin) => {
    if (!bin) {
      const m = JSON.parse(d.toString());
      if (m.type === 'gap') c.gaps += m.lost_bytes;
      return;
    }
    c.bytes += d.length;
    c.onData?.(d);
    for (const w of c.waiters.splice(0)) w();
  });
  c.until = (cond) => new Promise((resolve) => {
    const check = () => (cond() ? resolve() : c.waiters.push(check));
    check();
  });
  await once(ws, 'open');
  // A fresh prompt first: whatever it prints is not part of any figure.
  ws.send(Buffer.of(0x03), { binary: true });
  await c.until(() => c.bytes > 0);
  c.end = async () => {
    ws.close();
    await api(p.port, 'DELETE', `/v1/sessions/${s.id}`, undefined, auth);
  };
  return c;
}

/** One printable byte out, wait for the shell's echo of it, `count` times after a warm-up; round trips in ms. */
async function roundTrips(c, count, warmUp = 100) {
  const times = [];
  for (let i = 0; i < warmUp + count; i++) {
    const b = 0x61 + (i % 26);
    const back = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`byte ${i} not echoed within ${ECHO_LIMIT_MS} ms`)), ECHO_LIMIT_MS);
      c.onData = (d) => {
        if (d[d.length - 1] !== b) return;
        clearTimeout(timer);
        c.onData = null;
        resolve(performance.now());
      };
    });
    const t0 = performance.now();
    c.ws.send(Buffer.of(b), { binary: true });
    const t1 = await back;
    if (i >= warmUp) times.push(t1 - t0);
  }
  // Back to an empty line, so the next round starts clean.
  const before = c.bytes;
  c.ws.send(Buffer.of(0x03), { binary: true });
  await c.until(() => c.bytes > before);
  return times;
}

/** `bytes` of flood in 1 MiB bursts (a virtual board floods faster than a client reads); MB/s. */
async function flood(c, bytes) {
  const start = performance.now();
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    const want = c.bytes + CHUNK;
    c.ws.send(Buffer.from(`flood ${CHUNK}\r`));
    await c.until(() => c.bytes >= want);
  }
  const mbps = bytes / 1e6 / ((performance.now() - start) / 1000);
  if (c.gaps > 0) throw new Error(`${c.gaps} bytes lost on the way`);
  return mbps;
}

export async function measure({ latencyBytes = 2000, latencyRounds = 4, floodBytes = 32 * CHUNK, floodRounds = 5 } = {}) {
  const t = await setup();
  try {
    const direct = await session(t.paths.direct);
    const joined = await session(t.paths.joined);
    // Alternating rounds: a burst of other work on this 2-core machine hits both paths alike.
    const rtt = { direct: [], joined: [] };
    for (let r = 0; r < latencyRounds; r++) {
      rtt.direct.push(...(await roundTrips(direct, latencyBytes / latencyRounds)));
      rtt.joined.push(...(await roundTrips(joined, latencyBytes / latencyRounds)));
    }
    // One burst each first, not counted: both paths start cold (JIT, socket buffers).
    await flood(direct, 4 * CHUNK);
    await flood(joined, 4 * CHUNK);
    const mbps = { direct: [], joined: [] };
    for (let r = 0; r < floodRounds; r++) {
      mbps.direct.push(await flood(direct, floodBytes));
      mbps.joined.push(await flood(joined, floodBytes));
    }
    await direct.end();
    await joined.end();
    return { rtt, mbps };
  } finally {
    await t.close();
  }
}

export async function run() {
  const { rtt, mbps } = await measure();
  const p = (xs, q) => percentile(xs, q);
  const added50 = p(rtt.joined, 50) - p(rtt.direct, 50);
  const a = report('a serial byte\'s round trip through host → coordinator → client, added over the host direct (p50)', added50, 'ms', {
    baseline: `direct p50 ${p(rtt.direct, 50).toFixed(3)} / p99 ${p(rtt.direct, 99).toFixed(3)} ms; via the coordinator p50 ${p(rtt.joined, 50).toFixed(3)} / p99 ${p(rtt.joined, 99).toFixed(3)} ms (${rtt.direct.length} bytes each)`,
    target: '< 1 ms',
    ok: added50 < 1,
  });
  const direct = median(mbps.direct);
  const joined = median(mbps.joined);
  const fmt = (xs) => xs.map((x) => x.toFixed(0)).join('/');
  const b = report('throughput through host → coordinator → client (median of 5 rounds of 32 MiB)', joined, 'MB/s', {
    baseline: `the host direct ${direct.toFixed(1)} MB/s → ${((joined / direct) * 100).toFixed(0)}% (rounds: via coordinator ${fmt(mbps.joined)}, direct ${fmt(mbps.direct)})`,
    target: '≥ 80% of the host direct',
    ok: joined >= 0.8 * direct,
  });
  return a && b;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
