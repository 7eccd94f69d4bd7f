// The daemon process itself: start, single instance, stale sockets, long paths, graceful stop, kill -9 and restart.
import { afterEach, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../helpers/daemon-process.js';

let homes: TestHome[] = [];
let daemons: DaemonProcess[] = [];
const home = () => {
  const h = makeHome();
  homes.push(h);
  return h;
};
const start = async (h: TestHome, env?: Record<string, string>) => {
  const d = await spawnDaemon(h.home, env);
  daemons.push(d);
  return d;
};

afterEach(async () => {
  for (const d of daemons) await stopDaemon(d);
  for (const h of homes) h.cleanup();
  daemons = [];
  homes = [];
});

describe('daemon process', () => {
  it('says ready, answers health, and keeps its socket 0600 in a 0700 dir', async () => {
    const h = home();
    const d = await start(h);
    expect(d.line).toBe(`ready pid=${d.pid} socket=${h.socket}`);
    const health = await api(h.socket, 'GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ pid: d.pid, socket: h.socket });
    expect(health.headers['fbay-version']).toBe(health.body.version);
    expect(statSync(h.socket).mode & 0o777).toBe(0o600);
    expect(statSync(h.home).mode & 0o777).toBe(0o700);
  });

  it('a second daemon says which one runs and exits 0', async () => {
    const h = home();
    const first = await start(h);
    const second = await start(h);
    expect(second.line).toBe(`already-running pid=${first.pid} socket=${h.socket}`);
    expect(await second.exited).toBe(0);
  });

  it('cleans a stale socket file left by a killed daemon', async () => {
    const h = home();
    // A socket file nobody listens on: bind, then close without unlinking.
    const stale = createServer();
    stale.listen(h.socket);
    await once(stale, 'listening');
    await new Promise<void>((r) => (stale as unknown as { _handle: { close(cb: () => void): void } })._handle.close(r));
    const d = await start(h);
    expect(d.line).toMatch(/^ready /);
  });

  it('refuses a socket path over the OS limit with the fix', async () => {
    const h = home();
    const long = `${h.home}/${'x'.repeat(120)}`;
    const err = await spawnDaemon(long).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(err).toMatch(/exited with 1/);
    expect(err).toMatch(/over the OS limit of 107/);
    expect(err).toMatch(/FBAY_HOME/);
  });

  it('SIGTERM ends live sessions with host_shutdown and removes the socket', async () => {
    const h = home();
    const d = await start(h);
    const created = await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' });
    await stopDaemon(d);
    const again = await start(h);
    const s = await api(h.socket, 'GET', `/v1/sessions/${created.body.id}`);
    expect(s.body).toMatchObject({ state: 'ended', end_reason: 'host_shutdown' });
  });

  it('stops on SIGTERM when whoever read its log has gone (stderr a broken pipe), not spinning on the failed writes', async () => {
    const h = home();
    const d = await start(h);
    const created = await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' });
    d.child.stderr!.destroy(); // the reading end: every log line from now on is EPIPE
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const again = await start(h);
    expect(again.line).toMatch(/^ready /);
    expect((await api(h.socket, 'GET', `/v1/sessions/${created.body.id}`)).body).toMatchObject({ state: 'ended', end_reason: 'host_shutdown' });
  });

  it('after kill -9 and a restart, live sessions are back with their idle window and meter from timestamps', async () => {
    const h = home();
    h.writeConfig({ account: { tier: 'local', balance_credits: 50 } });
    const d = await start(h);
    const created = await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 }, { 'idempotency-key': 'k' });
    expect(created.status).toBe(201);
    d.child.kill('SIGKILL');
    await d.exited;
    const again = await start(h);
    expect(again.line).toMatch(/^ready /);
    const s = await api(h.socket, 'GET', `/v1/sessions/${created.body.id}`);
    expect(s.body).toMatchObject({
      state: 'idle',
      board_id: created.body.board_id,
      started_at: created.body.started_at,
      idle_deadline: created.body.idle_deadline,
    });
    const retry = await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 }, { 'idempotency-key': 'k' });
    expect(retry.body.id).toBe(created.body.id);
    const boards = await api(h.socket, 'GET', '/v1/boards');
    expect(boards.body.boards.find((b: { id: string }) => b.id === created.body.board_id).state).toBe('reserved');
    const ended = await api(h.socket, 'DELETE', `/v1/sessions/${created.body.id}`);
    const me = await api(h.socket, 'GET', '/v1/auth/me');
    expect(me.body.balance_credits).toBeCloseTo(50 - ended.body.credits_used, 6);
  });
});

