import { connect } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import type { Session } from '../../../src/transport/protocol/api.js';
import { startBridge, type RunningBridge } from '../../../src/cli/services/serial-bridge.js';
import { createSession, endSession } from '../../../src/cli/services/sessions.js';
import { PTY_LIMITS } from '../../../src/cli/bridge/pty-bridge.js';
import { CONTROL, CPO, DONT, IAC, SB, SE, WONT } from '../../../src/transport/rfc2217/telnet-codes.js';
import { inProcessDaemon, type InProcessDaemon } from '../../helpers/in-process-daemon.js';
import { rfc2217Connect, type Rfc2217TestClient } from '../../helpers/rfc2217-client.js';

let d: InProcessDaemon;
let session: Session;
let bridge: RunningBridge | undefined;
let client: Rfc2217TestClient | undefined;
let logs: string[];

beforeEach(async () => {
  d = await inProcessDaemon();
  session = await createSession(d.client, { board_type: 'virtual', idle_timeout_s: 300 }, { waitMs: null });
  logs = [];
});
afterEach(async () => {
  await client?.close();
  await bridge?.close();
  client = bridge = undefined;
  await d.stop();
});

async function rfc2217(): Promise<Rfc2217TestClient> {
  bridge = await startBridge(session, { rfc2217: { host: '127.0.0.1', port: 0 } }, { log: (line) => logs.push(line) });
  if (!('url' in bridge.endpoint)) throw new Error('no url');
  expect(bridge.endpoint.url).toMatch(/^rfc2217:\/\/127\.0\.0\.1:\d+$/);
  return (client = await rfc2217Connect(bridge.endpoint.url));
}

/** The virtual board behind the session (board ids are virtual-N). */
const device = () => d.daemon.boards.virtualDevice(session.board_id!)!;

/** Resolves with the board's next `count` pin changes (the device is watched, not polled). */
function pinChanges(count: number) {
  const dev = device();
  const seen: typeof dev.pinHistory = [];
  return new Promise<typeof seen>((resolve) => {
    const setPins = dev.setPins.bind(dev);
    dev.setPins = (pins) => {
      const last = dev.pinHistory.at(-1);
      setPins(pins);
      if (dev.pinHistory.at(-1) !== last) seen.push(dev.pinHistory.at(-1)!);
      if (seen.length < count) return;
      dev.setPins = setPins;
      resolve(seen);
    };
  });
}

/** esptool's ClassicReset as SET-CONTROL commands, sent without waiting for answers; the times sent and the pins seen. */
async function classicReset(c: Rfc2217TestClient) {
  const sent: number[] = [];
  const set = (v: number) => {
    sent.push(Date.now());
    c.cpo(CPO.SET_CONTROL, v);
  };
  const changed = pinChanges(4);
  const from = c.data().length;
  set(CONTROL.DTR_OFF); // IO0 high
  set(CONTROL.RTS_ON); // EN low
  await sleep(100);
  set(CONTROL.DTR_ON); // IO0 low…
  set(CONTROL.RTS_OFF); // …EN high: the chip samples IO0 a few ms later
  await sleep(50);
  set(CONTROL.DTR_OFF);
  await c.expect(/waiting for download/, from);
  return { sent, pins: await changed };
}

