// Flashing and powering a board on a joined host through its coordinator, real processes and a real tunnel: the job
// runs on the host (its own FlashJobs), the image lands on the virtual board, the coordinator's session, events,
// consoles and GET …/flash follow it, the serial stream carries on exactly; bad input is refused on the coordinator
// before the tunnel is used; power off/on switch the host's board; a tunnel cut mid-flash does not stop the host.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type WebSocket from 'ws';
import { api, apiRaw, openSerial, readUntil, recordFrames, type Frames } from '../../helpers/daemon-process.js';
import { flashEvents, flashHeaders, jobEnded, recordEvents, uploadFlash, type UploadImage } from '../../helpers/flash-upload.js';
import { coordinated, joinedAll, logged, type Coordinated, type JoinedHost } from '../../helpers/joined-hosts.js';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { md5Hex, padded } from '../../../src/daemon/flash/write-region.js';

const app = (projectName: string, version: string, size = 128 * 1024, seed?: number): UploadImage => ({
  name: `${projectName}.bin`,
  data: buildAppImage({ projectName, version, size, ...(seed === undefined ? {} : { seed }) }),
  offset: null,
});

/** The bytes of the host's virtual board's flash file. */
const boardFlash = (host: JoinedHost, n: number, offset: number, length: number) =>
  readFileSync(join(host.home.home, 'state', 'virtual-flash', `virtual-${n}.flash`)).subarray(offset, offset + length);

