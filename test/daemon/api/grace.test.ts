// A board that goes away under a session: the session holds it for the grace window, and carries on if it returns.
import { afterEach, describe, expect, it } from 'vitest';
import { api, makeHome, nextEvent, openSerial, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let d: DaemonProcess;
afterEach(async () => {
  await stopDaemon(d);
  h.cleanup();
});

async function setBoards(count: number): Promise<void> {
  h.writeConfig({ virtual_boards: count, board_grace_s: grace });
  await api(h.socket, 'POST', '/v1/config/reload', { changed: ['virtual_boards'] });
}

let grace = 5;

describe('re-enumeration grace', () => {
  it('keeps the session and its console through an unplug and replug within the grace', async () => {
    grace = 30;
    h = makeHome();
    h.writeConfig({ virtual_boards: 1, board_grace_s: grace });
    d = await spawnDaemon(h.home);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const ws = await openSerial(h.socket, s.id);
    const states: any[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) states.push(JSON.parse(data.toString()));
    });

    const missing = nextEvent(h.socket, (t, e) => t === 'state' && e.session.board_missing_since !== null, `?session=${s.id}`);
    await missing.ready;
    await setBoards(0);
    const gone = (await missing.event).data.session;
    expect(gone).toMatchObject({ state: 'active', board_id: 'virtual-1' });
    expect(Date.parse(gone.grace_deadline) - Date.parse(gone.board_missing_since)).toBe(30_000);
    expect((await api(h.socket, 'GET', '/v1/boards')).body.boards).toEqual([]);

    const back = nextEvent(h.socket, (t, e) => t === 'state' && e.session.board_missing_since === null, `?session=${s.id}`);
    await back.ready;
    await setBoards(1);
    expect((await back.event).data.session).toMatchObject({ state: 'active', grace_deadline: null });

    ws.send(Buffer.from('echo still-here\r'));
    await readUntil(ws, (t) => /still-here[\s\S]*still-here/.test(t));
    // The console heard about both changes as state messages.
    expect(states.filter((m) => m.type === 'state').map((m) => m.board_missing_since === null)).toEqual(
      expect.arrayContaining([false, true]),
    );
    ws.close();
  });

  it('ends with board_lost once the grace runs out', async () => {
    grace = 1;
    h = makeHome();
    h.writeConfig({ virtual_boards: 1, board_grace_s: grace });
    d = await spawnDaemon(h.home);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const ended = nextEvent(h.socket, (t) => t === 'ended', `?session=${s.id}`);
    await ended.ready;
    await setBoards(0);
    const e = (await ended.event).data;
    expect(e.reason).toBe('board_lost');
    expect(Date.parse(e.session.ended_at) - Date.parse(e.session.started_at)).toBeGreaterThanOrEqual(1000);
  });

  it('a session on a board that virtual_boards takes away is told so and ends with board_lost, not left a ghost', async () => {
    grace = 1;
    h = makeHome();
    h.writeConfig({ virtual_boards: 2, board_grace_s: grace });
    d = await spawnDaemon(h.home);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_id: 'virtual-2', idle_timeout_s: 600 })).body;
    const ended = nextEvent(h.socket, (type) => type === 'ended', `?session=${s.id}`);
    await ended.ready;
    h.writeConfig({ virtual_boards: 1, board_grace_s: grace });
    const reload = await api(h.socket, 'POST', '/v1/config/reload', { changed: ['virtual_boards'] });
    expect(reload.body.notices).toEqual([expect.stringContaining(`session ${s.id} ends (board_lost)`)]);
    expect((await ended.event).data.reason).toBe('board_lost');
    const after = (await api(h.socket, 'GET', `/v1/sessions/${s.id}`)).body;
    expect(after).toMatchObject({ state: 'ended', end_reason: 'board_lost' });
    expect(after.credits_used).toBeLessThan(2);
  });
});
