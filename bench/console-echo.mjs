// Figure: a keystroke to its echo on screen through `fbay console` on a pty (virtual board), p50 added over the raw
// WebSocket round trip to the same board in the same run: < 5 ms.
import { once } from 'node:events';
import WebSocket from 'ws';
import { consoleOnPty } from './console-pty.mjs';
import { percentile, report, startDaemon } from './lib.mjs';

const KEY = 0x7e; // '~': not in the status line, so each one seen is an echo
const WARMUP = 20;

const count = (buf) => buf.reduce((n, b) => (b === KEY ? n + 1 : n), 0);

async function rawRoundTrips(socket, id, rounds) {
  const ws = new WebSocket(`ws+unix://${socket}:/v1/sessions/${id}/serial`);
  await once(ws, 'open');
  const times = [];
  for (let i = 0; i < rounds + WARMUP; i++) {
    const t = performance.now();
    const echoed = new Promise((resolve) => {
      const onMessage = (data, isBinary) => {
        if (!isBinary || !data.includes(KEY)) return;
        ws.off('message', onMessage);
        resolve(performance.now());
      };
      ws.on('message', onMessage);
    });
    ws.send(Buffer.of(KEY));
    const at = await echoed;
    if (i >= WARMUP) times.push(at - t);
  }
  ws.send(Buffer.from('\x03')); // drop the line of ~ on the board
  ws.close();
  await once(ws, 'close');
  return times;
}

async function consoleRoundTrips(home, id, rounds) {
  const c = consoleOnPty(home, [id]);
  // Measured once the Ink panel has replaced the plain one (its dim separators): Ink's load is start-up, not typing.
  await c.waitFor((out) => out.includes('● active') && out.includes('\x1b[2m │'));
  const times = [];
  let seen = count(c.output());
  for (let i = 0; i < rounds + WARMUP; i++) {
    const t = performance.now();
    c.write(Buffer.of(KEY));
    const target = seen + 1;
    const at = await c.waitFor((out) => count(out) >= target);
    seen = target;
    if (i >= WARMUP) times.push(at - t);
  }
  c.write(Buffer.from('\x03\x1d')); // Ctrl-C to the board, then quit
  await c.exited;
  return times;
}

export async function run(rounds = 200) {
  const d = await startDaemon();
  try {
    const s = (await d.api('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 3600 })).body;
    const raw = await rawRoundTrips(d.socket, s.id, rounds);
    const tui = await consoleRoundTrips(d.home, s.id, rounds);
    const added = percentile(tui, 50) - percentile(raw, 50);
    return report('keystroke → echo on screen through `fbay console` (p50 added over the raw WebSocket)', added, 'ms', {
      baseline: `raw WebSocket round trip p50 ${percentile(raw, 50).toFixed(2)} ms; console p50 ${percentile(tui, 50).toFixed(2)} ms, p99 ${percentile(tui, 99).toFixed(2)} ms`,
      target: '< 5 ms added',
      ok: added < 5,
    });
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
