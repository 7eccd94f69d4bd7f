// The BUILT `fbay flash` when the flash cannot happen: an image bigger than the flash (the API's 413), a board that
// never answers esptool's sync (a pty with nothing behind it), the port yanked mid-write. Each time the exit code
// says what failed, the error says what to do, and the session is not left flashing.
import { closeSync, openSync, readSync, truncateSync, writeSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Board, Session } from '../../src/transport/protocol/api.js';
import { EXIT } from '../../src/transport/protocol/errors.js';
import { buildAppImage } from '../../src/daemon/flash/image-builder.js';
import { ptyPair, type PtyPair } from '../helpers/socat.js';
import { assertBuilt, Home, jsonLineUntil, jsonLines } from './helpers.js';

const MIB = 1024 * 1024;

beforeAll(assertBuilt);
let home: Home;
let pty: PtyPair | null = null;
beforeEach(() => void (home = new Home()));
afterEach(async () => {
  await pty?.stop();
  pty = null;
  await home.cleanup();
});

const app = (name: string, size = 64 * 1024) => home.file(`${name}.bin`, buildAppImage({ projectName: name, version: '1.0.0', size }));
const show = (id: string) => home.json<Session>('session', 'show', id);
const boards = async () => (await home.json<{ boards: Board[] }>('boards')).boards;

/** The session's console works: a line typed with `serial send` comes back from the board's echo shell. */
async function echoes(id: string, word: string): Promise<void> {
  const sent = await home.json<{ offset: number }>('serial', 'send', id, `echo ${word}`);
  const seen = await home.fbay('serial', 'expect', id, `\\r\\n${word}\\r\\n`, '--since', String(sent.offset), '--timeout', '10s');
  expect(seen.exitCode, seen.stderr).toBe(0);
}

