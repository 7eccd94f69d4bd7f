// Figure: `fbay console ID --replay` started on a pty until the first byte of the board's output is on screen, median
// < 300 ms; baseline: `node -e` printing the same bytes on the same kind of pty, in the same run.
import { once } from 'node:events';
import WebSocket from 'ws';
import { consoleOnPty, onPty } from './console-pty.mjs';
import { median, report, startDaemon } from './lib.mjs';

const MARK = 'echo first-byte';

async function printSomething(socket, id) {
  const ws = new WebSocket(`ws+unix://${socket}:/v1/sessions/${id}/serial`);
  await once(ws, 'open');
  let seen = '';
  const answered = new Promise((resolve) =>
    ws.on('message', (data, isBinary) => {
      if (isBinary && (seen += data.toString('latin1')).includes('first-byte\r\n')) resolve();
    }),
  );
  ws.send(Buffer.from(`${MARK}\r`));
  await answered;
  ws.close();
  await once(ws, 'close');
}

async function firstByte(pty) {
  const at = await pty.waitFor((out) => out.includes(MARK));
  return at - pty.t0;
}

export async function run(rounds = 15) {
  const d = await startDaemon();
  try {
    const s = (await d.api('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 3600 })).body;
    await printSomething(d.socket, s.id);
    const console_ = [];
    const node = [];
    for (let i = 0; i < rounds + 1; i++) {
      const c = consoleOnPty(d.home, [s.id, '--replay']);
      const t = await firstByte(c);
      c.write(Buffer.from('\x1d'));
      await c.exited;
      const n = onPty(['-e', `process.stdout.write(${JSON.stringify(MARK)})`], process.env);
      const tn = await firstByte(n);
      await n.exited;
      if (i > 0) {
        console_.push(t); // the first round warms the disk cache
        node.push(tn);
      }
    }
    const m = median(console_);
    return report('`fbay console --replay` start → first byte of output on screen (median)', m, 'ms', {
      baseline: `node -e printing the same bytes on a pty: median ${median(node).toFixed(1)} ms`,
      target: '< 300 ms',
      ok: m < 300,
    });
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
