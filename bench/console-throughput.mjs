// Figure: `fbay console` on a pty keeps up with 1 MiB/s of board output (virtual board `flood`) for 5 s without
// losing a byte (what reached the screen, panel paints taken out, is the session's transcript), using < 50% of one
// core; baseline: the same stream through `fbay console` as a plain pipe (no TUI), in the same run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { consoleOnPty, cpuMs, withoutPaints } from './console-pty.mjs';
import { FBAY_BIN, report, startDaemon } from './lib.mjs';

const CHUNK = 16 * 1024;
const PER_SECOND = 64; // 64 × 16 KiB = 1 MiB/s
const SECONDS = 5;

async function logEnd(socket, id) {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    request({ socketPath: socket, method: 'HEAD', path: `/v1/sessions/${id}/log` }, (res) => {
      res.resume();
      resolve(Number(res.headers['fbay-log-end']));
    })
      .on('error', reject)
      .end();
  });
}

async function transcript(socket, id, since) {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    request({ socketPath: socket, method: 'GET', path: `/v1/sessions/${id}/log?since=${since}` }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    })
      .on('error', reject)
      .end();
  });
}

/** Types `flood 16384` on a WebSocket of its own, 64 times a second for SECONDS; resolves when all are sent. */
async function floodAtOneMiBps(socket, id) {
  const ws = new WebSocket(`ws+unix://${socket}:/v1/sessions/${id}/serial`);
  await once(ws, 'open');
  ws.on('message', () => undefined); // output fans out to this client too: read and dropped
  const t0 = performance.now();
  for (let k = 0; k < SECONDS * PER_SECOND; k++) {
    const wait = t0 + (k * 1000) / PER_SECOND - performance.now();
    if (wait > 0) await delay(wait);
    ws.send(Buffer.from(`flood ${CHUNK}\r`));
  }
  return ws;
}

/** Runs one reader (started by `start`) through the flood; returns its CPU share and what it showed. */
async function measure(d, id, start) {
  const since = await logEnd(d.socket, id);
  const reader = await start(since);
  const pid = reader.pid();
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  const ws = await floodAtOneMiBps(d.socket, id);
  // The last flood's prompt is the end of the stream.
  const expected = (await waitForTranscript(d.socket, id, since)).toString('latin1');
  // On the pty, ONLCR turned each \n into \r\n: one byte more per line.
  await reader.waitForLength(reader.onPty ? expected.length + expected.split('\n').length - 1 : expected.length, 20_000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (cpuMs(pid) - cpu0) / 10 / seconds; // % of one core
  ws.close();
  await reader.stop();
  return { cpu, seconds, expected, shown: reader.shown() };
}

async function waitForTranscript(socket, id, since) {
  const total = SECONDS * PER_SECOND * CHUNK;
  for (;;) {
    const log = await transcript(socket, id, since);
    if (log.length >= total && log.toString('latin1').endsWith('fbay-virtual> ')) return log;
    await delay(50);
  }
}

/** Resolves once `length()` reaches `n`, checked after each chunk of `stream`. */
function lengthWaiter(stream, length) {
  return (n, ms) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (length() < n) return;
        clearTimeout(timer);
        stream.off('data', check);
        resolve();
      };
      const timer = setTimeout(() => {
        stream.off('data', check);
        reject(new Error(`timed out: ${length()} of ${n} bytes shown`));
      }, ms);
      stream.on('data', check);
      check();
    });
}

/** The TUI on a pty: what it showed is its output with the panel paints taken out, and ONLCR's \n → \r\n undone. */
async function tui(d, id, since) {
  const c = consoleOnPty(d.home, [id, '--since', String(since)]);
  await c.waitFor((out) => out.includes('\x1b[2m │')); // the Ink panel is up
  const skip = c.length; // the start: panel paints only
  // Counted as it comes (paints are whole writes, from ESC 7 to ESC 8), so waiting costs the bench little CPU.
  let inPaint = false;
  let carry = '';
  let shownLength = 0;
  c.child.stdout.on('data', (chunk) => {
    let text = carry + chunk.toString('latin1');
    carry = text.endsWith('\x1b') ? '\x1b' : '';
    if (carry) text = text.slice(0, -1);
    for (;;) {
      const j = text.indexOf(inPaint ? '\x1b8' : '\x1b7');
      if (!inPaint) shownLength += j < 0 ? text.length : j;
      if (j < 0) break;
      inPaint = !inPaint;
      text = text.slice(j + 2);
    }
  });
  return {
    onPty: true,
    pid: () => c.pid(),
    shown: () => withoutPaints(c.output().subarray(skip).toString('latin1')).replace(/\r\n/g, '\n'),
    waitForLength: lengthWaiter(c.child.stdout, () => shownLength),
    async stop() {
      c.write(Buffer.from('\x1d'));
      await c.exited;
    },
  };
}

/** The same console as a plain pipe: stdout is a pipe, so no TUI. */
async function pipe(d, id, since) {
  const child = spawn(process.execPath, [FBAY_BIN, 'console', id, '--since', String(since)], {
    env: { ...process.env, FBAY_HOME: d.home },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const chunks = [];
  let length = 0;
  child.stdout.on('data', (c) => {
    chunks.push(c);
    length += c.length;
  });
  return {
    onPty: false,
    pid: () => child.pid,
    shown: () => Buffer.concat(chunks).toString('latin1'),
    waitForLength: lengthWaiter(child.stdout, () => length),
    async stop() {
      child.kill('SIGINT');
      await once(child, 'exit');
    },
  };
}

export async function run() {
  const d = await startDaemon();
  try {
    const s = (await d.api('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 3600 })).body;
    const base = await measure(d, s.id, (since) => pipe(d, s.id, since));
    const t = await measure(d, s.id, (since) => tui(d, s.id, since));
    // Board output uses \r\n; the pty turned each \n into \r\n, which `shown` undid.
    const lost = t.shown.startsWith(t.expected) ? 0 : Math.max(1, t.expected.length - commonPrefix(t.shown, t.expected));
    const mib = t.expected.length / 1024 / 1024;
    const ok = lost === 0 && base.shown.startsWith(base.expected) && t.cpu < 50;
    return report(`\`fbay console\` on a pty, 1 MiB/s of output for ${SECONDS} s: CPU of its process`, t.cpu, '% of one core', {
      baseline: `the same stream through \`fbay console\` as a pipe: ${base.cpu.toFixed(1)}%; ${mib.toFixed(2)} MiB shown in ${t.seconds.toFixed(2)} s, ${lost} bytes lost`,
      target: '< 50%, no byte lost',
      ok,
    });
  } finally {
    await d.stop();
  }
}

function commonPrefix(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
