import { EventEmitter, once } from 'node:events';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { runPipe } from '../../../src/cli/console/pipe.js';
import type { Session } from '../../../src/transport/protocol/api.js';
import { EXIT } from '../../../src/transport/protocol/errors.js';
import { startFakeSerialDaemon, type FakeSerialDaemon, type ServerSide } from '../helpers/fake-serial-daemon.js';

let fake: FakeSerialDaemon | null = null;
afterEach(async () => {
  await fake?.close().catch(() => undefined);
  fake = null;
});

async function start(overrides: Partial<Session> = {}, extra: { outputClosed?: Promise<void>; signal?: AbortSignal } = {}) {
  fake = await startFakeSerialDaemon({ state: 'active', ...overrides });
  const input = new PassThrough();
  const out: Buffer[] = [];
  const wrote = new EventEmitter();
  const warnings: string[] = [];
  const server = fake.nextClient();
  const running = runPipe({
    client: new DaemonClient({ socketPath: join(fake.home, 'fbayd.sock') }),
    session: fake.session,
    since: 5,
    input,
    sink: (chunk) => {
      out.push(Buffer.from(chunk));
      wrote.emit('data');
    },
    warn: (line) => warnings.push(line),
    ...extra,
  });
  running.catch(() => undefined);
  /** Waits until `n` bytes have reached stdout. */
  const output = async (n: number) => {
    while (Buffer.concat(out).length < n) await once(wrote, 'data');
    return Buffer.concat(out);
  };
  return { input, out, output, warnings, running, side: await server, session: fake.session };
}

async function received(side: ServerSide, n: number): Promise<Buffer> {
  while (side.bytes.length < n) await once(side.ws, 'message');
  return side.bytes;
}

describe('fbay console as a byte pipe (not a terminal)', () => {
  it('copies stdin to the board and the board to stdout exactly; the end of stdin ends nothing', async () => {
    const { input, out, running, side, session } = await start();
    expect(side.url).toBe(`/v1/sessions/${session.id}/serial?since=5`);
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    input.write(bytes);
    input.end();
    expect((await received(side, 256)).equals(bytes)).toBe(true);
    side.data(bytes);
    side.control({ type: 'ended', reason: 'user_ended', session: { ...session, state: 'ended', end_reason: 'user_ended', credits_used: 2 } });
    side.ws.close(1000);
    expect(await running).toBe(`Session ${session.id} ended (user_ended): it was ended; 2 credits used.`);
    expect(Buffer.concat(out).equals(bytes)).toBe(true);
  });

  it('delivers 100 KB from stdin in order', async () => {
    const { input, running, side } = await start();
    const paste = Buffer.alloc(100 * 1024);
    for (let i = 0; i < paste.length; i++) paste[i] = i % 251;
    for (let at = 0; at < paste.length; at += 1000) input.write(paste.subarray(at, at + 1000));
    expect((await received(side, paste.length)).equals(paste)).toBe(true);
    side.control({ type: 'ended', reason: 'user_ended', session: { ...fake!.session, state: 'ended', end_reason: 'user_ended' } });
    side.ws.close(1000);
    await running;
  });

  it('warns on stderr about lost bytes and reconnects, resuming after the last byte written', async () => {
    const { output, warnings, running, side, session } = await start();
    side.control({ type: 'gap', lost_bytes: 3 });
    side.data('abc');
    expect((await output(3)).toString()).toBe('abc');
    const again = fake!.nextClient();
    side.ws.terminate();
    const second = await again;
    expect(second.url).toBe(`/v1/sessions/${session.id}/serial?since=11`);
    second.control({ type: 'ended', reason: 'max_duration', session: { ...session, state: 'ended', end_reason: 'max_duration' } });
    second.ws.close(1000);
    await expect(running).rejects.toMatchObject({ exit: EXIT.limit });
    expect(warnings).toEqual([
      '3 bytes of output were lost here (this reader fell behind).',
      expect.stringMatching(/^lost the daemon; reconnecting for up to 30s/),
      'reconnected; output resumes where it stopped.',
    ]);
  });

  it('tells on stderr what the status line would show: a board away and back, credits low, a host link reconnecting', async () => {
    const { warnings, running, side, session } = await start();
    const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
    side.control({ type: 'state', ...session, board_missing_since: at(0), grace_deadline: at(5) });
    side.control({ type: 'state', ...session });
    side.control({ type: 'warning', kind: 'credits_low', at: at(60), seconds_left: 60 });
    side.control({ type: 'warning', kind: 'idle_warning', at: at(10), seconds_left: 10 });
    side.control({ type: 'state', ...session, host: 'lab', link: { state: 'reconnecting', deadline: at(20) } });
    side.control({ type: 'state', ...session, host: 'lab', link: { state: 'open', deadline: null } });
    side.control({ type: 'ended', reason: 'user_ended', session: { ...session, state: 'ended', end_reason: 'user_ended' } });
    side.ws.close(1000);
    await running;
    expect(warnings).toEqual([
      `session ${session.id}: the board went away (unplugged or re-enumerating); it keeps the board for 5s.`,
      `session ${session.id}: the board is back.`,
      `session ${session.id}: credits are running low: the session ends (credits_exhausted) in 60s.`,
      `session ${session.id}: no client is attached: the session ends (idle_timeout) in 10s.`,
      `session ${session.id}: the daemon lost its line to lab; it reconnects for up to 20s.`,
      `session ${session.id}: the line to lab is back.`,
    ]);
  });

  it('exits 3 when the daemon stays away past the idle window', async () => {
    const { running } = await start({ idle_timeout_s: 1 });
    await fake!.close();
    fake = null;
    await expect(running).rejects.toMatchObject({ exit: EXIT.daemon_unavailable });
  });

  it('Ctrl-C (the signal) exits 130; a reader that goes away ends it quietly', async () => {
    const abort = new AbortController();
    const first = await start({}, { signal: abort.signal });
    first.input.write('x');
    await received(first.side, 1); // connected: an abort during the connect is the connect's own failure
    abort.abort();
    await expect(first.running).rejects.toMatchObject({ exit: EXIT.interrupted });
    expect(await first.side.closed).toBe(1000);
    await fake!.close();
    let closeOutput!: () => void;
    const second = await start({}, { outputClosed: new Promise((resolve) => (closeOutput = resolve)) });
    second.input.write('x');
    await received(second.side, 1);
    closeOutput();
    expect(await second.running).toBe('');
  });
});
