// Figure: create → idle for a virtual board through the API (median < 20 ms), against GET /v1/health in the same run.
import { startDaemon, median, percentile, report } from './lib.mjs';

export async function run(rounds = 200) {
  const d = await startDaemon({ virtual_boards: 2 });
  try {
    const health = [];
    const create = [];
    for (let i = 0; i < 20; i++) await d.api('GET', '/v1/health'); // warm up
    for (let i = 0; i < rounds; i++) {
      let t = performance.now();
      await d.api('GET', '/v1/health');
      health.push(performance.now() - t);
      t = performance.now();
      const r = await d.api('POST', '/v1/sessions', { board_type: 'virtual' });
      create.push(performance.now() - t);
      if (r.status !== 201 || r.body.state !== 'idle') throw new Error(`create failed: ${JSON.stringify(r.body)}`);
      await d.api('DELETE', `/v1/sessions/${r.body.id}`);
    }
    const m = median(create);
    return report('create → idle (virtual, API, median)', m, 'ms', {
      baseline: `health round trip median ${median(health).toFixed(2)} ms; create p99 ${percentile(create, 99).toFixed(2)} ms`,
      target: '< 20 ms',
      ok: m < 20,
    });
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
