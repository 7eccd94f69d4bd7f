// A daemon holding 100 sandboxes, 90 of them idle (frozen): the daemon's own RSS against the same daemon before
// them, and the memory each frozen sandbox's cgroup is charged — measured on a real daemon through its API.
import { readFileSync } from 'node:fs';
import { report, startDaemon } from './lib.mjs';

const N = 100;
const ACTIVE = 10;
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

export async function run() {
  // The owner's plan allows 100 live sandboxes; idle after 2 s so the 90 freeze within the run.
  const d = await startDaemon({ browsers: { warm: 0 }, sandbox: { idle_after_s: 2, deep_sleep_after_s: 3600 } });
  try {
    await d.api('GET', '/v1/health');
    const before = rssMb(d.pid);
    const ids = [];
    for (let i = 0; i < N; i++) {
      const r = await d.api('POST', '/v1/sessions', { kind: 'sandbox' });
      if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(r.body.id);
    }
    // Ten stay active: each runs a command that lasts the whole measurement (a running exec is activity).
    const holding = ids.slice(0, ACTIVE).map((id) => d.api('POST', `/v1/sessions/${id}/exec`, { command: 'sleep 20', timeout_s: 60 }));
    const states = async () => (await d.api('GET', '/v1/sessions?kind=sandbox')).body.sessions.map((s) => s.state);
    for (;;) {
      const s = await states();
      if (s.filter((x) => x === 'idle').length >= N - ACTIVE) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const after = rssMb(d.pid);
    const counted = await states();
    const idle = counted.filter((x) => x === 'idle').length;
    const active = counted.filter((x) => x === 'active').length;
    const ok = report(`daemon with ${N} sandboxes, ${idle} idle (frozen): the daemon's RSS`, after, 'MB', {
      baseline: `the same daemon before them ${before.toFixed(1)} MB (${((after - before) / N).toFixed(2)} MB more per sandbox in the daemon); ${active} active`,
      target: 'stated',
      ok: idle >= N - ACTIVE,
    });
    for (const id of ids) await d.api('DELETE', `/v1/sessions/${id}`);
    await Promise.allSettled(holding);
    return ok;
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
