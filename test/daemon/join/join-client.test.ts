// A joined host's network cut for real (through a fault proxy), real processes: back within the grace its sessions
// carry on with every byte exactly once; past it they end with host_lost, charged up to its last heartbeat; a
// coordinator or host restart resumes from the journal; a revoked host key ends the tunnel.
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { readUntil, recordFrames, type Frames } from '../../helpers/daemon-process.js';
import { coordinated, joinedAll, logged, type Coordinated, type JoinedHost } from '../../helpers/joined-hosts.js';

let t: Coordinated | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const FLOOD = 2 * 1024 * 1024;
/** How many times `needle` occurs in `hay`. */
const count = (hay: string, needle: string) => hay.split(needle).length - 1;
/** The scenario's cut lasts this long in wall time: that is what is under test, not a wait for a result. */
const cutFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What a client got is exactly what the board sent, as the host's transcript has it: the host writes its transcript
 * a little after it relays, so its file is waited for until it has caught up with the client.
 */
async function sameAsHost(host: JoinedHost, id: string, rec: Frames): Promise<Buffer> {
  await expect.poll(() => host.transcript(id).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(rec.size);
  const hostBytes = host.transcript(id);
  await rec.until(() => rec.size >= hostBytes.length);
  expect(rec.bytes().toString('latin1')).toBe(hostBytes.toString('latin1'));
  return hostBytes;
}

/** A session on lab1's first board with a client attached and talking. */
async function talking(c: Coordinated): Promise<{ id: string; ws: WebSocket }> {
  const s = (await c.tcp('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300 })).body;
  const ws = await c.serial(s.id);
  ws.send(Buffer.from('echo before-the-cut\r'));
  await readUntil(ws, (text) => text.includes('before-the-cut\r\nfbay-virtual> '));
  return { id: s.id, ws };
}

describe('a host whose network is cut', () => {
  it('for 5 s keeps its sessions: clients see it reconnecting, then every byte arrives once, input too', async () => {
    t = await coordinated();
    await joinedAll(t);
    const { id, ws } = await talking(t);
    const rec = recordFrames(ws);
    const host = t.hosts[0]!;
    const reconnecting = rec.until(() => rec.texts.some((m) => m.type === 'state' && m.link?.state === 'reconnecting'));
    ws.send(Buffer.from(`flood ${FLOOD}\r`));
    await rec.until(() => rec.size > 64 * 1024);
    host.proxy.cut();
    const atCut = rec.size;
    await reconnecting;
    // Typed while the host is away: held on the coordinator, delivered once it is back.
    ws.send(Buffer.from('echo typed-during-the-cut\r'));
    const during = (await t.tcp('GET', `/v1/sessions/${id}`)).body;
    expect(during).toMatchObject({ state: 'active', host: 'lab1', link: { state: 'reconnecting', deadline: expect.any(String) } });
    await cutFor(5000);
    host.proxy.restore();
    await readUntil(ws, (text) => text.includes('typed-during-the-cut\r\nfbay-virtual> '));
    await rec.until(() => rec.texts.some((m) => m.type === 'state' && m.link?.state === 'open'));
    const hostBytes = await sameAsHost(host, id, rec);
    // Most of the flood came after the cut: it was resumed from the host's ring and transcript, not lost.
    expect(atCut).toBeLessThan(hostBytes.length / 2);
    expect(count(rec.bytes().toString('latin1'), '\r\ntyped-during-the-cut\r\n')).toBe(1);
    expect(rec.texts.filter((m) => m.type === 'gap')).toEqual([]);
    expect((await t.tcp('GET', `/v1/sessions/${id}`)).body).toMatchObject({ state: 'active', end_reason: null });
  }, 60_000);

  it('past host_grace_s ends its sessions with host_lost, charged up to its last heartbeat', async () => {
    t = await coordinated({ coordinator: { host_grace_s: 3 } });
    await joinedAll(t);
    const { id, ws } = await talking(t);
    const rec = recordFrames(ws);
    const started = (await t.tcp('GET', `/v1/sessions/${id}`)).body;
    const host = t.hosts[0]!;
    const from = t.coord.daemon.stderr().length;
    const cutAt = Date.now();
    host.proxy.cut();
    await rec.until(() => rec.texts.some((m) => m.type === 'ended'));
    const endedSeenAt = Date.now();
    const ended = rec.texts.find((m) => m.type === 'ended');
    expect(ended).toMatchObject({ reason: 'host_lost', session: { state: 'ended', end_reason: 'host_lost' } });
    const endedAt = Date.parse(ended.session.ended_at);
    // Billed to the last heartbeat heard (every 2 s), not to the moment the grace ran out.
    expect(endedAt).toBeLessThanOrEqual(cutAt + 50);
    expect(endedAt).toBeGreaterThan(cutAt - 2500);
    expect(endedSeenAt - cutAt).toBeGreaterThanOrEqual(2500);
    const seconds = Math.floor((endedAt - Date.parse(started.started_at)) / 1000);
    expect(ended.session.credits_used).toBeCloseTo(1 + seconds / 60, 3);
    expect((await t.tcp('GET', '/v1/auth/me')).body.balance_credits).toBeCloseTo(1000 - ended.session.credits_used, 3);
    await logged(t.coord.daemon, /did not come back within 3 s: its 1 sessions end \(host_lost\)/, from);
    // Back later, the host is told to let its side go: the board is free there again.
    host.proxy.restore();
    await joinedAll(t, ['lab1'], from);
    await expect.poll(async () => (await host.api('GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === 'virtual-1').state, { timeout: 10_000 }).toBe('available');
  }, 60_000);
});

describe('a host whose network goes dead for 60 s (a stalled NAT: no close, nothing through)', () => {
  it('at the default 30 s grace: the coordinator notices the silence, ends its sessions with host_lost billed to the last heartbeat, and frees the board on the host once it is back', async () => {
    t = await coordinated();
    await joinedAll(t);
    const { id, ws } = await talking(t);
    const rec = recordFrames(ws);
    const started = (await t.tcp('GET', `/v1/sessions/${id}`)).body;
    const host = t.hosts[0]!;
    const from = t.coord.daemon.stderr().length;
    const stalledAt = Date.now();
    host.proxy.stall();
    await rec.until(() => rec.texts.some((m) => m.type === 'state' && m.link?.state === 'reconnecting'));
    // Three missed 2 s heartbeats, not a closed socket, tell the coordinator the host is gone.
    await logged(t.coord.daemon, /nothing heard for \d+ ms \(heartbeat\)/, from);
    await rec.until(() => rec.texts.some((m) => m.type === 'ended'));
    const endedSeenAt = Date.now();
    const ended = rec.texts.find((m) => m.type === 'ended');
    expect(ended).toMatchObject({ reason: 'host_lost', session: { state: 'ended', end_reason: 'host_lost' } });
    const endedAt = Date.parse(ended.session.ended_at);
    expect(endedAt).toBeLessThanOrEqual(stalledAt + 50);
    expect(endedAt).toBeGreaterThan(stalledAt - 2500);
    // The grace (30 s) counts from the last heartbeat heard.
    expect(endedSeenAt - endedAt).toBeGreaterThanOrEqual(30_000);
    expect(endedSeenAt - endedAt).toBeLessThan(33_000);
    const seconds = Math.floor((endedAt - Date.parse(started.started_at)) / 1000);
    expect(ended.session.credits_used).toBeCloseTo(1 + seconds / 60, 3);
    expect((await t.tcp('GET', '/v1/auth/me')).body.balance_credits).toBeCloseTo(1000 - ended.session.credits_used, 3);
    await cutFor(stalledAt + 60_000 - Date.now());
    const back = t.coord.daemon.stderr().length;
    host.proxy.unstall();
    await joinedAll(t, ['lab1'], back);
    await expect.poll(async () => (await host.api('GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === 'virtual-1').state, { timeout: 15_000 }).toBe('available');
    expect((await t.tcp('GET', `/v1/sessions/${id}`)).body).toMatchObject({ state: 'ended', end_reason: 'host_lost', ended_at: ended.session.ended_at });
  }, 120_000);
});

describe('restarts', () => {
  it('a coordinator restarted keeps its sessions (journal): the host reconnects, registers again, the stream resumes', async () => {
    t = await coordinated();
    await joinedAll(t);
    const { id, ws } = await talking(t);
    ws.close();
    const from = t.coord.daemon.stderr().length;
    await t.restartCoordinator();
    await logged(t.coord.daemon, /host lab1 joined \(fbay \S+, 2 boards; resuming 1 sessions\)/);
    expect(from).toBeGreaterThan(0);
    const again = await t.serial(id, '?since=0');
    again.send(Buffer.from('echo after-the-restart\r'));
    const text = await readUntil(again, (x) => x.includes('after-the-restart\r\nfbay-virtual> '));
    expect(text.startsWith('echo before-the-cut')).toBe(true);
    await sameAsHost(t.hosts[0]!, id, recordFrames(again));
    expect((await t.tcp('GET', `/v1/sessions/${id}`)).body).toMatchObject({ state: 'active', board_id: 'lab1.virtual-1' });
  }, 60_000);

  it('a host restarted keeps them too: it joins again with the sessions it holds', async () => {
    t = await coordinated();
    await joinedAll(t);
    const { id, ws } = await talking(t);
    const rec = recordFrames(ws);
    const from = t.coord.daemon.stderr().length;
    await t.hosts[0]!.restart();
    await logged(t.coord.daemon, /host lab1 joined .*resuming 1 sessions/, from);
    ws.send(Buffer.from('echo after-the-host-restart\r'));
    await readUntil(ws, (x) => x.includes('after-the-host-restart\r\nfbay-virtual> '));
    await sameAsHost(t.hosts[0]!, id, rec);
  }, 60_000);
});

describe("a host's key", () => {
  it('revoked on the coordinator ends its tunnel; the host says it was refused and why', async () => {
    t = await coordinated();
    await joinedAll(t);
    const host = t.hosts[0]!;
    await t.coord.api('DELETE', '/v1/keys/lab1');
    await logged(host.daemon, /refused this host: HTTP 401: the host key is not valid or was revoked/);
    expect((await host.api('GET', '/v1/hosts')).body.join).toMatchObject({ state: 'refused', error: expect.stringContaining('fbay keys create --host') });
    await expect.poll(async () => (await t!.coord.api('GET', '/v1/hosts')).body.hosts[0].link).not.toBe('open');
  }, 60_000);
});
