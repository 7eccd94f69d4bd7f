import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { runTui } from '../../../src/cli/console/tui.js';
import type { Session } from '../../../src/transport/protocol/api.js';
import { EXIT } from '../../../src/transport/protocol/errors.js';
import { startFakeSerialDaemon, type FakeSerialDaemon, type ServerSide } from '../helpers/fake-serial-daemon.js';
import { FakeTerminal } from './fake-terminal.js';

const CTRL_T = '\x14';
const QUIT = '\x1d';

/** Tells when the console has ended the session through the API. */
class SpyClient extends DaemonClient {
  #deleted!: (path: string) => void;
  readonly deleted = new Promise<string>((resolve) => (this.#deleted = resolve));

  override async delete<T>(path: string): Promise<T> {
    const reply = await super.delete<T>(path);
    this.#deleted(path);
    return reply;
  }
}

let fake: FakeSerialDaemon | null = null;
let logDir: string | null = null;
afterEach(async () => {
  await fake?.close().catch(() => undefined);
  fake = null;
  if (logDir) rmSync(logDir, { recursive: true, force: true });
  logDir = null;
});

async function start(overrides: Partial<Session> = {}, columns = 160, rows = 20) {
  fake = await startFakeSerialDaemon({ state: 'active', idle_deadline: null, ...overrides });
  const terminal = new FakeTerminal(columns, rows);
  const client = new SpyClient({ socketPath: join(fake.home, 'fbayd.sock') });
  const server = fake.nextClient();
  logDir = mkdtempSync('/tmp/fbay-log-');
  const running = runTui({ terminal, client, session: fake.session, since: 0, paintEveryMs: 0, logDir });
  running.catch(() => undefined); // asserted by each test
  const side = await server;
  await terminal.until(() => terminal.status.includes(fake!.session.id) && terminal.status.includes('active'));
  return { terminal, side, running, session: fake.session, client };
}

/** Waits until the daemon's side has received at least `n` bytes from the console. */
async function received(side: ServerSide, n: number): Promise<Buffer> {
  while (side.bytes.length < n) await once(side.ws, 'message');
  return side.bytes;
}

async function nextText(side: ServerSide): Promise<unknown> {
  while (side.texts.length === 0) await once(side.ws, 'message');
  return JSON.parse(side.texts.shift()!);
}

describe('the console TUI', () => {
  it('sends typing byte for byte (Ctrl-C too), shows output exactly, keeps the status line at the bottom; Ctrl-] leaves', async () => {
    const { terminal, side, running, session } = await start();
    expect(side.url).toBe(`/v1/sessions/${session.id}/serial?since=0`);
    terminal.type('help\r\x03\x1b[A');
    expect((await received(side, 8)).toString('latin1')).toBe('help\r\x03\x1b[A');
    // Colours and bytes that are not UTF-8 go to the terminal as they came.
    const output = Buffer.from([0x1b, 0x5b, 0x33, 0x32, 0x6d, 0x4f, 0x4b, 0x1b, 0x5b, 0x30, 0x6d, 0xc3, 0x28, 0xff, 0x0d, 0x0a]);
    side.data(output);
    side.data(Buffer.from('fbay> '));
    await terminal.until(() => terminal.written.some((w) => w.equals(output)));
    await terminal.until(() => terminal.vt.lines.some((l) => l.startsWith('fbay>')));
    expect(terminal.status).toContain('virtual-1');
    terminal.type(QUIT);
    const message = await running;
    expect(message).toMatch(new RegExp(`^Left session ${session.id}; it stays reserved`));
    expect(terminal.raw).toBe(false);
    expect(await side.closed).toBe(1000);
    // The terminal is given back: the panel erased, no scroll region left behind.
    expect(terminal.vt.lines.some((l) => l.includes(session.id))).toBe(false);
  });

  it('Ctrl-T ? opens the help above the status line; the next key closes it and is not sent', async () => {
    const { terminal, side, running } = await start();
    terminal.type(`${CTRL_T}?`);
    await terminal.until(() => terminal.vt.lines.some((l) => l.includes('press Ctrl-T, then:')));
    expect(terminal.vt.lines.some((l) => /q\s+quit; the session stays reserved/.test(l))).toBe(true);
    terminal.type('x');
    await terminal.until(() => !terminal.vt.lines.some((l) => l.includes('press Ctrl-T, then:')));
    terminal.type('y');
    expect((await received(side, 1)).toString()).toBe('y');
    terminal.type(QUIT);
    await running;
  });

  it('Ctrl-T r, b, k and B send reset, bootloader, break and baud as control messages', async () => {
    const { terminal, side, running } = await start();
    terminal.type(`${CTRL_T}r`);
    expect(await nextText(side)).toEqual({ type: 'reset', mode: 'hard' });
    terminal.type(`${CTRL_T}b`);
    expect(await nextText(side)).toEqual({ type: 'reset', mode: 'bootloader' });
    terminal.type(`${CTRL_T}k`);
    expect(await nextText(side)).toEqual({ type: 'break' });
    terminal.type(`${CTRL_T}B`);
    await terminal.until(() => terminal.vt.lines.some((l) => l.includes('Baud rate:')));
    terminal.type('921600\r');
    expect(await nextText(side)).toEqual({ type: 'baud', rate: 921600 });
    await terminal.until(() => terminal.status.includes('921600 CR'));
    expect(side.bytes.length).toBe(0); // none of it reached the board as bytes
    terminal.type(QUIT);
    await running;
  });

  it('hex view shows output bytes exactly; n changes what Enter sends; E echoes typing locally', async () => {
    const { terminal, side, running } = await start();
    terminal.type(`${CTRL_T}h`);
    await terminal.until(() => terminal.status.includes('HEX'));
    side.data(Buffer.from([0xc3, 0x28, 0xff, 0x41]));
    await terminal.until(() => terminal.vt.lines.some((l) => l.startsWith('00000000  c3 28 ff 41')));
    terminal.type(`${CTRL_T}n${CTRL_T}E`);
    await terminal.until(() => terminal.status.includes('LF HEX ECHO'));
    terminal.type('ok\r');
    expect((await received(side, 3)).toString('latin1')).toBe('ok\n');
    terminal.type(QUIT);
    await running;
  });

  it('l logs output to a file, byte for byte', async () => {
    const { terminal, side, running } = await start();
    terminal.type(`${CTRL_T}l`);
    await terminal.until(() => terminal.status.includes(`logging to ${logDir}/fbay-`));
    side.data(Buffer.from([0x00, 0xff, 0x0d, 0x0a]));
    await terminal.until(() => terminal.written.some((w) => w.length === 4 && w[1] === 0xff));
    terminal.type(`${CTRL_T}l`);
    await terminal.until(() => terminal.status.includes('stopped logging to'));
    terminal.type(QUIT);
    await running;
    const [file] = readdirSync(logDir!);
    expect(file).toMatch(/^fbay-ses_a+-\d{8}-\d{6}\.log$/);
    expect(readFileSync(join(logDir!, file!))).toEqual(Buffer.from([0x00, 0xff, 0x0d, 0x0a]));
  });

  it('Ctrl-T e asks first; y ends the session and the console exits 0 with the reason and final credits', async () => {
    const { terminal, side, running, session, client } = await start();
    terminal.type(`${CTRL_T}e`);
    await terminal.until(() => terminal.vt.lines.some((l) => l.includes(`End session ${session.id}?`)));
    terminal.type('n');
    await terminal.until(() => terminal.status.includes('the session goes on'));
    expect(fake!.requests.some((r) => r.startsWith('DELETE'))).toBe(false);
    terminal.type(`${CTRL_T}e`);
    terminal.type('y');
    expect(await client.deleted).toBe(`/v1/sessions/${session.id}`);
    side.control({ type: 'ended', reason: 'user_ended', session: { ...session, state: 'ended', end_reason: 'user_ended', credits_used: 3.5 } });
    side.ws.close(1000, 'session ended');
    expect(await running).toBe(`Session ${session.id} ended (user_ended): it was ended; 3.5 credits used.`);
  });

  it('a session that runs out of credits ends the console with exit 6 and says why', async () => {
    const { side, running, session } = await start();
    side.control({ type: 'warning', kind: 'credits_low', at: new Date(Date.now() + 60_000).toISOString(), seconds_left: 60 });
    side.control({ type: 'ended', reason: 'credits_exhausted', session: { ...session, state: 'ended', end_reason: 'credits_exhausted', credits_used: 20 } });
    side.ws.close(1000, 'session ended');
    await expect(running).rejects.toMatchObject({ exit: EXIT.payment, message: expect.stringContaining('ran out of credits; 20 credits used') });
  });

  it('shows the credits_low warning in the status line', async () => {
    const { terminal, side, running } = await start();
    side.control({ type: 'warning', kind: 'credits_low', at: new Date(Date.now() + 60_000).toISOString(), seconds_left: 60 });
    await terminal.until(() => terminal.status.includes('⚠ credits low: out in'));
    terminal.type(QUIT);
    await running;
  });

  it('after a drop, says reconnecting, holds typing, and resumes from the last byte it showed', async () => {
    const { terminal, side, running, session } = await start();
    side.data('0123456789');
    await terminal.until(() => terminal.vt.lines.some((l) => l.startsWith('0123456789')));
    const again = fake!.nextClient();
    side.ws.terminate();
    const second = await again;
    expect(second.url).toBe(`/v1/sessions/${session.id}/serial?since=10`);
    terminal.type('after');
    expect((await received(second, 5)).toString()).toBe('after');
    terminal.type(QUIT);
    await running;
  });

  it('when the daemon stops under it, says reconnecting, then exits 3 once the idle window has passed', async () => {
    const { terminal, running } = await start({ idle_timeout_s: 1 });
    const closing = fake!.close();
    await terminal.until(() => terminal.status.includes('reconnecting…'));
    terminal.type('held while away');
    await closing;
    fake = null;
    await expect(running).rejects.toMatchObject({ exit: EXIT.daemon_unavailable, message: expect.stringContaining('did not come back within 1s') });
    expect(terminal.raw).toBe(false);
  });

  it('delivers a 100 KB paste in order, and stops reading the terminal while too much waits', async () => {
    const { terminal, side, running } = await start();
    const paste = Buffer.alloc(100 * 1024);
    for (let i = 0; i < paste.length; i++) paste[i] = 0x20 + (i % 90);
    for (let at = 0; at < paste.length; at += 4096) terminal.type(paste.subarray(at, at + 4096));
    expect((await received(side, paste.length)).equals(paste)).toBe(true);
    expect(terminal.paused).toBe(false);
    terminal.type(QUIT);
    await running;
  });

  it('redraws the status line at the new bottom and width after a resize, cut to fit', async () => {
    const { terminal, side, running, session } = await start();
    side.data('line\r\n');
    terminal.resize(60, 8);
    const short = `${session.id.slice(0, 7)}…${session.id.slice(-2)}`;
    await terminal.until(() => terminal.vt.row(7) === ` ${short} │ virtual-1 │ ● active │ ^T ? help`);
    terminal.resize(30, 6);
    // Narrower than the line: the state stays, the rest is dropped or cut, and nothing wraps into the output.
    await terminal.until(() => terminal.vt.row(5) === ` ${short} │ ● active`);
    expect(terminal.vt.lines.every((l) => [...l].length <= 30)).toBe(true);
    side.data('more\r\n');
    await terminal.until(() => terminal.vt.lines.includes('more'));
    expect(terminal.vt.row(5)).toBe(` ${short} │ ● active`);
    expect(terminal.everything).not.toContain(session.id.slice(0, 20) + '\n'); // no wrapped remnant of the old line
    terminal.type(QUIT);
    await running;
  });
});
