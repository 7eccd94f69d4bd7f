// Figure: 10 concurrent browser sessions through the API, each with a page loaded — memory per session (PSS over the
// browser's process group, so shared pages count once), without and with a warm browser waiting, against one
// Chromium launched directly with the same flags.
import { readFileSync } from 'node:fs';
import { startDaemon, median, report } from './lib.mjs';
import { browserPid, cdp, groupMemoryMb, launchDirect, openPage, servePages, waitingPss, warmFilled } from './browser-lib.mjs';

const rssMb = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function sessionsOn(warm, sessions, pages, during = () => {}) {
  const d = await startDaemon({ browsers: { max_concurrent: sessions, warm } });
  try {
    if (warm) await warmFilled(d, warm);
    const daemonBefore = rssMb(d.pid);
    const t = performance.now();
    const created = await Promise.all(Array.from({ length: sessions }, () => d.api('POST', '/v1/browsers', {})));
    const allReady = performance.now() - t;
    if (!created.every((r) => r.body.status === 'ready')) throw new Error(`not all ready: ${created.map((r) => r.body.status)}`);
    const clients = await Promise.all(created.map((r) => cdp(r.body.cdpUrl)));
    await Promise.all(clients.map((c) => openPage(c, pages.url('/'))));
    // The pool's replacement is part of what a warm host costs.
    if (warm) await warmFilled(d, warm);
    const mem = created.map((r) => groupMemoryMb(browserPid(d.home, r.body.id)));
    during();
    const perSession = mem.reduce((sum, m) => sum + m.pss, 0) / sessions;
    // A session that took a warm browser keeps its warm-… directory: what waits is what no session holds.
    const tookWarm = created.filter((r) => r.body.warm).map((r) => mem[created.indexOf(r)].pss).reduce((a, b) => a + b, 0);
    const waiting = warm ? waitingPss(d.home) - tookWarm : 0;
    for (const c of clients) c.close();
    return { perSession, waiting, rss: median(mem.map((m) => m.rss)), allReady, daemon: [daemonBefore, rssMb(d.pid)], warmTaken: created.filter((r) => r.body.warm).length };
  } finally {
    await d.stop();
  }
}

export async function run(sessions = 10) {
  const pages = await servePages();
  const direct = await launchDirect();
  try {
    const baseline = await cdp(direct.url);
    await openPage(baseline, pages.url('/'));
    // Measured while the sessions run, so it shares the same libraries' pages as each of them does.
    let one;
    const cold = await sessionsOn(0, sessions, pages, () => (one = groupMemoryMb(direct.pid)));
    baseline.close();
    const warm = await sessionsOn(1, sessions, pages);
    const f = (x) => x.toFixed(1);
    return report(`memory per browser session, ${sessions} concurrent with a page loaded (PSS, no warm browser)`, cold.perSession, 'MB', {
      baseline: `one Chromium launched directly, beside them: PSS ${f(one.pss)} MB, RSS ${f(one.rss)} MB; with browsers.warm 1: ${f(warm.perSession)} MB a session plus ${f(warm.waiting)} MB for the browser waiting (${f((warm.perSession * sessions + warm.waiting) / sessions)} MB a session all told, ${warm.warmTaken} session took the warm one); median session RSS ${f(cold.rss)} MB; daemon RSS ${f(cold.daemon[0])} → ${f(cold.daemon[1])} MB; all ${sessions} ready in ${cold.allReady.toFixed(0)} ms cold, ${warm.allReady.toFixed(0)} ms with one warm`,
      target: 'stated (no limit)',
      ok: true,
    });
  } finally {
    await direct.close();
    pages.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
