// Figure: round trip of one byte, client → daemon → board → echo → client, over the direct pty round trip (added p50 < 0.5 ms, p99 < 2 ms).
import { percentile, report } from './lib.mjs';
import { closePort, openBoard, openPort, openSession, ptyPair, startPtyDaemon } from './pty.mjs';

const WARM_UP = 50;
const ECHO_LIMIT_MS = 2000;

/**
 * One byte out, wait for it to come back, N times. `send` writes a byte; the caller feeds what arrives to `onData`.
 * Returns round trips in ms, warm-up excluded.
 */
function pingPong(send, count, what) {
  let expect = -1;
  let arrived;
  let failed;
  /** A byte that was not the one awaited (or came twice): the loop stops on it. */
  let stray;
  const onData = (chunk) => {
    for (const b of chunk) {
      if (arrived && b === expect) arrived(performance.now());
      else failed?.((stray ??= new Error(`${what}: got byte ${b} while waiting for ${arrived ? expect : 'nothing'}`)));
    }
  };
  const loop = async () => {
    const times = [];
    for (let i = 0; i < WARM_UP + count; i++) {
      expect = i & 0xff;
      const back = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: byte ${i} not echoed within ${ECHO_LIMIT_MS} ms`)), ECHO_LIMIT_MS);
        arrived = (t) => {
          clearTimeout(timer);
          arrived = undefined;
          resolve(t);
        };
        failed = (err) => {
          clearTimeout(timer);
          reject(err);
        };
      });
      const t0 = performance.now();
      send(Buffer.of(expect));
      const t1 = await back;
      if (stray) throw stray;
      if (i >= WARM_UP) times.push(t1 - t0);
    }
    return times;
  };
  return { onData, loop };
}

async function direct(pair, count) {
  const host = await openPort(pair.host);
  try {
    const p = pingPong((b) => host.write(b), count, 'direct');
    host.on('data', p.onData);
    return await p.loop();
  } finally {
    await closePort(host);
  }
}

async function throughDaemon(d, count) {
  const s = await openSession(d);
  try {
    const p = pingPong((b) => s.ws.send(b, { binary: true }), count, 'daemon');
    s.ws.on('message', (data, isBinary) => isBinary && p.onData(data));
    return await p.loop();
  } finally {
    await s.end();
  }
}

export async function run(count = 2000, rounds = 8) {
  const pair = await ptyPair();
  let d;
  let board;
  try {
    d = await startPtyDaemon(pair);
    board = await openBoard(pair.board);
    board.echo();
    const directMs = [];
    const daemonMs = [];
    // Interleaved blocks, so a burst of other work on the machine hits both sides alike.
    const per = Math.ceil(count / rounds);
    for (let i = 0; i < rounds; i++) {
      directMs.push(...(await direct(pair, per)));
      daemonMs.push(...(await throughDaemon(d, per)));
    }
    const stats = (values) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
    const base = stats(directMs);
    const via = stats(daemonMs);
    const detail = (p) => `daemon ${via[p].toFixed(3)} ms − direct ${base[p].toFixed(3)} ms (${daemonMs.length} round trips each)`;
    const p50 = report('serial round trip of 1 byte, added by the daemon (p50)', via.p50 - base.p50, 'ms', {
      baseline: detail('p50'),
      target: '< 0.5 ms',
      ok: via.p50 - base.p50 < 0.5,
    });
    const p99 = report('serial round trip of 1 byte, added by the daemon (p99)', via.p99 - base.p99, 'ms', {
      baseline: detail('p99'),
      target: '< 2 ms',
      ok: via.p99 - base.p99 < 2,
    });
    return p50 && p99;
  } finally {
    await d?.stop();
    // socat first: its hangup ends the echo's pending read, then the fd can go.
    await pair.stop();
    await board?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
