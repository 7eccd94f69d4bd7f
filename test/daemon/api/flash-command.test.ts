// A board entry's flash_command and on_end on a real daemon, with a socat pty as the board and a stand-in flasher
// (a Node script taking {port} {file} {offset}): it runs with the port released, its output is the flash log, a
// failure is the job's; on_end runs it with the golden image before the board is offered again; bad values are 400s.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, makeHome, nextEvent, openSerial, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { flashEvents, jobEnded, recordEvents, uploadFlash } from '../../helpers/flash-upload.js';
import { ptyPair, type PtyPair } from '../../helpers/socat.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** The stand-in flasher: takes the port (locked, as picotool or avrdude would), records what it was given, says so. */
const FLASHER = `
const { createRequire } = require('node:module');
const { appendFileSync, readFileSync } = require('node:fs');
const { SerialPort } = createRequire(${JSON.stringify(REPO)} + 'package.json')('serialport');
const [log, port, file, offset] = process.argv.slice(2);
const data = readFileSync(file);
if (data.toString().startsWith('FAIL')) { console.error('Error: target not found'); process.exit(3); }
const p = new SerialPort({ path: port, baudRate: 115200, lock: true, autoOpen: false });
p.open((err) => {
  if (err) { console.error('cannot open ' + port + ': ' + err.message); process.exit(4); }
  console.log('Programming ' + data.length + ' bytes at ' + offset);
  appendFileSync(log, JSON.stringify({ port, file, offset, data: data.toString() }) + '\\n');
  p.close(() => console.log('Verified OK'));
});
`;

let h: TestHome;
let d: DaemonProcess;
let pty: PtyPair;
let flashed: () => Array<{ port: string; file: string; offset: string; data: string }>;
let argv: string[];
beforeEach(async () => {
  h = makeHome();
  h.writeConfig({ virtual_boards: 0 });
  writeFileSync(join(h.home, 'flasher.cjs'), FLASHER);
  const log = join(h.home, 'flashed.jsonl');
  writeFileSync(log, '');
  flashed = () => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  argv = [process.execPath, join(h.home, 'flasher.cjs'), log, '{port}', '{file}', '{offset}'];
  pty = await ptyPair(h.home);
  d = await spawnDaemon(h.home);
});
afterEach(async () => {
  await stopDaemon(d);
  await pty.stop();
  h.cleanup();
});

const addBoard = (entry: Record<string, unknown>) => api(h.socket, 'POST', '/v1/boards', { name: 'pico', type: 'rp2040', path: pty.a, ...entry });
const image = (name: string, text: string, offset: number | null) => ({ name, data: Buffer.from(text), offset });

/** Bytes the "board" prints reach the session's console. */
async function heard(ws: Parameters<typeof readUntil>[0], text: string): Promise<void> {
  const fd = openSync(pty.b, 'r+');
  try {
    const seen = readUntil(ws, (t) => t.includes(text));
    writeSync(fd, text);
    await seen;
  } finally {
    closeSync(fd);
  }
}

