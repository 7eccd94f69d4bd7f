// Figure: replay of 1 MiB after a reconnect (< 50 ms), against receiving the same 1 MiB live in the same run.
import { once } from 'node:events';
import WebSocket from 'ws';
import { startDaemon, median, report } from './lib.mjs';

const MIB = 1024 * 1024;

async function connect(socket, id, query = '') {
  const t = performance.now();
  const ws = new WebSocket(`ws+unix://${socket}:/v1/sessions/${id}/serial${query}`);
  await once(ws, 'open');
  return { ws, t };
}

function receive(ws, bytes) {
  return new Promise((resolve) => {
    let n = 0;
    const onMessage = (data, isBinary) => {
      if (!isBinary) return;
      n += data.length;
      if (n >= bytes) {
        ws.off('message', onMessage);
        resolve(performance.now());
      }
    };
    ws.on('message', onMessage);
  });
}

export async function run(rounds = 20) {
  const d = await startDaemon();
  try {
    const s = (await d.api('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 3600 })).body;
    const live = [];
    const replay = [];
    for (let i = 0; i < rounds; i++) {
      const { ws } = await connect(d.socket, s.id);
      const t0 = performance.now();
      const done = receive(ws, MIB);
      ws.send(Buffer.from(`flood ${MIB}\r`));
      live.push((await done) - t0);
      ws.close();
      await once(ws, 'close');
      const end = await logEnd(d.socket, s.id);
      const again = await connect(d.socket, s.id, `?since=${end - MIB}`);
      replay.push((await receive(again.ws, MIB)) - again.t);
      again.ws.close();
      await once(again.ws, 'close');
    }
    const m = median(replay);
    return report('replay of 1 MiB after a reconnect (connect → last byte, median)', m, 'ms', {
      baseline: `the same 1 MiB received live from the board: median ${median(live).toFixed(2)} ms`,
      target: '< 50 ms',
      ok: m < 50,
    });
  } finally {
    await d.stop();
  }
}

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

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
