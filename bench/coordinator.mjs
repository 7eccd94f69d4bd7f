// Figures for coordinators on PostgreSQL: create through a coordinator (p50 < 15 ms); 500 creates/s across two
// coordinators with 2,000 boards (their virtual boards: no joined hosts here), every one correct; an idle timeout
// ended by the sweeper within 200 ms of its deadline; after kill -9 of one coordinator, its clients served through
// the other within 2 s, and its joined host's session run by the other. Needs a PostgreSQL role that may create
// databases (FBAY_TEST_PG, as the tests use).
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import pg from 'pg';
import { api, freePort, median, percentile, report, startDaemon } from './lib.mjs';
import { Pool } from './load-client.mjs';

const ADMIN = process.env.FBAY_TEST_PG || 'postgres://fbay:fbay@127.0.0.1:5432/postgres';

async function database() {
  const name = `fbay_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** CPU time (user + system) a process has used, in ms; Linux's /proc. With `children`, that of its reaped ones too. */
function cpuMs(pid, children = false) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0)) * 10;
  } catch {
    return 0;
  }
}

/** PostgreSQL's CPU so far: every process named postgres (the server and its backends). */
function postgresCpuMs() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += cpuMs(pid, true);
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}

/** A response's body as text (a transcript), or null unless 200. */
function text(port, path, key) {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, agent: false, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : null));
    })
      .on('error', reject)
      .end();
  });
}


/**
 * The rate creates are sent at in figure 2: the target itself. Answers can only come as fast as they are asked for,
 * so "sustained" is the answer rate keeping up with it and no queue building (the p99 latency staying small).
 */
const OFFERED = 500;

async function coordinator(name, url, boards) {
  const p = await freePort();
  const d = await startDaemon({ virtual_boards: boards }, { FBAY_STORE: url, FBAY_COORDINATOR: name, FBAY_LISTEN: `127.0.0.1:${p}` });
  return { ...d, port: p, tcp: (key, method, path, body, headers = {}) => api(p, method, path, body, { authorization: `Bearer ${key}`, ...headers }) };
}

/** Keys for many accounts, written straight into the shared tables (making 500 through the API is not what is measured). */
async function seedKeys(url, n, tier) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const keys = [];
  for (let i = 0; i < n; i++) {
    const key = `key_${randomBytes(24).toString('base64url').replace(/[^A-Za-z0-9]/g, 'a').slice(0, 32)}`;
    keys.push(key);
    const hash = createHash('sha256').update(key).digest('hex');
    await c.query('INSERT INTO api_keys (name, tier, prefix, hash, created_at) VALUES ($1, $2, $3, $4, now())', [`acct-${i}`, tier, key.slice(0, 8), hash]);
    await c.query('INSERT INTO accounts (name, tier, balance) VALUES ($1, $2, NULL) ON CONFLICT DO NOTHING', [`acct-${i}`, tier]);
    await c.query("SELECT pg_notify('fbay', 'a:bench:' || $1)", [`acct-${i}`]);
  }
  await c.query("SELECT pg_notify('fbay', 'k:bench:all')");
  return { keys, client: c };
}

export async function run() {
  const db = await database();
  const a = await coordinator('bench-a', db.url, 1000);
  const b = await coordinator('bench-b', db.url, 1000);
  let ok = true;
  try {
    const { keys, client } = await seedKeys(db.url, 520, 'pro');
    await new Promise((r) => setTimeout(r, 500));
    // 1. One create at a time through a coordinator, against a health round trip over the same TCP listener.
    const health = [];
    const create = [];
    for (let i = 0; i < 200; i++) {
      let t = performance.now();
      await api(a.port, 'GET', '/v1/health');
      health.push(performance.now() - t);
      t = performance.now();
      const r = await a.tcp(keys[0], 'POST', '/v1/sessions', { board_type: 'virtual' });
      create.push(performance.now() - t);
      if (r.status !== 201) throw new Error(`create failed: ${JSON.stringify(r.body)}`);
      await a.tcp(keys[0], 'DELETE', `/v1/sessions/${r.body.id}`);
    }
    ok = report('coordinator: create → idle over TCP (p50)', median(create), 'ms', { baseline: `health p50 ${median(health).toFixed(2)} ms; create p99 ${percentile(create, 99).toFixed(2)} ms`, target: '< 15 ms', ok: median(create) < 15 }) && ok;

    // 2. 500 creates a second for 4 s, alternating coordinators, random accounts (pro: 5 live each), 2,000 boards,
    // on kept-alive connections (64 to each coordinator, opened before), as a client library's pool would.
    const pools = new Map([[a, await Pool.open(a.port, 64)], [b, await Pool.open(b.port, 64)]]);
    const total = 2000;
    const cpu0 = { a: cpuMs(a.pid), b: cpuMs(b.pid), pg: postgresCpuMs(), bench: process.cpuUsage() };
    const started = performance.now();
    const answers = [];
    const pending = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / OFFERED;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const via = i % 2 ? a : b;
      const key = keys[Math.floor(Math.random() * 500)];
      const t = performance.now();
      const r = pools.get(via).request('POST', '/v1/sessions', { body: { board_type: 'virtual' }, headers: { authorization: `Bearer ${key}` } });
      pending.push(r.then((r) => answers.push({ status: r.status, code: r.body?.code, ms: performance.now() - t })));
    }
    await Promise.all(pending);
    const used = process.cpuUsage(cpu0.bench);
    const perCreate = (ms) => (ms / total).toFixed(2);
    const cpu = `CPU per create: PostgreSQL ${perCreate(postgresCpuMs() - cpu0.pg)} ms, coordinators ${perCreate(cpuMs(a.pid) - cpu0.a)} + ${perCreate(cpuMs(b.pid) - cpu0.b)} ms, this client ${perCreate((used.user + used.system) / 1000)} ms`;
    for (const p of pools.values()) p.close();
    const seconds = (performance.now() - started) / 1000;
    const created = answers.filter((x) => x.status === 201).length;
    const refused = answers.filter((x) => x.code === 'session_conflict').length;
    const other = answers.length - created - refused;
    const twice = (await client.query('SELECT count(*)::int AS n FROM (SELECT resource FROM sessions WHERE live AND resource IS NOT NULL GROUP BY resource HAVING count(*) > 1) d')).rows[0].n;
    const over = (await client.query('SELECT count(*)::int AS n FROM (SELECT account FROM sessions WHERE live GROUP BY account HAVING count(*) > 5) d')).rows[0].n;
    const rate = answers.length / seconds;
    ok = report('coordinators: creates/s across two, 2,000 boards', rate, '/s', {
      baseline: `offered ${OFFERED}/s; ${cpu}; ${created} created, ${refused} over an account's limit (409), ${other} other; p50 ${median(answers.map((x) => x.ms)).toFixed(1)} ms, p99 ${percentile(answers.map((x) => x.ms), 99).toFixed(1)} ms; boards given twice ${twice}, accounts over their limit ${over}`,
      target: '500/s sustained (answered at ≥ 99% of the rate offered, p99 < 100 ms: no queue building), every one correct',
      ok: rate >= 0.99 * OFFERED && percentile(answers.map((x) => x.ms), 99) < 100 && twice === 0 && over === 0 && other === 0,
    }) && ok;
    // Every board back before the next figures: the sessions ended through the API.
    const live = (await client.query("SELECT s.id, k.name FROM sessions s JOIN api_keys k ON k.name = s.account WHERE s.live")).rows;
    const keyOf = new Map(keys.map((k, i) => [`acct-${i}`, k]));
    for (let i = 0; i < live.length; i += 50) await Promise.all(live.slice(i, i + 50).map((x) => a.tcp(keyOf.get(x.name), 'DELETE', `/v1/sessions/${x.id}`)));

    // 3. The idle timeout, ended by the sweeper: the `ended` event against the deadline the session showed.
    const late = [];
    for (let i = 0; i < 5; i++) {
      const s = (await a.tcp(keys[519 - i], 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 1 })).body;
      const endedAt = await new Promise((resolve) => {
        const req = request({ host: '127.0.0.1', port: a.port, path: `/v1/events?session=${s.id}`, headers: { authorization: `Bearer ${keys[519 - i]}` } }, (res) => {
          res.setEncoding('utf8');
          res.on('data', (c) => c.includes('event: ended') && (resolve(Date.now()), req.destroy()));
        });
        req.on('error', () => undefined);
        req.end();
      });
      late.push(endedAt - Date.parse(s.idle_deadline));
    }
    ok = report('coordinator: idle timeout ended after its deadline (max of 5)', Math.max(...late), 'ms', { baseline: `median ${median(late).toFixed(1)} ms`, target: '< 200 ms', ok: Math.max(...late) < 200 }) && ok;

    // 4. kill -9 of A: its client (a session made through A) is served through B, the next URL of its list; and a
    // board host joined to A with `--join A,B` goes to B, which takes its session over (the whole transcript).
    const hostKey = (await a.api('POST', '/v1/keys', { name: 'fohost', kind: 'host' })).body.key;
    const host = await startDaemon({ virtual_boards: 1 }, { FBAY_JOIN: `http://127.0.0.1:${a.port},http://127.0.0.1:${b.port}`, FBAY_JOIN_KEY: hostKey });
    while (!(await a.api('GET', '/v1/boards')).body.boards.some((x) => x.id === 'fohost.virtual-1' && x.state === 'available')) await new Promise((r) => setTimeout(r, 20));
    const joinedSession = (await a.tcp(keys[506], 'POST', '/v1/sessions', { board_id: 'fohost.virtual-1', idle_timeout_s: 600 })).body;
    // Some output to carry over: the board's boot log after a reset, once it has all come.
    await a.tcp(keys[506], 'POST', `/v1/sessions/${joinedSession.id}/reset`, {});
    let transcript = '';
    for (let last = null; transcript.length === 0 || transcript !== last; await new Promise((r) => setTimeout(r, 100))) {
      last = transcript;
      transcript = await text(a.port, `/v1/sessions/${joinedSession.id}/log`, keys[506]);
    }
    const s = (await a.tcp(keys[505], 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 })).body;
    const killed = performance.now();
    process.kill(a.pid, 'SIGKILL');
    let served = null;
    for (const target of [a, b]) {
      try {
        const r = await target.tcp(keys[505], 'GET', `/v1/sessions/${s.id}`);
        if (r.status === 200) {
          served = performance.now() - killed;
          break;
        }
      } catch {
        /* connection refused: the next URL */
      }
    }
    ok = report('coordinators: kill -9 of one, its client served by the other', served ?? Infinity, 'ms', { baseline: 'client retry list [A, B]', target: '< 2000 ms', ok: served !== null && served < 2000 }) && ok;
    // The joined host's session: run by B (its row says so) and its whole transcript served by B.
    let moved = null;
    while (moved === null && performance.now() - killed < 30_000) {
      const row = (await client.query('SELECT coordinator FROM sessions WHERE id = $1', [joinedSession.id])).rows[0];
      if (row?.coordinator === 'bench-b' && (await text(b.port, `/v1/sessions/${joinedSession.id}/log`, keys[506])) === transcript) moved = performance.now() - killed;
      else await new Promise((r) => setTimeout(r, 10));
    }
    ok = report("coordinators: kill -9 of one, its joined host's session run by the other", moved ?? Infinity, 'ms', { baseline: `host --join A,B; transcript ${transcript.length} bytes, served whole by B`, target: '< 2000 ms', ok: moved !== null && moved < 2000 }) && ok;
    await host.stop();
    await client.end();
  } finally {
    await b.stop();
    await a.stop().catch(() => undefined);
    await db.drop();
  }
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
