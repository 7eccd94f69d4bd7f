// POST/GET /v1/sessions/{id}/flash on a real daemon: a virtual board flashed for real, what is refused before the
// board is touched (413 before the body is read, not asked for with Expect: 100-continue), a second flash, an ended
// session, an upload cut short.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { once } from 'node:events';
import { api, makeHome, openSerial, readUntil, recordFrames, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { flashEvents, flashHeaders, jobEnded, recordEvents, uploadFlash } from '../../helpers/flash-upload.js';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';

let h: TestHome;
let d: DaemonProcess;
beforeEach(async () => {
  h = makeHome();
  h.writeConfig({});
  d = await spawnDaemon(h.home);
});
afterEach(async () => {
  await stopDaemon(d);
  h.cleanup();
});

const session = async () => (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300 })).body;
const app = (projectName: string, version: string, size = 128 * 1024) => ({ name: `${projectName}.bin`, data: buildAppImage({ projectName, version, size }), offset: null });

/** A request written by hand on the daemon's socket: headers, then as much of the body as given. */
async function rawPost(path: string, headers: Record<string, string>, body: Buffer | null): Promise<{ text: string; closed: Promise<unknown> }> {
  const socket = connect(h.socket);
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('latin1').on('data', (c: string) => (text += c));
  const closed = once(socket, 'close');
  socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  if (body) socket.write(body);
  return { text: '', closed: closed.then(() => text) } as never;
}

/** A request that waits for `100 Continue` before it sends `body` (as `fbay flash` does); all the daemon said, at close. */
async function continued(path: string, headers: Record<string, string>, body: Buffer): Promise<string> {
  const socket = connect(h.socket);
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('latin1').on('data', (c: string) => {
    if (text === '' && c.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) socket.write(body);
    text += c;
  });
  const closed = once(socket, 'close');
  const all = { ...headers, expect: '100-continue', connection: 'close', 'content-length': String(body.length) };
  socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  await closed;
  return text;
}

