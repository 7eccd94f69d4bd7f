// Figures of the session core: 200 board creates at once from 200 accounts (all 201, each durable), and a restart of
// a daemon whose journal holds 1,000 live and 10,000 ended sessions (answering again in under 1 s).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, api, freePort, median, percentile, report, startDaemon } from './lib.mjs';
import { Connection, startFixedServer } from './load-client.mjs';

/** n requests at once, one per connection; each answer's latency. */
async function atOnce(conns, send) {
  const started = performance.now();
  const answers = await Promise.all(
    conns.map(async (c, i) => {
      const t = performance.now();
      const r = await send(c, i);
      return { ...r, ms: performance.now() - t };
    }),
  );
  return { answers, latencies: answers.map((a) => a.ms), wallMs: performance.now() - started };
}

async function concurrentCreates(n = 200, batches = 5, warmUp = 5) {
  const port = await freePort();
  const d = await startDaemon({ virtual_boards: n, listen: `127.0.0.1:${port}` });
  const fixed = await startFixedServer();
  const conns = [];
  try {
    const keys = [];
    for (let i = 0; i < n; i++) keys.push((await d.api('POST', '/v1/keys', { name: `user${i}`, tier: 'pro', credits: 100 })).body.key);
    // Each account's client holds its own kept-alive connection (as a CI job's SDK would), opened before the clock.
    for (const key of keys) conns.push(Object.assign(await Connection.open(port), { key }));
    const as = (c) => ({ authorization: `Bearer ${c.key}` });
    const fixedConns = await Promise.all(keys.map(() => Connection.open(fixed.port)));
    const create = (c) => c.request('POST', '/v1/sessions', { body: { board_type: 'virtual' }, headers: as(c) });
    const results = [];
    // The first batches are a warm-up: a daemon just started spends ~1,000 creates getting its code compiled (a batch's
    // CPU falls from ~1 ms to ~0.2-0.4 ms a create over them), and fills its warm browser pool meanwhile. The first
    // batch is reported too. Each batch's sessions are ended and their boards free again before the next.
    let cold = null;
    for (let b = 0; b < warmUp + batches; b++) {
      const health = await atOnce(conns, (c) => c.request('GET', '/v1/health', { headers: as(c) }));
      const floor = await atOnce(fixedConns, (c) => c.request('POST', '/v1/sessions', { body: { board_type: 'virtual' } }));
      const batch = await atOnce(conns, create);
      if (b === 0) cold = batch;
      if (b >= warmUp) results.push({ batch, health, floor });
      await atOnce(conns, (c, i) => c.request('DELETE', `/v1/sessions/${batch.answers[i].body.id}`, { headers: as(c) }));
      while ((await d.api('GET', '/v1/boards')).body.boards.some((x) => x.state !== 'available')) await new Promise((r) => setTimeout(r, 20));
    }
    fixedConns.forEach((c) => c.close());
    const mid = [...results].sort((x, y) => median(x.batch.latencies) - median(y.batch.latencies))[Math.floor(results.length / 2)];
    const { answers, latencies, wallMs } = mid.batch;
    const ok = answers.filter((r) => r.status === 201 && r.body.state === 'idle').length;
    const boards = new Set(answers.map((r) => r.body.board_id));
    const m = median(latencies);
    const rate = (n / wallMs) * 1000;
    const medians = (key) => results.map((r) => median(r[key].latencies).toFixed(1)).join(', ');
    return report(`${n} concurrent creates from ${n} accounts, kept-alive connections (median latency, middle of ${batches} batches after ${warmUp * n} creates)`, m, 'ms', {
      baseline: `the daemon's first batch after its start: median ${median(cold.latencies).toFixed(1)} ms; same connections, ${n} authenticated health checks at once: median ${median(mid.health.latencies).toFixed(1)} ms; a node:http server answering a fixed 201 with no work, ${n} POSTs at once: median ${median(mid.floor.latencies).toFixed(1)} ms (batches: creates ${medians('batch')}; health ${medians('health')}; fixed ${medians('floor')}); ${ok}/${n} answered 201 idle on ${boards.size} distinct boards; p99 ${percentile(latencies, 99).toFixed(1)} ms; ${rate.toFixed(0)} creates/s over ${wallMs.toFixed(0)} ms`,
      target: '< 20 ms, all 201',
      ok: m < 20 && ok === n && boards.size === n,
    });
  } finally {
    conns.forEach((c) => c.close());
    await fixed.stop();
    await d.stop();
  }
}

