// A remote flash through two daemons and the fault proxy, the network cut in the middle of the write: the host
// finishes the flash on its own, and the client sees the result once the line is back; the session lives on.
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../../helpers/daemon-process.js';
import { uploadFlash } from '../../helpers/flash-upload.js';
import { twoDaemons, type TwoDaemons } from '../../helpers/two-daemons.js';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';

let t: TwoDaemons;
afterEach(async () => {
  await t.close();
});

describe('a remote flash and a network cut', () => {
  it('cut while writing: the host finishes and verifies it, the client reads the succeeded job after the line is back', { timeout: 90_000 }, async () => {
    // Paced at the set baud, so the write lasts long enough to be cut in the middle.
    t = await twoDaemons({ virtual_pace: true });
    const s = (await t.lab('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300 })).body;
    const image = { name: 'remote.bin', data: buildAppImage({ projectName: 'remote-app', version: '5.0.1', size: 256 * 1024, seed: 11 }), offset: null };
    const res = await uploadFlash(t.client.home.socket, s.id, [image], '', { 'fbay-remote': 'lab' });
    expect(res.status).toBe(202);
    const jobId = res.body.id as string;

    // The host's own view of the job, asked over TCP as the key's account (not through the proxy).
    const onHost = async () => (await t.hostApi('GET', `/v1/sessions/${s.id}/flash`)).body;
    await expect.poll(async () => { const j = await onHost(); return j.phase === 'writing' && j.written > 0 && j.written < j.total; }, { timeout: 30_000, interval: 50 }).toBe(true);
    t.proxy.cut();
    await expect.poll(async () => (await onHost()).state, { timeout: 30_000, interval: 200 }).toBe('succeeded');
    t.proxy.restore();

    await expect
      .poll(async () => (await t.lab('GET', `/v1/sessions/${s.id}/flash`)).body?.state, { timeout: 30_000, interval: 200 })
      .toBe('succeeded');
    const job = (await t.lab('GET', `/v1/sessions/${s.id}/flash`)).body;
    expect(job).toMatchObject({ id: jobId, state: 'succeeded', verify: true, failure: null, images: [{ name: 'remote.bin', offset: 0x10000 }] });
    // The host writes its transcript a little after it relays: read until the new boot log is in it.
    await expect.poll(async () => (await t.hostLog(s.id)).toString('latin1'), { timeout: 10_000, interval: 50 }).toMatch(/Project name: +remote-app[\s\S]*App version: +5\.0\.1/);
    expect((await api(t.client.home.socket, 'GET', `/v1/sessions/${s.id}`)).body.state).not.toBe('ended');
  });

  it('the client daemon restarted mid-flash follows the host\'s job again: the session is flashing, then idle once it succeeded', { timeout: 90_000 }, async () => {
    t = await twoDaemons({ virtual_pace: true });
    const s = (await t.lab('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300 })).body;
    const image = { name: 'again.bin', data: buildAppImage({ projectName: 'again-app', version: '5.0.2', size: 256 * 1024, seed: 12 }), offset: null };
    const res = await uploadFlash(t.client.home.socket, s.id, [image], '', { 'fbay-remote': 'lab' });
    expect(res.status).toBe(202);
    const onHost = async () => (await t.hostApi('GET', `/v1/sessions/${s.id}/flash`)).body;
    await expect.poll(async () => { const j = await onHost(); return j.phase === 'writing' && j.written > 0; }, { timeout: 30_000, interval: 50 }).toBe(true);

    await t.restartClient(); // it stops at once, though it was following the job
    // Restored sessions come back idle; the host's job, still running, puts this one back in flashing.
    await expect.poll(async () => (await t.lab('GET', `/v1/sessions/${s.id}`)).body.state, { timeout: 15_000, interval: 50 }).toBe('flashing');
    expect((await onHost()).state).toBe('running');
    await expect.poll(async () => (await t.lab('GET', `/v1/sessions/${s.id}`)).body.state, { timeout: 60_000, interval: 200 }).toBe('idle');
    expect((await t.lab('GET', `/v1/sessions/${s.id}/flash`)).body).toMatchObject({ id: res.body.id, state: 'succeeded' });
  });
});
