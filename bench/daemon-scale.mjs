// Figures: a daemon with 1,000 live virtual-board sessions (RSS < 150 MB), and the CPU its timers cost while idle.
import { readFileSync } from 'node:fs';
import { startDaemon, report } from './lib.mjs';

const TICK = 100; // /proc clock ticks per second on Linux

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK; // utime + stime
}

function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

async function idleCpu(pid, ms) {
  const before = cpuMs(pid);
  await new Promise((r) => setTimeout(r, ms)); // measuring wall-clock CPU use: waiting is the measurement
  return ((cpuMs(pid) - before) / ms) * 1000; // CPU ms per second
}

export async function run(sessions = 1000) {
  const config = {
    virtual_boards: sessions,
    idle_timeout_s: 86_400,
    tiers: { local: { max_concurrent: sessions } },
  };
  const d = await startDaemon(config);
  try {
    const baseRss = rssMb(d.pid);
    const baseCpu = await idleCpu(d.pid, 3000);
    for (let i = 0; i < sessions; i++) {
      const r = await d.api('POST', '/v1/sessions', { board_type: 'virtual' });
      if (r.status !== 201) throw new Error(`session ${i}: ${JSON.stringify(r.body)}`);
    }
    const list = await d.api('GET', '/v1/sessions');
    if (list.body.sessions.length !== sessions) throw new Error(`expected ${sessions} live sessions`);
    global.gc?.();
    const rss = rssMb(d.pid);
    const cpu = await idleCpu(d.pid, 3000);
    const a = report(`RSS with ${sessions} live virtual sessions`, rss, 'MB', {
      baseline: `same daemon with 0 sessions ${baseRss.toFixed(1)} MB`,
      target: '< 150 MB',
      ok: rss < 150,
    });
    const b = report(`idle CPU with ${sessions} live sessions`, cpu, 'ms/s', {
      baseline: `0 sessions ${baseCpu.toFixed(2)} ms/s`,
      target: 'no per-session work: within 2 ms/s of the 0-session baseline',
      ok: cpu - baseCpu < 2,
    });
    return a && b;
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
