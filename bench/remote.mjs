// Figures for a team's board host and a client daemon mirroring its sessions (issue 4): recovery after a network
// cut, throughput through the two-daemon chain against one daemon alone, and one host serving 200 sessions.
import { createServer, connect } from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { api, freePort, median, report, startDaemon } from './lib.mjs';

/** A loopback TCP proxy that can cut every connection and refuse new ones until restored. */
async function cutProxy(port) {
  let cut = false;
  const pairs = new Set();
  const server = createServer((a) => {
    if (cut) return a.destroy();
    const b = connect(port, '127.0.0.1');
    const pair = [a, b];
    pairs.add(pair);
    a.pipe(b).on('error', () => undefined);
    b.pipe(a).on('error', () => undefined);
    const drop = () => (a.destroy(), b.destroy(), pairs.delete(pair));
    a.on('close', drop).on('error', drop);
    b.on('close', drop).on('error', drop);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    cut() {
      cut = true;
      for (const [a, b] of pairs) (a.destroy(), b.destroy());
    },
    restore: () => (cut = false),
    close: () => new Promise((r) => server.close(r)),
  };
}

/** A host listening on loopback and a client daemon with it as remote `lab`, through a cut-able proxy if asked. */
async function twoDaemons({ viaProxy = true } = {}) {
  const port = await freePort();
  const host = await startDaemon({}, { FBAY_LISTEN: `127.0.0.1:${port}` });
  const key = (await host.api('POST', '/v1/keys', { name: 'bench', tier: 'pro', credits: 1e6 })).body.key;
  const proxy = viaProxy ? await cutProxy(port) : null;
  const client = await startDaemon({ remotes: { lab: { url: `http://127.0.0.1:${proxy?.port ?? port}`, key } } });
  return { host, client, proxy, port, key, async close() { await client.stop(); await host.stop(); await proxy?.close(); } };
}

function open(url, headers = {}) {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  const frames = { bytes: 0, gaps: 0, waiters: [] };
  ws.on('message', (d, bin) => {
    if (!bin) {
      const m = JSON.parse(d.toString());
      if (m.type === 'gap') frames.gaps += m.lost_bytes;
      return;
    }
    frames.bytes += d.length;
    for (const w of frames.waiters.splice(0)) w();
  });
  const until = (cond) => new Promise((resolve) => {
    const check = () => (cond() ? resolve() : frames.waiters.push(check));
    check();
  });
  return once(ws, 'open').then(() => ({ ws, frames, until }));
}


async function recovery(cutsMs) {
  const t = await twoDaemons();
  try {
    const s = (await api(t.client.socket, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300 }, { 'fbay-remote': 'lab' })).body;
    const local = await open(`ws+unix://${t.client.socket}:/v1/sessions/${s.id}/serial`);
    // The board talks all the time: a client straight on the host asks for a line every 20 ms.
    const talker = await open(`ws://127.0.0.1:${t.port}/v1/sessions/${s.id}/serial`, { authorization: `Bearer ${t.key}` });
    const tick = setInterval(() => talker.ws.send(Buffer.from('echo tick\r')), 20);
    const results = [];
    for (const ms of cutsMs) {
      await local.until(() => local.frames.bytes > 0);
      t.proxy.cut();
      await new Promise((r) => setTimeout(r, ms)); // the cut itself
      const before = local.frames.bytes;
      const restored = performance.now();
      t.proxy.restore();
      await local.until(() => local.frames.bytes > before);
      results.push({ ms, backMs: performance.now() - restored });
    }
    clearInterval(tick);
    talker.ws.close();
    // Byte-exact: what the local console got is what the host's board sent, no more, no less.
    const end = await hostLog(t, s.id);
    await local.until(() => local.frames.bytes >= end.length);
    local.ws.close();
    return { results, exact: local.frames.bytes === end.length };
  } finally {
    await t.close();
  }
}

