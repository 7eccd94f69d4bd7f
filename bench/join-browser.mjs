// Figures for a browser on a joined host (issue 15: hosts offer their browsers too): CDP through the coordinator and
// the host's tunnel against the same host's browser reached directly over its own TCP API, in the same run —
// Runtime.evaluate's added round trip (p50) and full-viewport screenshot throughput. Blocks alternate.
import { api, freePort, logged, percentile, report, startDaemon } from './lib.mjs';
import { cdp, evaluateRounds, openPage, screenshots, servePages } from './browser-lib.mjs';

export async function run({ rounds = 10, evals = 300, shots = 6 } = {}) {
  const pages = await servePages();
  const coordPort = await freePort();
  const hostPort = await freePort();
  // The coordinator has no Chromium: its browser runs on the host.
  const coord = await startDaemon({ virtual_boards: 0, browsers: { executable: '/nonexistent/chromium', warm: 0 } }, { FBAY_LISTEN: `127.0.0.1:${coordPort}` });
  const coordKey = (await coord.api('POST', '/v1/keys', { name: 'bench', tier: 'pro', credits: 1e6 })).body.key;
  const hostKey = (await coord.api('POST', '/v1/keys', { name: 'lab1', kind: 'host' })).body.key;
  const host = await startDaemon({ browsers: { max_concurrent: 2, warm: 0 } }, { FBAY_LISTEN: `127.0.0.1:${hostPort}`, FBAY_JOIN: `ws://127.0.0.1:${coordPort}`, FBAY_JOIN_KEY: hostKey });
  const directKey = (await host.api('POST', '/v1/keys', { name: 'bench', tier: 'pro', credits: 1e6 })).body.key;
  const clients = [];
  try {
    await logged(coord.home, /host lab1 joined/);
    const sides = [];
    for (const [name, port, key] of [['joined', coordPort, coordKey], ['direct', hostPort, directKey]]) {
      const auth = { authorization: `Bearer ${key}` };
      const t = performance.now();
      const created = (await api(port, 'POST', '/v1/browsers', {}, auth)).body;
      const createMs = performance.now() - t;
      if (created.status !== 'ready') throw new Error(`${name}: ${JSON.stringify(created)}`);
      const client = await cdp(created.cdpUrl, auth);
      clients.push(client);
      sides.push({ name, client, createMs, session: await openPage(client, pages.url('/noise')), evals: [], shotMs: 0 });
    }
    for (const s of sides) await evaluateRounds(s.client, s.session, 200); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 ? [...sides].reverse() : sides) {
        s.evals.push(...(await evaluateRounds(s.client, s.session, evals)));
        s.shotMs += (await screenshots(s.client, s.session, shots)).ms;
      }
    }
    const [joined, direct] = sides;
    const p50 = (s) => percentile(s.evals, 50);
    const added = p50(joined) - p50(direct);
    const perSec = (s) => (rounds * shots * 1000) / s.shotMs;
    const ratio = perSec(joined) / perSec(direct);
    const a = report("CDP Runtime.evaluate round trip to a joined host's browser through the coordinator, added over the host direct (p50)", added, 'ms', {
      baseline: `via the coordinator p50 ${p50(joined).toFixed(3)} / p99 ${percentile(joined.evals, 99).toFixed(3)} ms; the host direct p50 ${p50(direct).toFixed(3)} / p99 ${percentile(direct.evals, 99).toFixed(3)} ms; create → ready ${joined.createMs.toFixed(0)} vs ${direct.createMs.toFixed(0)} ms`,
      target: '< 1 ms (as a serial byte through the tunnel)',
      ok: added < 1,
    });
    const b = report("CDP screenshot throughput of a joined host's browser through the coordinator, share of the host direct", ratio * 100, '%', {
      baseline: `via the coordinator ${perSec(joined).toFixed(2)}/s, the host direct ${perSec(direct).toFixed(2)}/s (1280×720 noise PNGs)`,
      target: '≥ 80% (as serial throughput through the tunnel)',
      ok: ratio >= 0.8,
    });
    return a && b;
  } finally {
    for (const c of clients) c.close();
    await host.stop();
    await coord.stop();
    await pages.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
