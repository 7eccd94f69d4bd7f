// Figure: 10 concurrent browser sessions, each with a page loaded — memory per session (PSS over the browser's
// process group, so shared pages count once), against one Chromium launched directly with the same flags.
import { readFileSync } from 'node:fs';
import { startDaemon, median, report } from './lib.mjs';
import { browserPid, cdp, groupMemoryMb, launchDirect, openPage, servePages } from './browser-lib.mjs';

const rssMb = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

export async function run(sessions = 10) {
  const pages = await servePages();
  const d = await startDaemon({ browsers: { max_concurrent: sessions, plan: 'pro' } });
  const direct = await launchDirect();
  try {
    const daemonBefore = rssMb(d.pid);
    const t = performance.now();
    const created = await Promise.all(Array.from({ length: sessions }, () => d.api('POST', '/v1/browsers', {})));
    const allReady = performance.now() - t;
    if (!created.every((r) => r.body.state === 'ready')) throw new Error(`not all ready: ${created.map((r) => r.body.state)}`);
    const clients = await Promise.all(created.map((r) => cdp(r.body.cdp_url)));
    await Promise.all(clients.map((c) => openPage(c, pages.url('/'))));
    const baseline = await cdp(direct.url);
    await openPage(baseline, pages.url('/'));

    const mem = created.map((r) => groupMemoryMb(browserPid(d.home, r.body.id)));
    const pss = mem.map((m) => m.pss);
    const perSession = pss.reduce((a, b) => a + b, 0) / sessions;
    const one = groupMemoryMb(direct.pid);
    const daemonAfter = rssMb(d.pid);
    for (const c of [...clients, baseline]) c.close();
    return report(`memory per browser session, ${sessions} concurrent with a page loaded (PSS)`, perSession, 'MB', {
      baseline: `one Chromium launched directly: PSS ${one.pss.toFixed(1)} MB, RSS ${one.rss.toFixed(1)} MB; median session RSS ${median(mem.map((m) => m.rss)).toFixed(1)} MB; daemon RSS ${daemonBefore.toFixed(1)} → ${daemonAfter.toFixed(1)} MB; all ${sessions} ready in ${allReady.toFixed(0)} ms`,
      target: 'stated (no limit)',
      ok: true,
    });
  } finally {
    await direct.close();
    await d.stop();
    pages.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