describe('flashing a session over the API', () => {
  it('flashes a virtual board while a console watches: flashing state, progress, the marker, then the new boot log on the same console', async () => {
    const s = await session();
    const ws = await openSerial(h.socket, s.id);
    const frames = recordFrames(ws);
    const events = recordEvents(h.socket, `?session=${s.id}`);
    await events.ready;
    const res = await uploadFlash(h.socket, s.id, [app('fresh-app', '4.5.6')]);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ session_id: s.id, state: 'running', method: 'rom', images: [{ name: 'fresh-app.bin', offset: 0x10000, description: 'app: fresh-app 4.5.6 (ESP-IDF v5.2.1)' }] });
    await events.until(jobEnded(res.body.id));
    const progress = flashEvents(events, res.body.id);
    expect(new Set(progress.map((e) => e.phase))).toEqual(new Set(['connecting', 'erasing', 'writing', 'verifying', 'resetting']));
    expect(progress.some((e) => e.line === "Hash of 'fresh-app.bin' verified.")).toBe(true);
    expect(progress.at(-1)).toMatchObject({ state: 'succeeded', written: progress.at(-1).total });
    const states = events.events.filter((e) => e.type === 'state').map((e) => e.data.session.state);
    expect(states).toContain('flashing');
    expect(states.at(-1)).toBe('active'); // the console never left
    const seen = await readUntil(ws, (t) => t.includes('Project name:     fresh-app') && t.endsWith(PROMPT));
    expect(seen).toMatch(/--- fbay: flashing fresh-app\.bin at 0x10000 \(128 KiB\) ---[\s\S]*--- fbay: flashed 1 image \(fresh-app\.bin at 0x10000\) in [\d.]+ s, verified; the board was reset ---\r\nESP-ROM:esp32s3/);
    expect(seen).toContain('App version:      4.5.6');
    expect(frames.texts.filter((m) => m.type === 'flash').length).toBeGreaterThan(3);
    const job = (await api(h.socket, 'GET', `/v1/sessions/${s.id}/flash`)).body;
    expect(job).toMatchObject({ id: res.body.id, state: 'succeeded', failure: null, images: [{ md5: expect.stringMatching(/^[0-9a-f]{32}$/) }] });
    const log = (await api(h.socket, 'GET', `/v1/sessions/${s.id}/log?since=${job.boot_offset}`)).body as string;
    expect(log.startsWith('ESP-ROM:esp32s3-20210327')).toBe(true);
    events.close();
    ws.close();
  });

  it('refuses, before the board is touched: overlapping, unaligned and past-the-end offsets, an ELF, an empty file; no job starts', async () => {
    const s = await session();
    const a = app('a', '1', 64 * 1024);
    const cases: Array<[string, Parameters<typeof uploadFlash>[2], RegExp]> = [
      ['overlap', [{ ...a, offset: 0x10000 }, { ...a, name: 'b.bin', offset: 0x18000 }], /'a\.bin' \(0x10000–0x1ffff\) and 'b\.bin' \(from 0x18000\) overlap: move 'b\.bin' to 0x20000 or later/],
      ['unaligned', [{ ...a, offset: 0x10001 }], /offsets must be multiples of 4 KiB \(0x1000\), the flash's erase sector; use 0x10000 or 0x11000/],
      ['past the end', [{ ...a, offset: 0x7f8000 }], /past the end of the 8 MiB flash \(0x800000\)/],
      ['ELF', [{ name: 'app.elf', data: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]), offset: 0x10000 }], /is an ELF file, not a flashable image/],
      ['empty', [{ name: 'empty.bin', data: Buffer.alloc(0), offset: 0x10000 }], /is empty \(0 bytes\)/],
    ];
    for (const [what, images, message] of cases) {
      const res = await uploadFlash(h.socket, s.id, images);
      expect(res.status, what).toBe(400);
      expect(res.body.error, what).toMatch(message);
    }
    expect((await api(h.socket, 'GET', `/v1/sessions/${s.id}/flash`)).status).toBe(404);
    expect((await api(h.socket, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('idle');
  });

  it('refuses a 100 MiB upload with 413 naming the flash size before reading it, and closes the connection', async () => {
    const s = await session();
    // The limit a client checks first: GET /v1/boards says how each board is flashed and how much one upload may carry.
    const boards = (await api(h.socket, 'GET', '/v1/boards')).body.boards as Array<{ id: string; flash: unknown }>;
    expect(boards.find((b) => b.id === s.board_id)!.flash).toEqual({ method: 'rom', max_bytes: 8 * 1024 * 1024 });
    const headers = { ...flashHeaders([{ name: 'huge.bin', data: Buffer.alloc(0), offset: null }]), 'content-length': String(100 * 1024 * 1024) };
    const { closed } = await rawPost(`/v1/sessions/${s.id}/flash`, headers, null);
    const text = (await closed) as string; // answered and closed with not one byte of the body sent
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text).toContain("That upload is 100 MiB, larger than the board's 8 MiB flash, so it was refused before it was read.");
    expect(text).toContain('"code":"payload_too_large"');
  });

  it('Expect: 100-continue: a refused upload is answered without asking for its body; an accepted one is asked for; other routes ask at once', async () => {
    const s = await session();
    const huge = { name: 'huge.bin', data: Buffer.alloc(9 * 1024 * 1024), offset: null };
    const refused = await continued(`/v1/sessions/${s.id}/flash`, flashHeaders([huge]), huge.data);
    expect(refused).toMatch(/^HTTP\/1\.1 413 /); // no 100 Continue first: not a byte of the 9 MiB was sent
    expect(refused).toContain('"code":"payload_too_large"');
    const image = app('asked', '1.0.0', 32 * 1024);
    const accepted = await continued(`/v1/sessions/${s.id}/flash`, flashHeaders([image]), image.data);
    expect(accepted).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 202 /);
    await expect.poll(async () => (await api(h.socket, 'GET', `/v1/sessions/${s.id}/flash`)).body.state).toBe('succeeded');
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    const create = await continued('/v1/sessions', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ board_type: 'virtual' })));
    expect(create).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);
  });

  it('a second flash while one runs is 409 flash_in_progress; an ended session is 404; an upload cut short flashes nothing', async () => {
    const s = await session();
    const events = recordEvents(h.socket, `?session=${s.id}`);
    await events.ready;
    const first = await uploadFlash(h.socket, s.id, [app('big', '1.0.0', 1024 * 1024)]);
    expect(first.status).toBe(202);
    const second = await uploadFlash(h.socket, s.id, [app('other', '1.0.0')]);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'flash_in_progress' });
    await events.until(jobEnded(first.body.id));
    events.close();

    // Half an upload, then the client is gone: no job, the session as it was.
    const image = app('cut', '9.9.9');
    const headers = { ...flashHeaders([image]), 'content-length': String(image.data.length) };
    const socket = connect(h.socket);
    await once(socket, 'connect');
    socket.write(`POST /v1/sessions/${s.id}/flash HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    socket.write(image.data.subarray(0, 40 * 1024));
    await new Promise((r) => socket.write(Buffer.alloc(0), r));
    socket.destroy();
    await expect.poll(async () => (await api(h.socket, 'GET', `/v1/sessions/${s.id}/flash`)).body.id).toBe(first.body.id);
    expect((await api(h.socket, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('idle');
    const again = await uploadFlash(h.socket, s.id, [app('after', '2.0.0')]);
    expect(again.status).toBe(202); // no flash is stuck in progress

    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    const ended = await uploadFlash(h.socket, s.id, [app('late', '1.0.0')]);
    expect(ended.status).toBe(404);
    expect(ended.body.error).toMatch(/has ended \(user_ended\)/);
  });
});
