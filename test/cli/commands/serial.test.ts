import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SEND_FRAME } from '../../../src/cli/client/serial-socket.js';
import { runBytes } from '../helpers/byte-io.js';
import { startFakeDaemon } from '../helpers/fake-daemon.js';
import { startFakeSerialDaemon, type FakeSerialDaemon } from '../helpers/fake-serial-daemon.js';
import { aSession } from '../helpers/sessions.js';

let fake: FakeSerialDaemon;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  fake = await startFakeSerialDaemon();
  env = { FBAY_HOME: fake.home };
});
afterEach(() => fake.close());

/** Every byte value, so nothing is decoded or translated on the way to stdout. */
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const ENDED = { type: 'ended', reason: 'user_ended', session: aSession({ state: 'ended' }) } as const;

describe('fbay serial cat', () => {
  it('prints the transcript from --since byte for byte', async () => {
    fake.transcript = Buffer.concat([Buffer.from('boot\r\n'), ALL_BYTES]);
    const all = await runBytes(['serial', 'cat'], env);
    expect(all.code).toBe(0);
    expect(all.stdout.equals(fake.transcript)).toBe(true);
    const tail = await runBytes(['serial', 'cat', '--since', '6'], env);
    expect(tail.stdout.equals(ALL_BYTES)).toBe(true);
    expect(fake.requests.filter((r) => r.includes('/log'))).toEqual([
      `GET /v1/sessions/${fake.session.id}/log?since=0`,
      `GET /v1/sessions/${fake.session.id}/log?since=6`,
    ]);
  });

  it('--follow streams live output exactly until the session ends, then exits 0', async () => {
    fake.transcript = Buffer.from('old output');
    const server = fake.nextClient();
    const running = runBytes(['serial', 'cat', '--follow'], env);
    const side = await server;
    // Live output: from where the output ends now, so a reconnect knows where to resume.
    expect(side.url).toBe(`/v1/sessions/${fake.session.id}/serial?since=10`);
    side.data(ALL_BYTES.subarray(0, 100));
    side.data(ALL_BYTES.subarray(100));
    side.control(ENDED);
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout.equals(ALL_BYTES)).toBe(true);
  });

  it('--follow --since replays from that offset, and tells of lost bytes on stderr', async () => {
    const server = fake.nextClient();
    const running = runBytes(['serial', 'cat', '--follow', '--since', '42'], env);
    const side = await server;
    expect(side.url).toBe(`/v1/sessions/${fake.session.id}/serial?since=42`);
    side.control({ type: 'gap', lost_bytes: 9 });
    side.data('after the gap');
    side.control(ENDED);
    const r = await running;
    expect(r.stdout.toString()).toBe('after the gap');
    expect(r.stderr).toContain('9 bytes of output were lost');
  });

  it('--follow exits 130 on Ctrl-C; a line that closes without the session ending is reopened where it stopped', async () => {
    const abort = new AbortController();
    const server = fake.nextClient();
    const running = runBytes(['serial', 'cat', '--follow'], env, abort.signal);
    const side = await server;
    abort.abort();
    expect(await running).toMatchObject({ code: 130, stderr: '' });
    expect([1000, 1006]).toContain(await side.closed); // 1006 when Ctrl-C came before the client saw the open

    const next = fake.nextClient();
    const closing = runBytes(['serial', 'cat', '--follow'], env);
    const first = await next;
    first.data('before ');
    const again = fake.nextClient();
    first.ws.close(1011, 'daemon restarting');
    const second = await again;
    expect(second.url).toBe(`/v1/sessions/${fake.session.id}/serial?since=7`);
    second.data('after');
    second.control(ENDED);
    const r = await closing;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('before after');
    expect(r.stderr).toMatch(/lost the daemon; reconnecting for up to \d+s…\nwarning: reconnected; output resumes where it stopped\./);
  });

  it('--follow exits 3 when the daemon does not come back within the idle window', async () => {
    await fake.close();
    fake = await startFakeSerialDaemon({ idle_timeout_s: 1 });
    const server = fake.nextClient();
    const running = runBytes(['serial', 'cat', '--follow'], { FBAY_HOME: fake.home });
    await server;
    fake.refuse = { status: 503, body: { error: 'starting', code: 'internal_error' } };
    (await server).ws.terminate();
    const r = await running;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('did not come back within 1s');
  });
});

