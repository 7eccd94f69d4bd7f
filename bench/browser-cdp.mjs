// Figures: CDP through the daemon's proxy vs straight to Chromium, same run — Runtime.evaluate round trip (p50 overhead
// < 0.3 ms) and full-viewport screenshot throughput (≥ 90% of direct). Blocks alternate to share the machine's noise.
import { startDaemon, percentile, report } from './lib.mjs';
import { cdp, evaluateRounds, launchDirect, openPage, screenshots, servePages } from './browser-lib.mjs';

export async function run({ rounds = 10, evals = 300, shots = 6 } = {}) {
  const pages = await servePages();
  const d = await startDaemon({ browsers: { max_concurrent: 2, warm: 0 } });
  const direct = await launchDirect();
  try {
    const created = await d.api('POST', '/v1/browsers', {});
    const viaDaemon = await cdp(created.body.cdpUrl);
    const straight = await cdp(direct.url);
    const sides = [
      { name: 'daemon', client: viaDaemon, session: await openPage(viaDaemon, pages.url('/noise')), evals: [], shotMs: 0, shotBytes: 0 },
      { name: 'direct', client: straight, session: await openPage(straight, pages.url('/noise')), evals: [], shotMs: 0, shotBytes: 0 },
    ];
    for (const s of sides) await evaluateRounds(s.client, s.session, 200); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 ? [...sides].reverse() : sides) {
        s.evals.push(...(await evaluateRounds(s.client, s.session, evals)));
        const shot = await screenshots(s.client, s.session, shots);
        s.shotMs += shot.ms;
        s.shotBytes += shot.bytes;
      }
    }
    const [dae, dir] = sides;
    const p50 = (s) => percentile(s.evals, 50);
    const overhead = p50(dae) - p50(dir);
    const perSec = (s) => (rounds * shots * 1000) / s.shotMs;
    const ratio = perSec(dae) / perSec(dir);
    const mb = (dir.shotBytes / (rounds * shots) / 1024 / 1024).toFixed(1);
    const a = report('CDP Runtime.evaluate round trip through the daemon, p50 overhead', overhead, 'ms', {
      baseline: `daemon p50 ${p50(dae).toFixed(3)} ms, p99 ${percentile(dae.evals, 99).toFixed(3)} ms; direct p50 ${p50(dir).toFixed(3)} ms, p99 ${percentile(dir.evals, 99).toFixed(3)} ms`,
      target: '< 0.3 ms',
      ok: overhead < 0.3,
    });
    const b = report('CDP screenshot throughput through the daemon, share of direct', ratio * 100, '%', {
      baseline: `daemon ${perSec(dae).toFixed(2)}/s, direct ${perSec(dir).toFixed(2)}/s, ${mb} MiB of base64 PNG each`,
      target: '≥ 90%',
      ok: ratio >= 0.9,
    });
    viaDaemon.close();
    straight.close();
    return a && b;
  } finally {
    await direct.close();
    await d.stop();
    pages.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
