// Figure: board → daemon → WebSocket throughput over a socat pty pair (≥ 90% of the same pair read directly, ≥ 10 MB/s).
import { createHash, randomBytes } from 'node:crypto';
import { report, median } from './lib.mjs';
import { closePort, cpuMs, openBoard, openPort, openSession, ptyPair, startPtyDaemon } from './pty.mjs';

const MIB = 1024 * 1024;
const ROUND_LIMIT_MS = 120_000;

/** Counts and hashes what arrives; resolves with first-byte → last-byte time once `total` bytes are in. */
function receiver(total, what) {
  const hash = createHash('sha1');
  let n = 0;
  let first = 0;
  let done;
  let fail;
  let timer;
  const result = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: ${n} of ${total} bytes after ${ROUND_LIMIT_MS} ms`)), ROUND_LIMIT_MS);
    done = (ms) => {
      clearTimeout(timer);
      resolve({ ms, bytes: n, sha1: hash.digest('hex') });
    };
    fail = (err) => {
      clearTimeout(timer);
      reject(err);
    };
  });
  // A failure can come while the round is still writing, before anyone awaits the result: it is taken then, not
  // left to crash the run as an unhandled rejection.
  result.catch(() => undefined);
  const onChunk = (chunk) => {
    const now = performance.now();
    if (n === 0) first = now;
    n += chunk.length;
    hash.update(chunk);
    if (n >= total) done(now - first);
  };
  return { onChunk, result, fail, received: () => n, cancel: () => clearTimeout(timer) };
}

function check(r, payload, expected, what) {
  if (r.bytes !== payload.length || r.sha1 !== expected) {
    throw new Error(`${what}: received ${r.bytes} bytes (sha1 ${r.sha1}), sent ${payload.length} (sha1 ${expected})`);
  }
  return payload.length / 1e6 / (r.ms / 1000);
}

async function direct(pair, board, payload, expected) {
  const host = await openPort(pair.host);
  try {
    const rx = receiver(payload.length, 'direct');
    host.on('data', rx.onChunk);
    try {
      await board.write(payload); // as fast as the pty takes it
      return check(await rx.result, payload, expected, 'direct');
    } finally {
      rx.cancel();
    }
  } finally {
    await closePort(host);
  }
}

class GapError extends Error {}

/** MB/s, and the daemon's CPU time for the round. */
async function throughDaemon(d, board, payload, expected) {
  const s = await openSession(d);
  const cpu0 = cpuMs(d.pid);
  try {
    const rx = receiver(payload.length, 'daemon');
    s.ws.on('message', (data, isBinary) => {
      if (isBinary) return rx.onChunk(data);
      // The client fell more than its queue behind and the daemon dropped output for it (DESIGN §4): no figure.
      const m = JSON.parse(data.toString());
      if (m.type === 'gap') rx.fail(new GapError(`the daemon dropped ${m.lost_bytes} bytes for this client (a gap) after ${rx.received()}: it could not keep up`));
    });
    try {
      await board.write(payload); // as fast as the pty takes it
      const mbs = check(await rx.result, payload, expected, 'daemon');
      return { mbs, cpu: cpuMs(d.pid) - cpu0 };
    } finally {
      rx.cancel();
    }
  } finally {
    await s.end();
  }
}

const TARGET = '≥ 90% of direct and ≥ 10 MB/s';

export async function run(rounds = 5, mib = 64) {
  const name = `serial throughput board → daemon → WebSocket (${mib} MiB × ${rounds}, median)`;
  const payload = randomBytes(mib * MIB);
  const expected = createHash('sha1').update(payload).digest('hex');
  const pair = await ptyPair();
  let d;
  let board;
  try {
    d = await startPtyDaemon(pair);
    board = await openBoard(pair.board);
    const directMBs = [];
    const daemonMBs = [];
    const daemonCpu = [];
    // Interleaved, so a burst of other work on the machine hits both sides alike.
    for (let i = 0; i < rounds; i++) {
      directMBs.push(await direct(pair, board, payload, expected));
      const r = await throughDaemon(d, board, payload, expected);
      daemonMBs.push(r.mbs);
      daemonCpu.push(r.cpu);
    }
    const value = median(daemonMBs);
    const base = median(directMBs);
    const ratio = value / base;
    return report(name, value, 'MB/s', {
      baseline:
        `the same pty pair read directly: median ${base.toFixed(1)} MB/s → ${(ratio * 100).toFixed(1)}% ` +
        `(rounds: daemon ${fmt(daemonMBs)}, direct ${fmt(directMBs)}; daemon CPU per ${mib} MiB: median ${median(daemonCpu)} ms)`,
      target: TARGET,
      ok: ratio >= 0.9 && value >= 10,
    });
  } catch (err) {
    if (!(err instanceof GapError)) throw err;
    return report(name, 0, 'MB/s', { baseline: `no figure: ${err.message}`, target: TARGET, ok: false });
  } finally {
    await board?.close();
    await d?.stop();
    await pair.stop();
  }
}

const fmt = (values) => values.map((v) => v.toFixed(1)).join('/');

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
