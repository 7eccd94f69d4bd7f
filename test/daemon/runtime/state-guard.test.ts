// The state directory deleted under a live daemon: noticed, rebuilt from memory, what was lost said — and the
// session, its serial line and the next create carry on.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, makeHome, openSerial, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let daemons: DaemonProcess[] = [];
afterEach(async () => {
  for (const d of daemons) await stopDaemon(d);
  daemons = [];
  h.cleanup();
});

describe('a deleted state directory', () => {
  it('is rebuilt: the journal and keys written again, transcripts go on, the loss is said', async () => {
    h = makeHome();
    // No warm browser: a Chromium writing its profile under state/ races the test's own rmSync of it.
    h.writeConfig({ account: { tier: 'local' }, tiers: { local: { max_concurrent: 2 } }, browsers: { warm: 0 } });
    const first = await spawnDaemon(h.home);
    daemons.push(first);
    await api(h.socket, 'POST', '/v1/keys', { name: 'alice', tier: 'team', credits: 5 });
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 })).body;
    const ws = await openSerial(h.socket, s.id);
    const notices: string[] = [];
    ws.on('message', (data, binary) => !binary && notices.push(data.toString()));
    ws.send(Buffer.from('echo before\r'));
    await readUntil(ws, (t) => t.includes('before\r\nfbay-virtual> '));
    const state = join(h.home, 'state');
    // As `rm -rf` would, with retries: the daemon may write a file into it while it is being emptied.
    rmSync(state, { recursive: true, force: true, maxRetries: 20 });
    await expect.poll(() => existsSync(join(state, 'sessions.jsonl')), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => notices.some((n) => n.includes('transcript_lost'))).toBe(true);
    expect(existsSync(join(state, 'keys.json'))).toBe(true);
    ws.send(Buffer.from('echo after\r'));
    await readUntil(ws, (t) => t.includes('after\r\nfbay-virtual> '));
    const log = await api(h.socket, 'GET', `/v1/sessions/${s.id}/log`);
    expect(log.body).toContain('after');
    expect(log.body).not.toContain('before');
    // The next create does not blame a board for a missing file.
    const next = await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect(next.status).toBe(201);
    ws.close();
    // And a restart finds everything the journal held.
    first.child.kill('SIGKILL');
    await first.exited;
    daemons.push(await spawnDaemon(h.home));
    expect((await api(h.socket, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('idle');
    expect((await api(h.socket, 'GET', '/v1/keys')).body.keys.map((k: { name: string }) => k.name)).toEqual(['alice']);
  });
});
