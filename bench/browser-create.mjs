// Figures: browser session create → ready through the API — from a warm browser (median < 50 ms) and cold (median
// < 500 ms) — against Chromium's own launch to its first CDP answer, all in the same run.
import { startDaemon, median, percentile, report } from './lib.mjs';
import { directLaunchMs, warmFilled } from './browser-lib.mjs';

async function timedCreate(d, body = {}) {
  const t = performance.now();
  const r = await d.api('POST', '/v1/browsers', body);
  const ms = performance.now() - t;
  if (r.status !== 201 || r.body.status !== 'ready') throw new Error(`create failed: ${JSON.stringify(r.body)}`);
  await d.api('DELETE', `/v1/browsers?id=${r.body.id}`);
  return { ms, warm: r.body.warm };
}

export async function run(rounds = 20) {
  const cold = await startDaemon({ browsers: { max_concurrent: 2, warm: 0 } });
  const warm = await startDaemon({ browsers: { max_concurrent: 2, warm: 1 } });
  try {
    const t = { direct: [], cold: [], warm: [], fingerprint: [] };
    await directLaunchMs(); // warm the page cache for everyone
    for (let i = 0; i < rounds; i++) {
      // Each measurement alone on the machine: the warm pool's refill is done before the next one starts.
      await warmFilled(warm);
      t.direct.push(await directLaunchMs());
      t.cold.push((await timedCreate(cold)).ms);
      for (const [key, body] of [['warm', {}], ['fingerprint', { fingerprint: { userAgent: 'Bench/1.0', timezoneId: 'Europe/London' } }]]) {
        await warmFilled(warm);
        const r = await timedCreate(warm, body);
        if (!r.warm) throw new Error('a warm create started cold');
        t[key].push(r.ms);
      }
    }
    const m = (k) => median(t[k]);
    const a = report('browser create → ready from a warm browser (API, median)', m('warm'), 'ms', {
      baseline: `cold create median ${m('cold').toFixed(1)} ms; Chromium's own launch to its first CDP answer median ${m('direct').toFixed(1)} ms; warm p90 ${percentile(t.warm, 90).toFixed(1)} ms; warm with a fingerprint median ${m('fingerprint').toFixed(1)} ms`,
      target: '< 50 ms',
      ok: m('warm') < 50,
    });
    const b = report('browser create → ready cold (API, median)', m('cold'), 'ms', {
      baseline: `direct Chromium launch to first CDP answer median ${m('direct').toFixed(1)} ms; cold p90 ${percentile(t.cold, 90).toFixed(1)} ms`,
      target: '< 500 ms',
      ok: m('cold') < 500,
    });
    return a && b;
  } finally {
    await Promise.all([cold.stop(), warm.stop()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
