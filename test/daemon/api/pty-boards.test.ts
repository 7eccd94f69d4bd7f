// Real serial ports through the daemon: a socat pty added with POST /v1/boards is a board like a USB adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { closeSync, openSync, readSync, realpathSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { api, makeHome, openSerial, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { ptyPair, type PtyPair } from '../../helpers/socat.js';

let h: TestHome;
let d: DaemonProcess;
let pty: PtyPair;

beforeAll(async () => {
  h = makeHome();
  h.writeConfig({ virtual_boards: 0 });
  pty = await ptyPair(h.home);
  d = await spawnDaemon(h.home);
});
afterAll(async () => {
  await stopDaemon(d);
  await pty.stop();
  h.cleanup();
});

/** Reads from the test's end of the pty until `want` bytes have arrived (the pty is non-blocking only in socat). */
function readBoardEnd(fd: number, want: number): Buffer {
  const out = Buffer.alloc(want);
  let n = 0;
  while (n < want) n += readSync(fd, out, n, want - n, null);
  return out;
}

describe('a pty board through the daemon', () => {
  it('boards add → reserve by id → bytes both ways over the WebSocket → remove refused while reserved', async () => {
    const bad = await api(h.socket, 'POST', '/v1/boards', { type: 'usb-serial', path: pty.a, reset_hard: 'R1|nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/reset_hard/);

    const added = await api(h.socket, 'POST', '/v1/boards', { name: 'bench-1', type: 'usb-serial', path: pty.a });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: 'bench-1', type: 'usb-serial', state: 'available', serial: { path: pty.a } });

    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_id: 'bench-1' })).body;
    expect(s).toMatchObject({ state: 'idle', board_id: 'bench-1', board_type: 'usb-serial' });
    const ws = await openSerial(h.socket, s.id);
    const fd = openSync(pty.b, 'r+');
    try {
      const heard = readUntil(ws, (t) => t.includes('boot ok\r\n'));
      writeSync(fd, 'boot ok\r\n');
      expect(await heard).toBe('boot ok\r\n');
      ws.send(Buffer.from([0x00, 0xff, 0x41, 0x0d]));
      expect([...readBoardEnd(fd, 4)]).toEqual([0x00, 0xff, 0x41, 0x0d]);
    } finally {
      closeSync(fd);
    }

    const refused = await api(h.socket, 'DELETE', '/v1/boards/bench-1');
    expect(refused.status).toBe(409);
    ws.close();
    await once(ws, 'close');
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    const removed = await api(h.socket, 'DELETE', '/v1/boards/bench-1');
    expect(removed.status).toBe(200);
    expect((await api(h.socket, 'GET', '/v1/boards')).body.boards).toEqual([]);
    expect((await api(h.socket, 'DELETE', '/v1/boards/bench-1')).status).toBe(404);
  });

  it('a port another process holds: a clear error naming the port, and the board shown offline', async () => {
    await api(h.socket, 'POST', '/v1/boards', { name: 'held', type: 'usb-serial', path: pty.a });
    const holder = new SerialPort({ path: pty.a, baudRate: 115200, lock: true, autoOpen: false });
    await new Promise<void>((resolve, reject) => holder.open((err) => (err ? reject(err) : resolve())));
    try {
      const r = await api(h.socket, 'POST', '/v1/sessions', { board_id: 'held' });
      expect(r.status).toBe(503);
      expect(r.body.error).toContain(pty.a);
      expect(r.body.error).toMatch(/in use by another process|lock/i);
      const board = (await api(h.socket, 'GET', '/v1/boards')).body.boards.find((b: { id: string }) => b.id === 'held');
      expect(board.state).toBe('offline');
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      await api(h.socket, 'DELETE', '/v1/boards/held');
    }
  });

  it('boards add: a name from a /dev/pts path, the same device refused twice, a typo of a type refused unless meant', async () => {
    const pts = realpathSync(pty.a); // the pty itself, /dev/pts/N
    const added = await api(h.socket, 'POST', '/v1/boards', { type: 'usb-serial', path: pts });
    expect(added.status).toBe(201);
    expect(added.body.id).toBe(`pts-${pts.split('/').pop()}`);
    const twice = await api(h.socket, 'POST', '/v1/boards', { name: 'again', type: 'usb-serial', path: pts });
    expect(twice.status).toBe(400);
    expect(twice.body.error).toContain(`${pts} is already the board '${added.body.id}'`);
    const typo = await api(h.socket, 'POST', '/v1/boards', { name: 'other', type: 'usb-serail', path: pty.b });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toContain("board type 'usb-serail' is not one this host knows (did you mean usb-serial?)");
    const newline = await api(h.socket, 'POST', '/v1/boards', { name: 'nl', type: 'usb-serial', path: `${pty.b}\nx` });
    expect(newline.status).toBe(400);
    expect(newline.body.error).toContain('must not contain control characters');
    const meant = await api(h.socket, 'POST', '/v1/boards', { name: 'nrf', type: 'nrf52', path: pty.b, new_type: true });
    expect(meant.status).toBe(201);
    expect(meant.body.type).toBe('nrf52');
    for (const name of [added.body.id, 'nrf']) expect((await api(h.socket, 'DELETE', `/v1/boards/${name}`)).status).toBe(200);
  });
});