async function hostLog(t, id) {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: t.port, path: `/v1/sessions/${id}/log`, headers: { authorization: `Bearer ${t.key}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    }).on('error', reject).end();
  });
}

const CHUNK = 1024 * 1024;

async function throughput(bytes = 32 * CHUNK) {
  // No proxy here: it would run in this process and measure itself.
  const t = await twoDaemons({ viaProxy: false });
  try {
    const measure = async (url, headers, remote) => {
      const s = remote
        ? (await api(t.client.socket, 'POST', '/v1/sessions', { board_type: 'virtual' }, { 'fbay-remote': 'lab' })).body
        : (await api(t.port, 'POST', '/v1/sessions', { board_type: 'virtual' }, { authorization: `Bearer ${t.key}` })).body;
      if (!s?.id) throw new Error(`create failed: ${JSON.stringify(s)}`);
      const c = await open(url(s.id), headers);
      // 1 MiB at a time: a virtual board floods faster than any client reads, and past the relay's 4 MiB bound a
      // slow client gets gaps; paced bursts measure the path, not the drop policy.
      const start = performance.now();
      for (let sent = 0; sent < bytes; sent += CHUNK) {
        const want = c.frames.bytes + CHUNK;
        c.ws.send(Buffer.from(`flood ${CHUNK}\r`));
        await c.until(() => c.frames.bytes >= want);
      }
      const mbps = bytes / 1e6 / ((performance.now() - start) / 1000);
      if (c.frames.gaps > 0) throw new Error(`${c.frames.gaps} bytes lost on the way`);
      c.ws.close();
      if (remote) await api(t.client.socket, 'DELETE', `/v1/sessions/${s.id}`);
      else await api(t.port, 'DELETE', `/v1/sessions/${s.id}`, undefined, { authorization: `Bearer ${t.key}` });
      return mbps;
    };
    // Alternating rounds, medians: a burst of other work on this 2-core machine hits both sides alike.
    const directs = [];
    const chains = [];
    // One round each first, not counted: both paths start cold (JIT, socket buffers).
    await measure((id) => `ws://127.0.0.1:${t.port}/v1/sessions/${id}/serial`, { authorization: `Bearer ${t.key}` }, false);
    await measure((id) => `ws+unix://${t.client.socket}:/v1/sessions/${id}/serial`, {}, true);
    for (let i = 0; i < 5; i++) {
      directs.push(await measure((id) => `ws://127.0.0.1:${t.port}/v1/sessions/${id}/serial`, { authorization: `Bearer ${t.key}` }, false));
      chains.push(await measure((id) => `ws+unix://${t.client.socket}:/v1/sessions/${id}/serial`, {}, true));
    }
    return { direct: median(directs), chain: median(chains), directs, chains };
  } finally {
    await t.close();
  }
}

async function manySessions(n = 200) {
  const host = await startDaemon({ virtual_boards: n, tiers: { pro: { max_concurrent: n } } }, { FBAY_LISTEN: '127.0.0.1:0' });
  try {
    const port = Number((await host.api('GET', '/v1/health')).body.listeners.find((l) => l.startsWith('tcp:')).split(':').pop());
    const key = (await host.api('POST', '/v1/keys', { name: 'team', tier: 'pro', credits: 1e6 })).body.key;
    const auth = { authorization: `Bearer ${key}` };
    let errors = 0;
    const sessions = await Promise.all(Array.from({ length: n }, () => api(port, 'POST', '/v1/sessions', { board_type: 'virtual' }, auth)));
    errors += sessions.filter((r) => r.status !== 201).length;
    const clients = await Promise.all(sessions.map((r) => open(`ws://127.0.0.1:${port}/v1/sessions/${r.body.id}/serial`, auth)));
    await Promise.all(clients.map(async (c, i) => {
      c.ws.send(Buffer.from(`echo client-${i}\r`));
      await c.until(() => c.frames.bytes >= 2 * `echo client-${i}`.length);
    }));
    const rss = readFileSync(`/proc/${host.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')).split(/\s+/)[1] / 1024;
    for (const c of clients) c.ws.close();
    return { errors, rss };
  } finally {
    await host.stop();
  }
}

export async function run(parts = ["recovery", "throughput", "many"]) {
  let ok = true;
  if (parts.includes('recovery')) ok = (await recoveryFigure()) && ok;
  if (parts.includes('throughput')) ok = (await throughputFigure()) && ok;
  if (parts.includes('many')) ok = (await manyFigure()) && ok;
  return ok;
}

async function recoveryFigure() {
  const { results, exact } = await recovery([1000, 5000, 25000]);
  const worst = Math.max(...results.map((r) => r.backMs));
  const a = report('live data again after a cut ends (1 s, 5 s, 25 s cuts; worst)', worst, 'ms', {
    baseline: results.map((r) => `${r.ms / 1000}s cut → ${r.backMs.toFixed(0)} ms`).join(', ') + `; bytes ${exact ? 'exact (0 lost, 0 duplicated)' : 'NOT exact'}`,
    target: '< 1000 ms, 0 lost, 0 duplicated',
    ok: worst < 1000 && exact,
  });
  return a;
}

async function throughputFigure() {
  const { direct, chain, directs, chains } = await throughput();
  const fmt = (xs) => xs.map((x) => x.toFixed(0)).join('/');
  return report('throughput through the two-daemon chain (median of 5)', chain, 'MB/s', {
    baseline: `the host alone ${direct.toFixed(1)} MB/s → ${((chain / direct) * 100).toFixed(0)}% (rounds: chain ${fmt(chains)}, alone ${fmt(directs)})`,
    target: '≥ 80% of one daemon alone',
    ok: chain >= 0.8 * direct,
  });
}

async function manyFigure() {
  const { errors, rss } = await manySessions(200);
  return report('one host, 200 sessions with 200 clients on loopback: host RSS', rss, 'MB', {
    baseline: `${errors} errors`,
    target: 'no errors, memory stated',
    ok: errors === 0,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run(process.argv.slice(2).length ? process.argv.slice(2) : undefined)) ? 0 : 1;