describe('fbay flash refusals and failures, end to end', () => {
  it('a 100 MiB image: exit 2 with the 413 as a sentence naming the flash size; nothing written, nothing held, the console works', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const huge = home.file('huge.bin', '');
    truncateSync(huge, 100 * MIB);
    const printed = async () => Buffer.byteLength((await home.fbay('serial', 'cat', session.id)).stdout);
    const before = await printed();
    const r = await home.fbay('flash', session.id, huge);
    expect(r.exitCode).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^error: That upload is 100 MiB, larger than the board's 8 MiB flash, so it was refused before it was read\. Check that it is the right file/m);
    expect(r.stdout).toBe('');
    // The board was never touched (no reset into download mode, no job), and nothing is held for a flash.
    expect(await printed()).toBe(before);
    expect((await home.fbay('flash', '--status', session.id)).exitCode).toBe(EXIT.not_found);
    expect((await show(session.id)).state).toBe('idle');
    expect((await boards()).map((b) => [b.id, b.state])).toEqual([
      ['virtual-1', 'reserved'],
      ['virtual-2', 'available'],
    ]);
    await echoes(session.id, 'still-here');
    const next = await home.fbay('flash', session.id, app('right-size'));
    expect(next.exitCode, next.stderr).toBe(0);
  });

  it('a board that never answers sync: exit 8 within esptool\'s bounds, saying what to check; the session is idle and its port works', async () => {
    home.config({ virtual_boards: 0 });
    pty = await ptyPair(home.dir);
    expect((await home.fbay('boards', 'add', '--type', 'esp32-s3', '--path', pty.a, '--name', 'ghost')).exitCode).toBe(0);
    const session = await home.json<Session>('session', 'create', '--board-id', 'ghost', '--idle-timeout', '2m');
    const r = await home.fbay('flash', session.id, app('unheard'));
    expect(r.exitCode, r.stderr).toBe(EXIT.timeout);
    expect(r.stderr).toMatch(/^error: The board on .*ttyA did not answer esptool's sync in 7 attempts\. It printed nothing fbay recognised: is it an ESP32 board, powered, not held in reset, and is this its UART\?/m);
    expect(r.stderr).toContain('The board printed nothing.');
    expect(r.stderr).toMatch(/^hint: Check that the board is an ESP32-S3 and is not held in reset; `fbay reset --bootloader` shows what it prints\.$/m);
    expect(r.stderr).toMatch(/^No sync on attempt 7 of 7\.$/m); // the log as it went, before the error
    const job = await home.json<{ seconds: number }>('flash', '--status', session.id);
    expect(job).toMatchObject({ state: 'failed', failure: 'no_sync', phase: 'connecting', written: 0 });
    // esptool's bounds: 7 × (reset + 5 × (100 ms sync + 50 ms pause)) ≈ 6–7 s on the host.
    expect(job.seconds).toBeGreaterThan(4);
    expect(job.seconds).toBeLessThan(12);
    expect((await show(session.id)).state).toBe('idle');
    // The port went back to the relay: bytes both ways (after the sync attempts socat kept for the board's end).
    const fd = openSync(pty.b, 'r+');
    try {
      const sent = await home.json<{ offset: number }>('serial', 'send', session.id, 'ping');
      let got = '';
      const chunk = Buffer.alloc(4096);
      while (!got.endsWith('ping\r')) got += chunk.toString('latin1', 0, readSync(fd, chunk, 0, chunk.length, null));
      expect(got.startsWith('\xc0\x00\x08')).toBe(true); // a SLIP-framed SYNC request: fbay did try
      writeSync(fd, 'pong\r\n');
      expect((await home.fbay('serial', 'expect', session.id, 'pong', '--since', String(sent.offset), '--timeout', '10s')).exitCode).toBe(0);
    } finally {
      closeSync(fd);
    }
  }, 30_000);

  it('the port yanked mid-write and not back within the grace: exit 1 saying where and that the board may not boot; the session ends, not flashing', async () => {
    home.config({ virtual_boards: 1, board_grace_s: 1, virtual_pace: true });
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const flashing = home.start('--json', 'flash', session.id, app('yanked', 256 * 1024));
    await jsonLineUntil(flashing.stdout, (e) => e.phase === 'writing' && e.written > 0);
    expect((await home.fbay('config', 'set', 'virtual_boards', '0')).exitCode).toBe(0); // unplugged
    const r = await flashing;
    expect(r.exitCode, r.stderr).toBe(EXIT.error);
    expect(r.stderr).toMatch(/^error: The session ended while its board was away during the flash \(at 0x[0-9a-f]+\); the board may not boot until it is flashed again\.$/m);
    expect(r.stderr).toContain(`hint: The session is over: reserve the board again (\`fbay session create\`) and flash it there; the job's log is in \`fbay --json flash --status ${session.id}\`.`);
    const lines = jsonLines(r.stdout);
    expect(lines.some((e) => /^The board's port went away at 0x[0-9a-f]+; waiting up to \d+ s for it to come back\.$/.test(e.line ?? ''))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ state: 'failed' });
    const after = await show(session.id);
    expect(after).toMatchObject({ state: 'ended', end_reason: 'board_lost' });
    expect(await home.json('flash', '--status', session.id)).toMatchObject({ state: 'failed', failure: 'session_ended' });
    // Plugged in again, the board is free for the next session.
    expect((await home.fbay('config', 'set', 'virtual_boards', '1')).exitCode).toBe(0);
    const next = await home.json<Session>('session', 'create', '--board', 'virtual', '--wait', '10s');
    expect(next.board_id).toBe('virtual-1');
  }, 30_000);

  it('the port yanked mid-write and back within the grace: the flash carries on where it stopped and succeeds; the session is idle', async () => {
    home.config({ virtual_boards: 1, board_grace_s: 10, virtual_pace: true });
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const flashing = home.start('--json', 'flash', session.id, app('bounced', 256 * 1024));
    await jsonLineUntil(flashing.stdout, (e) => e.phase === 'writing' && e.written > 0);
    const away = jsonLineUntil(flashing.stdout, (e) => /^The board's port went away/.test(e.line ?? ''));
    expect((await home.fbay('config', 'set', 'virtual_boards', '0')).exitCode).toBe(0);
    await away;
    expect((await home.fbay('config', 'set', 'virtual_boards', '1')).exitCode).toBe(0);
    const r = await flashing;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ state: 'succeeded', resumed: 1, failure: null });
    expect((await show(session.id)).state).toBe('idle');
    const seen = await home.fbay('serial', 'expect', session.id, 'Project name: +bounced', '--since', '0', '--timeout', '10s');
    expect(seen.exitCode, seen.stderr).toBe(0);
  }, 30_000);
});