describe('fbay serial send', () => {
  it('sends TEXT and a CR, closes cleanly, and prints nothing (or the JSON with --json)', async () => {
    fake.transcript = Buffer.from('0123456789');
    const server = fake.nextClient();
    const r = await runBytes(['--json', 'serial', 'send', 'echo hi'], env);
    const side = await server;
    expect(r.code).toBe(0);
    expect(side.bytes.toString()).toBe('echo hi\r');
    expect(await side.closed).toBe(1000);
    expect(JSON.parse(r.stdout.toString())).toEqual({ session_id: fake.session.id, bytes: 8, offset: 10 });

    const next = fake.nextClient();
    const quiet = await runBytes(['serial', 'send', fake.session.id, 'A\\x00\\xff', '--escapes', '--eol', 'crlf'], env);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
    expect(quiet.stdout.length).toBe(0);
    expect([...(await next).bytes]).toEqual([0x41, 0x00, 0xff, 0x0d, 0x0a]);
  });

  it('sends a file byte for byte, with no line ending, in frames of at most 64 KiB', async () => {
    const file = join(fake.home, 'blob.bin');
    const blob = Buffer.concat(Array.from({ length: 600 }, () => ALL_BYTES)); // 150 KiB
    writeFileSync(file, blob);
    const server = fake.nextClient();
    const r = await runBytes(['serial', 'send', '--file', file], env);
    const side = await server;
    expect(r.code).toBe(0);
    expect(side.bytes.equals(blob)).toBe(true);
    expect(Math.max(...side.received.map((f) => f.length))).toBeLessThanOrEqual(MAX_SEND_FRAME);
  });

  it('refuses bad usage with exit 2 before talking to the daemon', async () => {
    for (const argv of [
      ['serial', 'send'],
      ['serial', 'send', 'ses_x', 'text', '--file', 'f'],
      ['serial', 'send', '--file', 'f', '--escapes'],
      ['serial', 'send', 'x', '--eol', 'nl'],
      ['serial', 'send', 'bad \\q', '--escapes'],
    ]) {
      expect((await runBytes(argv, env)).code, argv.join(' ')).toBe(2);
    }
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['1 when the daemon refuses the input and closes', 'payload_too_large', 'too much input', 1009, 1, /too much input\nhint: See `fbay session show/],
    ['5 (conflict) when the board is flashing, saying to wait', 'flash_in_progress', 'The board is flashing.', 1000, 5, /did not take all 2 bytes: The board is flashing\.\nhint: Wait for the flash to end \(`fbay flash --status ses_\w+`\), then send again\./],
  ])('exits %s', async (_what, code, error, close, exit, stderr) => {
    const server = fake.nextClient();
    const running = runBytes(['serial', 'send', 'x'], env);
    const side = await server;
    side.control({ type: 'error', code, error });
    side.ws.close(close);
    const r = await running;
    expect([r.code, r.stderr.toString()]).toEqual([exit, expect.stringMatching(stderr)]);
  });

  it('uses $FBAY_SESSION as the default session, and exits 4 when the session has ended', async () => {
    const server = fake.nextClient();
    expect((await runBytes(['serial', 'send', 'x'], { ...env, FBAY_SESSION: fake.session.id })).code).toBe(0);
    await server;
    expect(fake.requests).not.toContain('GET /v1/sessions');
    fake.session = { ...fake.session, state: 'ended', end_reason: 'idle_timeout', ws_url: null };
    const ended = await runBytes(['serial', 'send', fake.session.id, 'x'], env);
    expect(ended.code).toBe(4);
    expect(ended.stderr).toContain('has ended (idle_timeout)');
  });
});

describe('fbay serial expect', () => {
  it('reads live output from the end of the transcript and prints what it saw up to the match', async () => {
    fake.transcript = Buffer.from('old output: ready\r\n');
    const server = fake.nextClient();
    const running = runBytes(['serial', 'expect', 'ready\\r\\n'], env);
    const side = await server;
    expect(side.url).toBe(`/v1/sessions/${fake.session.id}/serial?since=19`);
    side.data('booting\r\nrea');
    side.data('dy\r\nfbay> ');
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('booting\r\nready\r\n');
  });

  it('--json prints matched, match, groups, offset and seen', async () => {
    const server = fake.nextClient();
    const running = runBytes(['--json', 'serial', 'expect', fake.session.id, 'v(\\d+)\\.(\\d+)', '--since', '100'], env);
    const side = await server;
    expect(side.url).toBe(`/v1/sessions/${fake.session.id}/serial?since=100`);
    side.data('fw v2.14 up');
    const r = await running;
    expect(JSON.parse(r.stdout.toString())).toEqual({ matched: true, match: 'v2.14', groups: ['2', '14'], offset: 108, seen: 'fw v2.14' });
  });

  it('exits 8 on timeout, printing what was seen, with the reason on stderr', async () => {
    const server = fake.nextClient();
    const running = runBytes(['serial', 'expect', 'never', '--timeout', '100ms'], env);
    (await server).data('only this');
    const r = await running;
    expect(r.code).toBe(8);
    expect(r.stdout.toString()).toBe('only this');
    expect(r.stderr).toContain('Timed out after 100ms');
  });

  it('exits 1 with the reason when the session ends first', async () => {
    const server = fake.nextClient();
    const running = runBytes(['--json', 'serial', 'expect', 'never'], env);
    const side = await server;
    side.data('last words');
    side.control({ ...ENDED, reason: 'credits_exhausted' });
    const r = await running;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ended (credits_exhausted)');
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ matched: false, seen: 'last words' });
  });

  it('refuses a bad regex, flags, timeout or offset with exit 2 before talking to the daemon', async () => {
    for (const argv of [
      ['serial', 'expect'],
      ['serial', 'expect', '(unclosed'],
      ['serial', 'expect', 'a', '--flags', 'g'],
      ['serial', 'expect', 'a', '--timeout', '0'],
      ['serial', 'expect', 'a', '--timeout', 'soon'],
      ['serial', 'expect', 'a', '--since', '-5'],
    ]) {
      expect((await runBytes(argv, env)).code, argv.join(' ')).toBe(2);
    }
    expect(fake.requests).toEqual([]);
  });
});

describe('which session a serial command means', () => {
  it('with two live sessions, serial send lists them and shows `fbay serial send ID …`', async () => {
    const other = await startFakeDaemon();
    const a = aSession({ id: 'ses_aaaaaaaaaaaaaaaaaaaaaaaa' });
    const b = aSession({ id: 'ses_bbbbbbbbbbbbbbbbbbbbbbbb', board_id: 'virtual-2' });
    other.route('GET', '/v1/sessions', { body: { sessions: [a, b] } });
    const r = await runBytes(['serial', 'send', 'info'], { FBAY_HOME: other.home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`say which one: ${a.id} (virtual-1, idle), ${b.id} (virtual-2, idle).`);
    expect(r.stderr).toContain(`hint: Give its ID: \`fbay serial send ID TEXT\`, e.g. fbay serial send ${a.id} TEXT`);
    expect(r.stderr).not.toContain('session show');
    const id = 'ses_BBBBBBBBBBBBBBBBBBBBBBBB';
    other.route('GET', '/v1/browsers', { body: { id, kind: 'browser', state: 'ready' } });
    const cat = await runBytes(['serial', 'cat', id], { FBAY_HOME: other.home });
    expect(cat.code).toBe(4);
    expect(cat.stderr).toContain(`${id} is a browser session, not a board session.`);
    await other.close();
  });
});
