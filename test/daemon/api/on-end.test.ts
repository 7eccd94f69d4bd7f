// on_end on a real daemon: after a session ends, a virtual board (virtual_on_end) is flashed with the golden image
// or erased before it is offered again, shown `flashing` meanwhile; a restore that cannot run keeps the board out of
// service, saying why; a bad virtual_on_end is named and ignored. (A board entry's bad on_end: flash-command.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, makeHome, nextEvent, openSerial, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { jobEnded, recordEvents, uploadFlash } from '../../helpers/flash-upload.js';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';

let h: TestHome;
let d: DaemonProcess;
afterEach(async () => {
  await stopDaemon(d);
  h.cleanup();
});

/** A daemon with one virtual board whose line runs at its baud (a restore takes a moment) and this virtual_on_end. */
async function start(onEnd: (golden: string) => unknown): Promise<string> {
  h = makeHome();
  const golden = join(h.home, 'golden.bin');
  writeFileSync(golden, buildAppImage({ projectName: 'golden', version: '1.0.0', size: 16 * 1024 }));
  h.writeConfig({ virtual_boards: 1, virtual_pace: true, virtual_on_end: onEnd(golden) });
  d = await spawnDaemon(h.home);
  return golden;
}

const board = async () => (await api(h.socket, 'GET', '/v1/boards')).body.boards[0];
const create = (body: Record<string, unknown> = {}) => api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300, ...body });

/** Uses the board for a session (flashes another app onto it), ends it, and returns the next session, queued behind the restore. */
async function useAndEnd(): Promise<string> {
  const s = (await create()).body;
  const events = recordEvents(h.socket, `?session=${s.id}`);
  await events.ready;
  const job = await uploadFlash(h.socket, s.id, [{ name: 'dirty.bin', data: buildAppImage({ projectName: 'dirty', version: '6.6.6', size: 16 * 1024 }), offset: null }]);
  expect(job.status).toBe(202);
  await events.until(jobEnded(job.body.id));
  events.close();
  expect((await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`)).status).toBe(200);
  // Not offered while it is restored: shown flashing (never available), a create is refused, a waiting one queues.
  expect(await board()).toMatchObject({ id: 'virtual-1', state: 'flashing', session_id: null, reason: 'restoring it after the last session (on_end)' });
  const refused = await create();
  expect(refused.status).toBe(503);
  expect(refused.body.code).toBe('no_board_available');
  const next = await create({ wait_s: 60 });
  expect(next.status).toBe(201);
  expect(next.body.state).toBe('pending');
  return next.body.id;
}

/** What the board boots once the next session has it: its log after a hard reset. */
async function bootLog(id: string, until: RegExp): Promise<string> {
  const ready = nextEvent(h.socket, (type, data) => type === 'state' && data.session.state === 'idle', `?session=${id}`);
  await ready.ready;
  if ((await api(h.socket, 'GET', `/v1/sessions/${id}`)).body.state === 'pending') await ready.event;
  ready.close();
  const ws = await openSerial(h.socket, id);
  expect((await api(h.socket, 'POST', `/v1/sessions/${id}/reset`, { mode: 'hard' })).status).toBe(200);
  const log = await readUntil(ws, (t) => until.test(t));
  ws.close();
  return log;
}

describe('on_end: a clean board for the next user', () => {
  it('flash: the golden image is written back before the board is offered again; the next session boots it', async () => {
    await start((golden) => ({ flash: [['0x10000', golden]] }));
    const next = await useAndEnd();
    const log = await bootLog(next, /App version: +\S+/);
    expect(log).toMatch(/Project name: +golden\r\n/);
    expect(log).toMatch(/App version: +1\.0\.0/);
    expect(log).not.toContain('dirty');
    expect(await board()).toMatchObject({ state: 'reserved', session_id: next, reason: null });
  }, 30_000);

  it('erase: the next session finds an erased flash; a daemon stopping restores the board first, and stops though the board reboots on and on', async () => {
    await start(() => ({ erase: true }));
    const next = await useAndEnd();
    expect(await bootLog(next, /invalid header: 0xffffffff[\s\S]*invalid header: 0xffffffff/)).not.toContain('Project name');
    await stopDaemon(d);
    expect(d.stderr()).toMatch(/stopping \(ending live sessions: host_shutdown\)\n[\s\S]*board virtual-1: restored \(on_end\)[^\n]*\n[\s\S]*\bstopped\n/);
  }, 30_000);

  it('a restore that cannot run (its file is gone) keeps the board out of service, saying why and what to do', async () => {
    const golden = await start((file) => ({ flash: [['0x10000', file]] }));
    const s = (await create()).body;
    h.writeConfig({ virtual_boards: 1, virtual_on_end: { flash: [['0x10000', `${golden}.missing`]] } });
    expect((await api(h.socket, 'POST', '/v1/config/reload', { changed: ['virtual_on_end'] })).status).toBe(204);
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    await expect.poll(async () => (await board()).state).toBe('offline');
    const b = await board();
    expect(b.reason).toMatch(/^its on_end restore failed: .*golden\.bin\.missing.*\. Fix the board or its on_end and restart the daemon to offer it again\.$/);
    const refused = await create();
    expect(refused.status).toBe(503);
  }, 30_000);

  it('a bad virtual_on_end is named by the reload and ignored: the board is offered again at once', async () => {
    await start(() => null);
    h.writeConfig({ virtual_boards: 1, virtual_on_end: { flash: [['0x10000', 'relative.bin']] } });
    const reload = await api(h.socket, 'POST', '/v1/config/reload', { changed: ['virtual_on_end'] });
    expect(reload.status).toBe(200);
    expect(reload.body.problems).toEqual([expect.stringMatching(/^virtual_on_end is .*relative\.bin.*: it must be JSON: \{"flash": \[\["0x10000", "\/abs\/app\.bin"\], \.\.\.\]\} or \{"erase": true\}, or 'none'; using null$/)]); // the value in effect stays
    const s = (await create()).body;
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    expect(await board()).toMatchObject({ state: 'available', reason: null });
    expect((await create()).status).toBe(201);
  });
});
