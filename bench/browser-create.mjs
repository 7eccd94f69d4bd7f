// Figure: browser session create → ready through the API (median < 500 ms), against launching the same Chromium directly.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { startDaemon, median, percentile, report } from './lib.mjs';
import { chromiumArgs } from '../dist/daemon/browsers/launcher.js';
import { findBrowser } from '../dist/daemon/browsers/executable.js';

/** The baseline: spawn Chromium with the daemon's flags and wait for its first CDP answer on the pipe. */
async function directLaunchMs() {
  const profile = mkdtempSync('/tmp/fbay-bench-profile-');
  const t = performance.now();
  const child = spawn(findBrowser(null), chromiumArgs(profile, process.getuid?.() === 0), { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true });
  child.stdio[3].write('{"id":1,"method":"Browser.getVersion"}\0');
  await new Promise((resolve) => child.stdio[4].once('data', resolve));
  const ms = performance.now() - t;
  child.stdio[3].destroy();
  child.stdio[4].destroy();
  await new Promise((resolve) => child.once('exit', resolve));
  rmSync(profile, { recursive: true, force: true });
  return ms;
}

export async function run(rounds = 20) {
  const d = await startDaemon({ browsers: { max_concurrent: 2, plan: 'pro' } });
  try {
    const direct = [];
    const create = [];
    await directLaunchMs(); // warm the page cache for both
    for (let i = 0; i < rounds; i++) {
      direct.push(await directLaunchMs());
      const t = performance.now();
      const r = await d.api('POST', '/v1/browsers', {});
      create.push(performance.now() - t);
      if (r.status !== 201 || r.body.state !== 'ready') throw new Error(`create failed: ${JSON.stringify(r.body)}`);
      await d.api('DELETE', `/v1/browsers?id=${r.body.id}`);
    }
    const m = median(create);
    return report('browser create → ready (API, median)', m, 'ms', {
      baseline: `direct Chromium launch to first CDP answer median ${median(direct).toFixed(1)} ms; create p90 ${percentile(create, 90).toFixed(1)} ms`,
      target: '< 500 ms',
      ok: m < 500,
    });
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