/** The coordinator's transcript of a session is the host's, byte for byte (the host writes its file a little late). */
async function sameAsHost(t: Coordinated, host: JoinedHost, id: string): Promise<Buffer> {
  const mine = await coordLog(t, id);
  await expect.poll(() => host.transcript(id).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(mine.length);
  await expect.poll(async () => (await coordLog(t, id)).equals(host.transcript(id)), { timeout: 10_000 }).toBe(true);
  return coordLog(t, id);
}

/** A session's transcript on the coordinator, as its (local) user downloads it. */
const coordLog = async (t: Coordinated, id: string) => (await apiRaw(t.coord.home.socket, `/v1/sessions/${id}/log`)).body;

/** A request written by hand on a daemon's socket: the headers, and no body at all. */
async function headersOnly(socket: string, path: string, headers: Record<string, string>): Promise<string> {
  const s = connect(socket);
  await once(s, 'connect');
  let text = '';
  s.setEncoding('latin1').on('data', (c: string) => (text += c));
  const closed = once(s, 'close');
  s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  await closed;
  return text;
}

describe('a board on a joined host, through its coordinator', () => {
  let t: Coordinated;
  let host: JoinedHost;
  let sock: string;
  let s: { id: string };
  let ws: WebSocket;
  let frames: Frames;
  beforeAll(async () => {
    t = await coordinated();
    await joinedAll(t);
    host = t.hosts[0]!;
    sock = t.coord.home.socket;
    s = (await api(sock, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300 })).body;
    ws = await openSerial(sock, s.id);
    frames = recordFrames(ws);
    ws.send(Buffer.from('echo before-the-flash\r'));
    await readUntil(ws, (text) => text.includes('before-the-flash\r\nfbay-virtual> '));
  }, 30_000);
  afterAll(async () => {
    ws?.close();
    await t.close();
  });

  it('flashes it: the host runs the job, the image is on the board, progress reaches the events, the stream carries on', async () => {
    const events = recordEvents(sock, `?session=${s.id}`);
    await events.ready;
    // Over many upload windows: the images cross the tunnel in many chunks, and the write lasts long enough (several
    // 100 ms progress intervals, also on a loaded machine) for progress to be seen mid-write.
    const image = app('joined-app', '7.8.9', 2560 * 1024, 3);
    const res = await uploadFlash(sock, s.id, [image]);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ session_id: s.id, state: 'running', method: 'rom', images: [{ name: 'joined-app.bin', offset: 0x10000, description: 'app: joined-app 7.8.9 (ESP-IDF v5.2.1)' }] });
    await events.until(jobEnded(res.body.id));
    const progress = flashEvents(events, res.body.id);
    expect(new Set(progress.map((e) => e.phase))).toEqual(new Set(['connecting', 'erasing', 'writing', 'verifying', 'resetting']));
    expect(progress.filter((e) => e.phase === 'writing' && e.written > 0 && e.written < e.total).length).toBeGreaterThan(0);
    expect(progress.some((e) => e.line === "Hash of 'joined-app.bin' verified.")).toBe(true);
    expect(progress.at(-1)).toMatchObject({ session_id: s.id, state: 'succeeded', written: progress.at(-1).total });
    const states = events.events.filter((e) => e.type === 'state').map((e) => e.data.session.state);
    expect(states).toContain('flashing');
    expect(states.at(-1)).toBe('active'); // the console never left
    events.close();

    // The image is in the host's virtual board's flash, where the plan put it.
    expect(boardFlash(host, 1, 0x10000, image.data.length).equals(image.data)).toBe(true);
    const job = (await api(sock, 'GET', `/v1/sessions/${s.id}/flash`)).body;
    // The MD5 the host's board reported, carried back: that of the written region.
    expect(job).toMatchObject({ id: res.body.id, session_id: s.id, state: 'succeeded', failure: null, images: [{ md5: md5Hex(padded(image.data)) }] });
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('active');

    // The console saw the flash once (not again through the line) and the new firmware boot, then it talks on.
    const seen = await readUntil(ws, (text) => text.includes('Project name:     joined-app') && text.endsWith(PROMPT));
    expect(seen).toMatch(/--- fbay: flashing joined-app\.bin at 0x10000 \(2\.5 MiB\) ---[\s\S]*--- fbay: flashed 1 image[\s\S]*App version:      7\.8\.9/);
    expect(frames.texts.filter((m) => m.type === 'flash' && m.state === 'succeeded')).toHaveLength(1);
    ws.send(Buffer.from('echo after-the-flash\r'));
    await readUntil(ws, (text) => text.includes('after-the-flash\r\nfbay-virtual> '));
    const log = await sameAsHost(t, host, s.id);
    expect(log.toString('latin1')).toMatch(/before-the-flash[\s\S]*Project name: +joined-app[\s\S]*after-the-flash/);
    expect(log.toString('latin1').split('after-the-flash\r\nfbay-virtual> ').length).toBe(2);
  }, 60_000);

  it('refuses a bad image on the coordinator with the plan sentence, without sending it to the host; 413 before reading', async () => {
    const from = host.daemon.stderr().length;
    const a = app('a', '1', 64 * 1024);
    const cases: Array<[string, UploadImage[], RegExp]> = [
      ['overlap', [{ ...a, offset: 0x10000 }, { ...a, name: 'b.bin', offset: 0x18000 }], /'a\.bin' \(0x10000–0x1ffff\) and 'b\.bin' \(from 0x18000\) overlap: move 'b\.bin' to 0x20000 or later/],
      ['ELF', [{ name: 'app.elf', data: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]), offset: 0x10000 }], /is an ELF file, not a flashable image/],
      ['empty', [{ name: 'empty.bin', data: Buffer.alloc(0), offset: 0x10000 }], /is empty \(0 bytes\)/],
    ];
    for (const [what, images, message] of cases) {
      const res = await uploadFlash(sock, s.id, images);
      expect(res.status, what).toBe(400);
      expect(res.body.error, what).toMatch(message);
    }
    const headers = { ...flashHeaders([{ name: 'huge.bin', data: Buffer.alloc(0), offset: null }]), 'content-length': String(100 * 1024 * 1024) };
    const text = await headersOnly(sock, `/v1/sessions/${s.id}/flash`, headers);
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text).toContain("That upload is 100 MiB, larger than the board's 8 MiB flash, so it was refused before it was read.");
    // The host was never asked: it logs every upload it is sent (as the next, good one shows).
    const good = await uploadFlash(sock, s.id, [app('good', '1.0.0', 64 * 1024)]);
    expect(good.status).toBe(202);
    const line = await logged(host.daemon, /receiving [\d.]+ KiB to flash/, from);
    expect(host.daemon.stderr().slice(from).split('to flash').length).toBe(2);
    expect(line).toBe('receiving 64 KiB to flash');
    await readUntil(ws, (x) => x.includes('Project name:     good') && x.endsWith(PROMPT));
  }, 60_000);

  it('switches its power off and on on the host, and says so: in the reply, the board list and the boot log', async () => {
    await expect.poll(async () => (await api(sock, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('active');
    const off = await api(sock, 'POST', `/v1/sessions/${s.id}/power`, { action: 'off' });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toEqual({ session_id: s.id, action: 'off', verified: 'verified', why: null, output: [], power: 'off' });
    const board = async () => (await api(sock, 'GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === 'lab1.virtual-1');
    await expect.poll(async () => (await board()).power).toEqual({ control: 'virtual', state: 'off' });
    // Off, the board is still the session's; a flash now is refused on the coordinator with the next step.
    const refused = await uploadFlash(sock, s.id, [app('dark', '1', 64 * 1024)]);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('is powered off; switch it on first with `fbay power on');
    const before = frames.size;
    const on = await api(sock, 'POST', `/v1/sessions/${s.id}/power`, { action: 'on' });
    expect(on.body).toMatchObject({ session_id: s.id, action: 'on', verified: 'verified', power: 'on' });
    await frames.until(() => frames.bytes().subarray(before).toString('latin1').includes('rst:0x1 (POWERON)'));
    await expect.poll(async () => (await board()).power).toEqual({ control: 'virtual', state: 'on' });
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'active', end_reason: null });
    const bad = await api(sock, 'POST', `/v1/sessions/${s.id}/power`, { action: 'sideways' });
    expect(bad.status).toBe(400);
  }, 60_000);
});

describe('a joined host cut off mid-flash', () => {
  let t: Coordinated | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  /** A paced board (the write takes seconds), a session on it, its events, and a flash under way in `writing`. */
  async function writing(options: Parameters<typeof coordinated>[0]) {
    t = await coordinated(options);
    await joinedAll(t);
    const sock = t.coord.home.socket;
    const s = (await api(sock, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300 })).body;
    const events = recordEvents(sock, `?session=${s.id}`);
    await events.ready;
    const image = app('cut-app', '2.0.0', 256 * 1024, 11);
    const res = await uploadFlash(sock, s.id, [image]);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await events.until((e) => e.some((x) => x.type === 'flash' && x.data.phase === 'writing' && x.data.written > 0 && x.data.written < x.data.total));
    return { t, sock, s, events, image, jobId: res.body.id as string, host: t.hosts[0]! };
  }

  it('the host finishes it; the coordinator holds the session in flashing and reports success once the host is back', async () => {
    const { t, sock, s, events, image, jobId, host } = await writing({ hosts: [{ name: 'lab1', config: { virtual_pace: true } }] });
    const from = t.coord.daemon.stderr().length;
    const fromHost = host.daemon.stderr().length;
    host.proxy.cut();
    await logged(t.coord.daemon, /host lab1 dropped/, from);
    // The host's own word that it finished (its session is the coordinator's account's, not its owner's to read).
    await logged(host.daemon, new RegExp(`session ${host.hostSession(s.id)}: flashed cut-app\\.bin at 0x10000`), fromHost);
    // Not known here yet: the job is still running as far as the coordinator has heard, the session still flashing.
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}/flash`)).body).toMatchObject({ id: jobId, state: 'running' });
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'flashing', link: { state: 'reconnecting' } });
    host.proxy.restore();
    await events.until(jobEnded(jobId));
    expect(flashEvents(events, jobId).at(-1)).toMatchObject({ state: 'succeeded' });
    events.close();
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}/flash`)).body).toMatchObject({ id: jobId, state: 'succeeded', failure: null });
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'idle', end_reason: null, link: { state: 'open' } });
    expect(boardFlash(host, 1, 0x10000, image.data.length).equals(image.data)).toBe(true);
    // The boot log the host saw meanwhile reached the coordinator's transcript too, exactly once.
    await expect.poll(async () => (await coordLog(t, s.id)).toString('latin1'), { timeout: 10_000 }).toMatch(/Project name: +cut-app/);
    await sameAsHost(t, host, s.id);
  }, 120_000);

  it('a coordinator restarted mid-flash takes the job up again from the host, and follows it to the end', async () => {
    // At the board's serial pace the job outlasts the restart and the host's reconnect (~2 s) by some 10 s.
    const { t, sock, s, events, image, jobId, host } = await writing({ hosts: [{ name: 'lab1', config: { virtual_pace: true } }] });
    events.close();
    await t.restartCoordinator();
    const after = recordEvents(sock, `?session=${s.id}`);
    await after.ready;
    await logged(t.coord.daemon, new RegExp(`session ${s.id}: host 'lab1' is running flash ${jobId}, started before this coordinator did`));
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'flashing' });
    await after.until(jobEnded(jobId));
    expect(flashEvents(after, jobId).at(-1)).toMatchObject({ state: 'succeeded' });
    after.close();
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}/flash`)).body).toMatchObject({ id: jobId, state: 'succeeded', failure: null });
    await expect.poll(async () => (await api(sock, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('idle');
    expect(boardFlash(host, 1, 0x10000, image.data.length).equals(image.data)).toBe(true);
  }, 120_000);

  it('a host that does not come back within the grace: the session ends host_lost and the job fails saying so', async () => {
    const { sock, s, events, jobId, host } = await writing({ coordinator: { host_grace_s: 3 }, hosts: [{ name: 'lab1', config: { virtual_pace: true } }] });
    host.proxy.cut();
    await events.until(jobEnded(jobId));
    expect(flashEvents(events, jobId).at(-1)).toMatchObject({ state: 'failed', failure: 'session_ended' });
    events.close();
    const job = (await api(sock, 'GET', `/v1/sessions/${s.id}/flash`)).body;
    expect(job).toMatchObject({ id: jobId, state: 'failed', failure: 'session_ended' });
    expect(job.error).toBe("The session ended (host_lost) before host 'lab1' said how the flash ended; the board may not boot until it is flashed again.");
    expect((await api(sock, 'GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'ended', end_reason: 'host_lost' });
  }, 60_000);
});