describe('flash_command', () => {
  it('runs once per image with the port released, its output as the flash log; the console stays attached and hears the board after', async () => {
    expect((await addBoard({ flash_command: argv })).status).toBe(201);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_id: 'pico', idle_timeout_s: 300 })).body;
    const ws = await openSerial(h.socket, s.id);
    const events = recordEvents(h.socket, `?session=${s.id}`);
    await events.ready;
    const res = await uploadFlash(h.socket, s.id, [image('boot.uf2', 'BOOT-IMAGE', 0x0), image('app.uf2', 'APP-IMAGE', 0x10000)]);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ method: 'command', state: 'running', images: [{ name: 'boot.uf2', offset: 0 }, { name: 'app.uf2', offset: 0x10000 }] });
    await events.until(jobEnded(res.body.id));
    const lines = flashEvents(events, res.body.id).map((e) => e.line).filter(Boolean);
    expect(lines).toEqual(['Programming 10 bytes at 0x0', 'Verified OK', 'Programming 9 bytes at 0x10000', 'Verified OK']);
    expect(flashed().map((f) => [f.port, f.offset, f.data])).toEqual([
      [pty.a, '0x0', 'BOOT-IMAGE'],
      [pty.a, '0x10000', 'APP-IMAGE'],
    ]);
    const job = (await api(h.socket, 'GET', `/v1/sessions/${s.id}/flash`)).body;
    expect(job).toMatchObject({ state: 'succeeded', failure: null, error: null });
    expect((await api(h.socket, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('active');
    await heard(ws, 'new firmware up\r\n'); // the port is the session's again, with the same console
    const log = (await api(h.socket, 'GET', `/v1/sessions/${s.id}/log`)).body as string;
    expect(log).toMatch(/--- fbay: flashing boot\.uf2 at 0x0, app\.uf2 at 0x10000 \(19 bytes\) ---[\s\S]*--- fbay: flashed 2 images \(boot\.uf2 at 0x0, app\.uf2 at 0x10000\) in [\d.]+ s; the board was reset ---/);
    events.close();
    ws.close();
  });

  it('a failing command fails the job with its exit code and last output; the session is back and usable; --erase-all is refused', async () => {
    expect((await addBoard({ flash_command: argv })).status).toBe(201);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_id: 'pico', idle_timeout_s: 300 })).body;
    const events = recordEvents(h.socket, `?session=${s.id}`);
    await events.ready;
    const res = await uploadFlash(h.socket, s.id, [image('bad.uf2', 'FAIL-IMAGE', 0x0)]);
    expect(res.status).toBe(202);
    await events.until(jobEnded(res.body.id));
    events.close();
    const job = (await api(h.socket, 'GET', `/v1/sessions/${s.id}/flash`)).body;
    expect(job).toMatchObject({ state: 'failed', failure: 'command_failed', offset: 0 });
    expect(job.error).toBe(`Flashing 'bad.uf2' failed: '${process.execPath}' exited with code 3. Its last output: Error: target not found`);
    expect((await api(h.socket, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('idle');
    const ws = await openSerial(h.socket, s.id);
    await heard(ws, 'still here\r\n');
    ws.close();
    const erase = await uploadFlash(h.socket, s.id, [image('a.uf2', 'A', 0x0)], '?erase_all=1');
    expect(erase.status).toBe(400);
    expect(erase.body.error).toBe('--erase-all needs an ESP ROM; board pico is flashed by its flash_command, which erases as it sees fit.');
  });

  it('on_end runs the flash_command with the golden image before the board is offered again', async () => {
    const golden = join(h.home, 'golden.uf2');
    writeFileSync(golden, 'GOLDEN');
    expect((await addBoard({ flash_command: argv, on_end: { flash: [['0x1000', golden]] } })).status).toBe(201);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_id: 'pico' })).body;
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    const next = (await api(h.socket, 'POST', '/v1/sessions', { board_id: 'pico', wait_s: 30 })).body;
    if (next.state === 'pending') {
      const idle = nextEvent(h.socket, (type, data) => type === 'state' && data.session.state === 'idle', `?session=${next.id}`);
      await idle.ready;
      if ((await api(h.socket, 'GET', `/v1/sessions/${next.id}`)).body.state === 'pending') await idle.event;
      idle.close();
    }
    expect(flashed()).toEqual([{ port: pty.a, file: golden, offset: '0x1000', data: 'GOLDEN' }]);
  });
});

describe('bad flash_command and on_end values', () => {
  it('are refused with 400 naming the field and the shape wanted; nothing is added', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a string, not argv', { flash_command: 'picotool load {file}' }, "board 'pico': flash_command must be a list of 1 to 64 strings, the program first"],
      ['no {file}', { flash_command: ['picotool', 'load', '-x'] }, "board 'pico': flash_command must name the image with {file}"],
      ['an unknown placeholder', { flash_command: ['avrdude', '-P', '{device}', '{file}'] }, "board 'pico': flash_command: {device} is not a placeholder; use {port}, {file}, {offset}"],
      ['an empty program', { flash_command: ['', '{file}'] }, "board 'pico': flash_command: the program (its first item) must not be empty"],
      ['on_end of another shape', { on_end: { wipe: true } }, `board 'pico': on_end must be {"flash": [["0x10000", "/path/app.bin"], ...]} or {"erase": true}`],
      ['on_end with no images', { on_end: { flash: [] } }, `board 'pico': on_end must be {"flash"`],
      ['on_end with a relative file', { on_end: { flash: [['0x0', 'fw.bin']] } }, `board 'pico': on_end.flash[0] must be [OFFSET, "/absolute/path.bin"]`],
      ['on_end with a bad offset', { on_end: { flash: [['zero', '/srv/fw.bin']] } }, `board 'pico': on_end.flash[0] must be [OFFSET, "/absolute/path.bin"]`],
      ['on_end erase with a flash_command', { flash_command: argv, on_end: { erase: true } }, `board 'pico': on_end {"erase": true} needs an ESP ROM, and this board is flashed by its flash_command`],
    ];
    for (const [what, entry, message] of cases) {
      const r = await addBoard(entry);
      expect(r.status, what).toBe(400);
      expect(r.body.code, what).toBe('invalid_request');
      expect(r.body.error, what).toContain(message);
    }
    expect((await api(h.socket, 'GET', '/v1/boards')).body.boards).toEqual([]);
  });
});
