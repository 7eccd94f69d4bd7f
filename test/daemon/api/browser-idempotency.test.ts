// 50 browser creates racing with one Idempotency-Key, the daemon killed with SIGKILL, then the same key again:
// one browser was made, and every answer, before and after the restart, names the same session.
import { afterEach, describe, expect, it } from 'vitest';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons) await stopDaemon(d);
  daemons = [];
  h.cleanup();
});

describe('browser creates with one Idempotency-Key across kill -9', () => {
  it('make one browser, and the same id after the restart', { timeout: 60_000 }, async () => {
    h = makeHome();
    const first = await spawnDaemon(h.home);
    daemons.push(first);
    const create = () => api(h.socket, 'POST', '/v1/browsers', { maxDurationMs: 60_000 }, { 'idempotency-key': 'one-browser' });
    const answers = await Promise.all(Array.from({ length: 50 }, create));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect((await api(h.socket, 'GET', '/v1/browsers?all=1')).body.browsers.map((b: { id: string }) => b.id)).toEqual([id]);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = await spawnDaemon(h.home);
    daemons.push(second);
    const again = await create();
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(id);
    // Its browser died with the daemon: the session is failed, and no second one was made for the retry.
    expect(again.body.status).toBe('failed');
    expect((await api(h.socket, 'GET', '/v1/browsers?all=1')).body.browsers).toHaveLength(1);
  });
});
