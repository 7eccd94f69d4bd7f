// Figures for `fbay serial bridge --rfc2217` on a virtual board, each against the raw serial WebSocket in the same
// run: the byte round trip it adds (p50 < 0.5 ms), its throughput (≥ 90% of the WebSocket's), and the timing of
// esptool's classic reset at the board's pins (each interval within ±5 ms of the client's).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import WebSocket from 'ws';
import { FBAY_BIN, median, percentile, report, ROOT, startDaemon } from './lib.mjs';

const { TelnetDecoder } = await import(join(ROOT, 'dist/transport/rfc2217/telnet-decoder.js'));
const { subnegotiation, negotiation } = await import(join(ROOT, 'dist/transport/rfc2217/telnet-encode.js'));
const WILL = 251, DO = 253, COM_PORT = 44, SET_CONTROL = 5;
const DTR_ON = 8, DTR_OFF = 9, RTS_ON = 11, RTS_OFF = 12;
/**
 * Each flood fits the daemon's per-client queue (4 MiB): an unpaced virtual board floods faster (~190 MB/s here) than
 * two more hops can always keep up on a loaded machine, and past the queue the daemon drops output for the slower
 * client (a gap), by design. A real line is at most a few hundred KB/s.
 */
const FLOOD_BYTES = 3 * 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `fbay --json serial bridge ID --rfc2217 0` against FBAY_HOME=home; resolves with its URL and a stop(). */
async function startBridge(home, id) {
  const child = spawn(process.execPath, [FBAY_BIN, '--json', 'serial', 'bridge', id, '--rfc2217', '0'], {
    env: { ...process.env, FBAY_HOME: home },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  const { port } = new URL(JSON.parse(line).url.replace('rfc2217:', 'http:'));
  return { port: Number(port), stop: async () => (child.kill('SIGINT'), await once(child, 'exit')) };
}

/** A TCP RFC 2217 client: data handed to `onData` unescaped; resolves once the bridge has agreed to COM-PORT. */
async function tcpClient(port, onData) {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  let agreed;
  const ready = new Promise((r) => (agreed = r));
  const decoder = new TelnetDecoder({ data: (b) => onData(b), negotiate: (v, o) => v === DO && o === COM_PORT && agreed(), subnegotiation: () => {}, command: () => {}, malformed: () => {} });
  socket.on('data', (c) => decoder.push(c));
  await once(socket, 'connect');
  socket.write(negotiation(WILL, COM_PORT));
  await ready;
  return { send: (b) => socket.write(b), control: (v) => socket.write(subnegotiation(COM_PORT, Buffer.of(SET_CONTROL, v))), close: () => socket.destroy() };
}

async function rawClient(socket, id, onData) {
  const ws = new WebSocket(`ws+unix://${socket}:/v1/sessions/${id}/serial`, { perMessageDeflate: false });
  ws.on('message', (data, isBinary) => isBinary && onData(data));
  await once(ws, 'open');
  return { send: (b) => ws.send(b, { binary: true }), close: () => ws.close() };
}

/** One printable byte out, its echo back, `count` times after a warm-up; ms each. */
async function roundTrips(open, count) {
  let waiting = null;
  const c = await open((chunk) => waiting && chunk.includes(0x61) && waiting());
  const times = [];
  for (let i = 0; i < count + 20; i++) {
    const back = new Promise((r) => (waiting = r));
    const t = performance.now();
    c.send(Buffer.of(0x61));
    await back;
    waiting = null;
    if (i >= 20) times.push(performance.now() - t);
    if (i % 500 === 499) c.send(Buffer.of(0x03)); // Ctrl-C: a fresh line
  }
  c.send(Buffer.of(0x03));
  c.close();
  return times;
}

/** `flood N` from the board; MB/s from the first byte to the last. */
async function flood(open, bytes) {
  let n = 0;
  let first = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const c = await open((chunk) => {
    if (n === 0) first = performance.now();
    n += chunk.length;
    if (n >= bytes) done(performance.now());
  });
  await sleep(50);
  n = 0;
  c.send(Buffer.from(`flood ${bytes}\r`));
  const timer = setTimeout(() => done(null), 30_000);
  const end = await finished;
  clearTimeout(timer);
  if (end === null) throw new Error(`flood: ${n} of ${bytes} bytes after 30 s (output was dropped on the way: a gap)`);
  c.close();
  return bytes / 1e6 / ((end - first) / 1000);
}

async function latencyAndThroughput() {
  const d = await startDaemon();
  try {
    const s = (await d.api('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 3600 })).body;
    const raw = [];
    const bridged = [];
    const rawMbs = [];
    const bridgedMbs = [];
    for (let round = 0; round < 6; round++) {
      raw.push(...(await roundTrips((f) => rawClient(d.socket, s.id, f), 500)));
      const b = await startBridge(d.home, s.id);
      bridged.push(...(await roundTrips((f) => tcpClient(b.port, f), 500)));
      bridgedMbs.push(await flood((f) => tcpClient(b.port, f), FLOOD_BYTES));
      await b.stop();
      rawMbs.push(await flood((f) => rawClient(d.socket, s.id, f), FLOOD_BYTES));
    }
    const p50 = percentile(bridged, 50) - percentile(raw, 50);
    const a = report('bridge: byte round trip added over the serial WebSocket (p50)', p50, 'ms', {
      baseline: `bridge ${percentile(bridged, 50).toFixed(3)} ms − raw WebSocket ${percentile(raw, 50).toFixed(3)} ms (${raw.length} each; p99 ${percentile(bridged, 99).toFixed(2)} vs ${percentile(raw, 99).toFixed(2)})`,
      target: '< 0.5 ms',
      ok: p50 < 0.5,
    });
    const share = median(bridgedMbs) / median(rawMbs);
    const b = report('bridge: board → client throughput, share of the WebSocket alone', share * 100, '%', {
      baseline: `bridge ${median(bridgedMbs).toFixed(1)} MB/s vs raw WebSocket ${median(rawMbs).toFixed(1)} MB/s (median of 6 × 3 MiB)`,
      target: '≥ 90%',
      ok: share >= 0.9,
    });
    return a && b;
  } finally {
    await d.stop();
  }
}

/** esptool's ClassicReset sent as SET-CONTROL without waiting for answers; errors of each interval at the pins. */
async function resetFidelity(rounds = 20) {
  const home = mkdtempSync('/tmp/fbay-bb-');
  writeFileSync(join(home, 'config.json'), '{}');
  const [{ startDaemon: inProcess }, { resolvePaths }] = await Promise.all([import(join(ROOT, 'dist/daemon/daemon.js')), import(join(ROOT, 'dist/shared/paths.js'))]);
  const started = await inProcess({ paths: resolvePaths({ FBAY_HOME: home }), log: () => {} });
  const daemon = started.running;
  let bridge;
  try {
    const res = await fetchJson(join(home, 'fbayd.sock'), '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 3600 });
    const device = daemon.boards.virtualDevice(res.board_id);
    bridge = await startBridge(home, res.id);
    let text = '';
    let warmed;
    const warm = new Promise((r) => (warmed = r));
    const c = await tcpClient(bridge.port, (b) => (text += b.toString('latin1')).includes('\r\nwarm\r\n') && warmed());
    c.send(Buffer.from('echo warm\r')); // one answered line first: the daemon is busy for a few ms after a WebSocket attaches
    await warm;
    const board = [];
    const client = [];
    for (let i = 0; i < rounds; i++) {
      const changed = pinChanges(device, 4);
      const sent = [];
      const set = (v) => (sent.push(Date.now()), c.control(v));
      set(DTR_OFF), set(RTS_ON);
      await sleep(100);
      set(DTR_ON), set(RTS_OFF);
      await sleep(50);
      set(DTR_OFF);
      const pins = await changed;
      if (device.state !== 'download') throw new Error(`round ${i}: the chip is ${device.state}, not in download mode`);
      board.push(Math.abs(pins[1].at - pins[0].at - (sent[2] - sent[0])), Math.abs(pins[3].at - pins[2].at - (sent[4] - sent[3])));
      client.push(Math.abs(sent[2] - sent[0] - 100), Math.abs(sent[4] - sent[3] - 50));
    }
    c.close();
    const worst = Math.max(...board);
    return report('bridge: reset sequence fidelity, worst DTR/RTS interval error at the board', worst, 'ms', {
      baseline: `${board.filter((e) => e <= 5).length} of ${board.length} intervals within ±5 ms, median ${median(board)} ms, over ${rounds} classic resets (the client's own timers vs 100/50 ms: median ${median(client)}, worst ${Math.max(...client)} ms); chip in download mode every time`,
      target: '±5 ms',
      ok: worst <= 5,
    });
  } finally {
    await bridge?.stop();
    await daemon.stop(false);
    rmSync(home, { recursive: true, force: true });
  }
}

/** Resolves with the next `count` pin changes (the device's setPins is watched, not polled). */
function pinChanges(device, count) {
  const seen = [];
  return new Promise((resolve, reject) => {
    const setPins = device.setPins.bind(device);
    const timer = setTimeout(() => ((device.setPins = setPins), reject(new Error(`only ${seen.length} pin changes in 5 s`))), 5000);
    device.setPins = (pins) => {
      const last = device.pinHistory.at(-1);
      setPins(pins);
      if (device.pinHistory.at(-1) !== last) seen.push(device.pinHistory.at(-1));
      if (seen.length < count) return;
      clearTimeout(timer);
      device.setPins = setPins;
      resolve(seen);
    };
  });
}

async function fetchJson(socket, path, body) {
  const { api } = await import('./lib.mjs');
  const r = await api(socket, 'POST', path, body);
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function run() {
  const a = await latencyAndThroughput();
  const b = await resetFidelity();
  return a && b;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
