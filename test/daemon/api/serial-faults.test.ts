// Faults on the serial line: a port that vanishes mid-write, oversized and garbage frames, a bad baud rate.
import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { api, makeHome, nextEvent, openSerial, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { ptyPair, type PtyPair } from '../../helpers/socat.js';

let h: TestHome;
let d: DaemonProcess;
let pty: PtyPair | null = null;
afterEach(async () => {
  await stopDaemon(d);
  await pty?.stop();
  pty = null;
  h.cleanup();
});

describe('serial faults', () => {
  it('a pty board that vanishes while a client writes: the daemon keeps running and the session ends board_lost after the grace', async () => {
    h = makeHome();
    h.writeConfig({ virtual_boards: 0, board_grace_s: 1 });
    pty = await ptyPair(h.home);
    d = await spawnDaemon(h.home);
    expect((await api(h.socket, 'POST', '/v1/boards', { name: 'flaky', type: 'usb-serial', path: pty.a })).status).toBe(201);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_id: 'flaky' })).body;
    const ws = await openSerial(h.socket, s.id);
    const ended = nextEvent(h.socket, (t) => t === 'ended', `?session=${s.id}`);
    await ended.ready;
    const chunk = Buffer.alloc(64 * 1024, 0x55);
    for (let i = 0; i < 8; i++) ws.send(chunk);
    await pty.stop(); // the adapter is yanked with writes in flight
    for (let i = 0; i < 8; i++) ws.send(chunk);
    expect((await ended.event).data.reason).toBe('board_lost');
    await once(ws, 'close');
    expect((await api(h.socket, 'GET', '/v1/health')).status).toBe(200);
  });

  it('a frame over 1 MiB closes that client (1009); garbage control frames get an error; a bad baud rate is refused; the daemon carries on', async () => {
    h = makeHome();
    d = await spawnDaemon(h.home);
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const big = await openSerial(h.socket, s.id);
    const closed = once(big, 'close');
    big.send(Buffer.alloc(2 * 1024 * 1024, 1));
    const [code] = (await closed) as [number];
    expect(code).toBe(1009);

    const ws = await openSerial(h.socket, s.id);
    const texts: any[] = [];
    ws.on('message', (data, isBinary) => {
      if (!isBinary) texts.push(JSON.parse(data.toString()));
    });
    const errorsArrived = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (texts.filter((m) => m.type === 'error').length >= n ? resolve() : ws.once('message', check));
        check();
      });
    ws.send('{"type":"reboot"}');
    ws.send('not json at all \u0000\u00ff');
    ws.send(JSON.stringify({ type: 'baud', rate: 12345 }));
    await errorsArrived(3);
    const errors = texts.filter((m) => m.type === 'error');
    expect(errors.slice(0, 2).map((e) => e.code)).toEqual(['invalid_request', 'invalid_request']);
    expect(errors[2]).toMatchObject({ code: 'invalid_request', error: expect.stringMatching(/12345/) });
    ws.send(Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    ws.send(Buffer.from('\recho alive\r'));
    await readUntil(ws, (t) => /alive[\s\S]*alive/.test(t));
    ws.close();
    expect((await api(h.socket, 'GET', '/v1/health')).status).toBe(200);
  });
});
