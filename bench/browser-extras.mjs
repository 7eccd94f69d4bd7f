// Figures: what recording costs a session, through the API — the Runtime.evaluate round trip with recording on
// against a session without (p50 overhead < 0.3 ms), and the encoder's CPU, on a page animating at 60 fps and a still one.
import { readdirSync, readFileSync } from 'node:fs';
import { startDaemon, percentile, report } from './lib.mjs';
import { browserPid, cdp, evaluateRounds, openPage } from './browser-lib.mjs';

/** A page that never stops painting: the screencast's and the encoder's worst case. */
const ANIMATED = `data:text/html,${encodeURIComponent(
  '<body style="margin:0"><div id="b" style="width:400px;height:400px;background:linear-gradient(red,blue)"></div><script>let a=0;(function f(){a+=3;b.style.transform=`rotate(${a}deg)`;requestAnimationFrame(f)})()</script>',
)}`;

/** utime + stime of the processes `match` picks, in clock ticks (1/100 s on Linux). */
function cpuTicks(match) {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (match(Number(name), f, stat)) ticks += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return ticks;
}

export async function run({ rounds = 8, evals = 300, windowMs = 4000 } = {}) {
  const d = await startDaemon({ browsers: { max_concurrent: 2, warm: 0 } });
  try {
    const sides = [];
    for (const recording of [false, true]) {
      const { body } = await d.api('POST', '/v1/browsers', { recording });
      if (body.status !== 'ready') throw new Error(`create failed: ${JSON.stringify(body)}`);
      const client = await cdp(body.cdpUrl);
      sides.push({ recording, id: body.id, pid: browserPid(d.home, body.id), client, page: await openPage(client, ANIMATED), evals: [] });
    }
    for (const side of sides) await evaluateRounds(side.client, side.page, 200);
    for (let r = 0; r < rounds; r++) for (const side of r % 2 ? [...sides].reverse() : sides) side.evals.push(...(await evaluateRounds(side.client, side.page, evals)));
    const [off, on] = sides;
    const overhead = percentile(on.evals, 50) - percentile(off.evals, 50);
    const ffmpeg = () => cpuTicks((pid, f, stat) => Number(f[1]) === d.pid && stat.includes('(ffmpeg)'));
    const group = (pgid) => cpuTicks((pid, f) => Number(f[2]) === pgid);
    const daemon = () => cpuTicks((pid) => pid === d.pid);
    // CPU over a quiet window, the page animating in both, then still: the encoder, the daemon, each browser.
    const cpu = async () => {
      const before = { ff: ffmpeg(), on: group(on.pid), off: group(off.pid), daemon: daemon(), t: performance.now() };
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const secs = (performance.now() - before.t) / 1000;
      // Ticks are 1/100 s: per second of wall time, that is % of one core.
      return { ff: (ffmpeg() - before.ff) / secs, on: (group(on.pid) - before.on) / secs, off: (group(off.pid) - before.off) / secs, daemon: (daemon() - before.daemon) / secs };
    };
    const moving = await cpu();
    for (const side of sides) await side.client.call('Runtime.evaluate', { expression: 'document.body.innerHTML = "<h1>still</h1>"' }, side.page);
    const still = await cpu();
    for (const side of sides) side.client.close();
    const a = report('CDP Runtime.evaluate round trip with recording on (API), p50 overhead', overhead, 'ms', {
      baseline: `recording on p50 ${percentile(on.evals, 50).toFixed(3)} ms, p99 ${percentile(on.evals, 99).toFixed(3)} ms; off p50 ${percentile(off.evals, 50).toFixed(3)} ms, p99 ${percentile(off.evals, 99).toFixed(3)} ms (a page animating at 60 fps in both)`,
      target: '< 0.3 ms',
      ok: overhead < 0.3,
    });
    const f = (x) => x.toFixed(1);
    report('recording encoder CPU (ffmpeg, 1280×720 at 10 fps, H.264 ultrafast), a page animating at 60 fps', moving.ff, '% of a core', {
      baseline: `the recorded browser ${f(moving.on)}% vs the same page unrecorded ${f(moving.off)}%; the daemon (CDP proxy, frames, both sessions) ${f(moving.daemon)}%; a still page: encoder ${f(still.ff)}%, recorded browser ${f(still.on)}% vs ${f(still.off)}%, daemon ${f(still.daemon)}%`,
      target: 'stated',
      ok: true,
    });
    for (const side of sides) await d.api('DELETE', `/v1/browsers?id=${side.id}`);
    return a;
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