/** A journal as the core writes it: 1,000 live idle board sessions on 1,000 virtual boards, 10,000 ended ones. */
export function writeJournal(stateDir, live, ended) {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const now = Date.now();
  const lines = [];
  const record = (i, liveOne) => ({
    id: `ses_${String(i).padStart(24, '0')}`,
    kind: 'board',
    account: 'local',
    state: liveOne ? 'idle' : 'ended',
    created_at: now - 60_000,
    ended_at: liveOne ? null : now - 30_000,
    end_reason: liveOne ? null : 'user_ended',
    metadata: {},
    idempotency_key: null,
    request_hash: null,
    resource: liveOne ? `virtual-${i + 1}` : null,
    host: null,
    link: null,
    board_type: 'virtual',
    wants_board_id: null,
    board_id: liveOne ? `virtual-${i + 1}` : `virtual-${(i % live) + 1}`,
    started_at: now - 59_000,
    idle_timeout_s: 3600,
    idle_since: now - 10_000,
    board_lost_at: null,
    wait_until: null,
    max_session_s: null,
    max_credits: null,
    rate_credits_per_min: 1,
    upstream_credits: null,
  });
  for (let i = 0; i < ended; i++) lines.push(JSON.stringify([{ t: 's', s: record(live + i, false) }]));
  for (let i = 0; i < live; i++) lines.push(JSON.stringify([{ t: 's', s: record(i, true) }]));
  writeFileSync(join(stateDir, 'sessions.jsonl'), `${lines.join('\n')}\n`, { mode: 0o600 });
}

export async function restart(live = 1000, ended = 10_000) {
  const home = mkdtempSync('/tmp/fbay-b-');
  writeFileSync(join(home, 'config.json'), JSON.stringify({ virtual_boards: live }));
  writeJournal(join(home, 'state'), live, ended);
  const spawnAt = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist/daemon/main.js')], { env: { ...process.env, FBAY_HOME: home }, stdio: ['ignore', 'pipe', openSync(join(home, 'fbayd.log'), 'a')] });
  try {
    const [line] = await once(createInterface({ input: child.stdout }), 'line');
    if (!line.startsWith('ready')) throw new Error(`daemon did not start: ${line}`);
    const socket = join(home, 'fbayd.sock');
    const list = await api(socket, 'GET', '/v1/sessions');
    const answeredMs = performance.now() - spawnAt;
    // Baseline, same run: the same daemon starting on an empty journal.
    child.kill('SIGKILL');
    await once(child, 'exit');
    const empty = await startDaemon({ virtual_boards: 2 });
    const t = performance.now();
    await empty.api('GET', '/v1/sessions');
    const emptyMs = performance.now() - t;
    await empty.stop();
    return report(`restart with ${live} live + ${ended} ended sessions → answering`, answeredMs, 'ms', {
      baseline: `${list.body.sessions.length} live sessions listed; a session list on an empty daemon ${emptyMs.toFixed(1)} ms`,
      target: '< 1000 ms',
      ok: answeredMs < 1000 && list.body.sessions.length === live,
    });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

export async function run(only) {
  const a = only === 'restart' || (await concurrentCreates());
  const b = only === 'creates' || (await restart());
  return a && b;
}

// `node bench/core-scale.mjs [creates|restart]`: one figure alone.
if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run(process.argv[2])) ? 0 : 1;