describe('serial bridge over RFC 2217, against a real daemon and a virtual board', () => {
  it('carries bytes both ways, 0xFF included, and the baud rate reaches the board', async () => {
    const c = await rfc2217();
    c.write('help\r');
    await c.expect(/flood N/);
    const from = c.data().length;
    c.write(Buffer.from('echo \xff\xfe\xff\r', 'latin1')); // the shell echoes what is typed byte for byte
    await c.expect(/echo \xff\xfe\xff\r\n/, from);
    c.baud(921600);
    await c.until(() => c.answers.some((a) => a[0] === CPO.SET_BAUDRATE + 100), 'the baud answer');
    expect(c.answers.find((a) => a[0] === CPO.SET_BAUDRATE + 100)).toEqual([101, 0x00, 0x0e, 0x10, 0x00]);
    const at = c.data().length;
    c.write('info\r');
    expect(await c.expect(/baud: \d+/, at)).toBe('baud: 921600');
  });

  it('refuses a second client with a sentence and keeps serving the first', async () => {
    const c = await rfc2217();
    const url = new URL((bridge!.endpoint as { url: string }).url.replace('rfc2217:', 'http:'));
    const second = connect({ host: url.hostname, port: Number(url.port) });
    let text = '';
    second.setEncoding('latin1').on('data', (s: string) => (text += s));
    await once(second, 'close');
    expect(text).toMatch(/in use by another client .*one client at a time/);
    expect(logs.some((l) => /^refused 127\.0\.0\.1:\d+: .* is using the board/.test(l))).toBe(true);
    c.write('echo still here\r');
    await c.expect(/\r\nstill here\r\n/);
  });

  it('lets the next client in once the first has left, even when it reconnects before the close is read', async () => {
    const c = await rfc2217();
    c.socket.destroy(); // and straight away a new connection, as pyserial reopening a port does
    client = await rfc2217Connect((bridge!.endpoint as { url: string }).url);
    client.write('echo again\r');
    await client.expect(/\r\nagain\r\n/);
  });

  it('survives garbage Telnet sequences and refuses unknown options, with the stream intact', async () => {
    const c = await rfc2217();
    c.raw(Buffer.of(IAC, SE, IAC, 7, IAC, SB, 44, 5, IAC, 0xfd, 99)); // stray SE, IAC 7, an SB cut short by DO 99
    c.raw(Buffer.of(IAC, 0xfb, 77)); // WILL 77
    c.raw(Buffer.of(IAC, SB, 24, 1, 2, 3, IAC, SE)); // a subnegotiation for an option never agreed
    c.write('echo intact\r');
    await c.expect(/\r\nintact\r\n/);
    expect(c.negotiations).toContainEqual([WONT, 99]);
    expect(c.negotiations).toContainEqual([DONT, 77]);
    expect(logs.filter((l) => l.startsWith('ignored a malformed Telnet sequence'))).toHaveLength(3);
  });

  it("delivers esptool's classic bootloader reset with its timing: each interval at the board within ±5 ms", async () => {
    const c = await rfc2217();
    // The daemon is busy for a few ms after a serial WebSocket attaches (the bridge's, just now); one answered line
    // first, so what is timed is the bridge and not that.
    c.write('echo warm\r');
    await c.expect(/\r\nwarm\r\n/);
    // On a loaded machine a whole process can stall for longer than the tolerance; the bridge has to make it at least
    // once in three tries, and every try must put the chip in download mode.
    const errors: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const { sent, pins } = await classicReset(c);
      // D0: EN low; D1 (RTS still on): EN and IO0 high; R0: IO0 low; D0: IO0 high.
      expect(pins.map(({ en, io0 }) => [en, io0])).toEqual([[false, true], [true, true], [true, false], [true, true]]);
      expect(pins[2]!.at - pins[1]!.at).toBeLessThan(5); // within the EN pin's RC delay: the chip saw IO0 low
      expect(device().state).toBe('download');
      const heldInReset = pins[1]!.at - pins[0]!.at - (sent[2]! - sent[0]!);
      const io0Held = pins[3]!.at - pins[2]!.at - (sent[4]! - sent[3]!);
      errors.push(Math.max(Math.abs(heldInReset), Math.abs(io0Held)));
      if (errors.at(-1)! <= 5) break;
    }
    expect(Math.min(...errors)).toBeLessThanOrEqual(5);
    expect(logs.some((l) => l.includes('host ran'))).toBe(false);
  });

  it("repairs the same reset sent at pyserial's pace (an answer awaited per step): the host runs the board's", async () => {
    const c = await rfc2217();
    let answered = 0;
    const step = async (v: number) => {
      c.cpo(CPO.SET_CONTROL, v);
      const want = ++answered;
      await c.until(() => c.answers.filter((a) => a[0] === CPO.SET_CONTROL + 100).length >= want, 'the answer');
      await sleep(50); // pyserial polls for the answer every 50 ms
    };
    for (const v of [CONTROL.DTR_OFF, CONTROL.RTS_ON, CONTROL.DTR_OFF]) await step(v);
    await sleep(100);
    for (const v of [CONTROL.DTR_ON, CONTROL.RTS_OFF, CONTROL.DTR_ON]) await step(v);
    await sleep(50);
    await step(CONTROL.DTR_OFF);
    await c.expect(/boot:0x0 \(DOWNLOAD/);
    expect(device().state).toBe('download');
    expect(logs.filter((l) => l.includes('the host ran the board'))).toHaveLength(1);
  });

  it('ends when the session ends, with the final session', async () => {
    await rfc2217();
    await endSession(d.client, session.id);
    const end = await bridge!.ended;
    expect(end.kind).toBe('ended');
    expect(end.kind === 'ended' && end.session.end_reason).toBe('user_ended');
  });
});

describe('serial bridge on a pty (socat)', () => {
  it('serves the board at PATH to a program that opens it as a serial port, and says what cannot cross', async () => {
    const path = `${d.home}/board`;
    bridge = await startBridge(session, { pty: path }, { log: (line) => logs.push(line) });
    expect(bridge.endpoint).toEqual({ pty: path });
    expect(logs).toContain(PTY_LIMITS);
    const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    let seen = '';
    const answered = new Promise<void>((resolve) =>
      port.on('data', (chunk: Buffer) => {
        seen += chunk.toString('latin1');
        if (seen.includes('flood N')) resolve();
      }),
    );
    port.write('help\r');
    await answered;
    await new Promise<void>((resolve) => port.close(() => resolve()));
    await bridge.close();
    bridge = undefined;
    await expect(import('node:fs').then((fs) => fs.promises.lstat(path))).rejects.toThrow(/ENOENT/); // socat removed its link
  });
});
