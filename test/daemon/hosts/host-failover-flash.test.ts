// A flash under way on a joined host when its coordinator is killed (SIGKILL), real processes and one PostgreSQL
// database: the host runs the job to its end regardless, dials the other coordinator, which takes the session over,
// asks the host how the job went and says so (GET …/flash), gives the session back to its user not flashing, and
// flashes the board again on request. Charged once when it ends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';
import { uploadFlash, type UploadImage } from '../../helpers/flash-upload.js';
import { joinHost, startCoordinator, type CoordinatorProcess, type JoinedHostProcess } from '../../helpers/coordinators.js';
import { logged } from '../../helpers/joined-hosts.js';
import { freshDatabase, type TestDatabase } from '../../helpers/pg-database.js';

let db: TestDatabase;
let a: CoordinatorProcess;
let b: CoordinatorProcess;
let host: JoinedHostProcess;

beforeAll(async () => {
  db = await freshDatabase();
  a = await startCoordinator('ff-a', db.url, { virtual_boards: 0 });
  b = await startCoordinator('ff-b', db.url, { virtual_boards: 0 });
  host = await joinHost(a, `${a.url},${b.url}`, { virtual_boards: 1 });
  await logged(a.daemon, /host lab1 joined/);
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await db?.drop();
});

const app = (projectName: string, size: number, seed: number): UploadImage => ({ name: `${projectName}.bin`, data: buildAppImage({ projectName, version: '1.0.0', size, seed }), offset: null });
const onBoard = (offset: number, length: number) => readFileSync(join(host.home.home, 'state', 'virtual-flash', 'virtual-1.flash')).subarray(offset, offset + length);

describe('a coordinator killed while its joined host flashes a board', () => {
  it('the host finishes the job; the other coordinator takes the session over, reports the job, and flashes again', async () => {
    const s = (await a.owner('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 })).body;
    // (Said in full if it fails: a create right after a host joined was once refused as busy under load.)
    expect(s.board_id, `${JSON.stringify(s)}\n${a.daemon.stderr()}\n${host.daemon.stderr()}`).toBe('lab1.virtual-1');
    expect(s.state).toBe('idle');
    // Large enough that its write lasts across the kill and the takeover.
    const image = app('big-app', 6 * 1024 * 1024, 5);
    const started = await uploadFlash(a.home.socket, s.id, [image]);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await expect
      .poll(async () => (await a.owner('GET', `/v1/sessions/${s.id}/flash`)).body, { timeout: 20_000, interval: 20 })
      .toMatchObject({ state: 'running', phase: 'writing', written: expect.any(Number) });

    const hostLog = host.daemon.stderr().length;
    const bLog = b.daemon.stderr().length;
    a.daemon.child.kill('SIGKILL');
    await a.daemon.exited;
    await logged(host.daemon, /joined .* as host 'lab1'/, hostLog);
    await logged(b.daemon, new RegExp(`session ${s.id}: taken over from coordinator ff-a`), bLog);

    // The job still writing when B took over (as it almost always is): B follows it as the host reports it, the
    // session held flashing (no idle countdown ends it under the flash). The write is as fast as the host's CPU, and
    // under a loaded full run it once ended before B took over: then B has it from the host as it ended.
    const atTakeover = (await b.owner('GET', `/v1/sessions/${s.id}/flash`)).body;
    expect(atTakeover).toMatchObject({ id: started.body.id, state: expect.stringMatching(/^(running|succeeded)$/) });
    if (atTakeover.state === 'running') {
      await expect.poll(async () => (await b.owner('GET', `/v1/sessions/${s.id}`)).body.state, { timeout: 10_000 }).toBe('flashing');
    }
    // B learns from the host how the job it never started went, and the image is on the board.
    await expect.poll(async () => (await b.owner('GET', `/v1/sessions/${s.id}/flash`)).body?.state, { timeout: 30_000 }).toBe('succeeded');
    expect((await b.owner('GET', `/v1/sessions/${s.id}/flash`)).body).toMatchObject({ id: started.body.id, session_id: s.id, failure: null });
    expect(onBoard(0x10000, image.data.length).equals(image.data)).toBe(true);
    await expect.poll(async () => (await b.owner('GET', `/v1/sessions/${s.id}`)).body.state, { timeout: 10_000 }).not.toBe('flashing');
    expect((await b.owner('GET', `/v1/sessions/${s.id}`)).body.ended_at).toBeNull();

    // And B flashes it again.
    const next = app('next-app', 128 * 1024, 6);
    const again = await uploadFlash(b.home.socket, s.id, [next]);
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    await expect.poll(async () => (await b.owner('GET', `/v1/sessions/${s.id}/flash`)).body, { timeout: 30_000 }).toMatchObject({ id: again.body.id, state: 'succeeded' });
    expect(onBoard(0x10000, next.data.length).equals(next.data)).toBe(true);

    expect((await b.owner('DELETE', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    expect(await db.query('SELECT count(*)::int AS n FROM credit_ledger WHERE session_id = $1', [s.id])).toEqual([{ n: 1 }]);
  }, 90_000);
});
