import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { execa } from 'execa';
import type { Session } from '../../src/transport/protocol/api.js';
import { assertBuilt, FBAY, Home } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
let session: Session;
beforeEach(async () => {
  home = new Home();
  session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
});
afterEach(() => home.cleanup());

/** Runs fbay with stdout kept as bytes, for byte-exact comparisons. */
/** fbayBytes, with its stderr readable while it runs (a test waits for a line before its next step). */
function fbayWatched(...args: string[]): { stderr: () => string; result: Promise<{ exitCode: number; stdout: Buffer; stderr: string }> } {
  const child = execa(process.execPath, [FBAY, ...args], { reject: false, timeout: 20_000, encoding: 'buffer', stripFinalNewline: false, env: { FBAY_HOME: home.dir } });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return {
    stderr: () => err,
    result: child.then((r) => ({ exitCode: r.exitCode ?? -1, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr).toString() })),
  };
}

async function fbayBytes(...args: string[]): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  const r = await execa(process.execPath, [FBAY, ...args], {
    reject: false,
    timeout: 20_000,
    encoding: 'buffer',
    stripFinalNewline: false,
    env: { FBAY_HOME: home.dir },
  });
  return { exitCode: r.exitCode ?? -1, stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr).toString() };
}

describe('fbay serial on a virtual board, end to end', () => {
  it('send `echo hi`, then expect `hi`: live, and from the offset send reports', async () => {
    // Live: expect connects first (the session turns active), then the line is sent.
    const expecting = fbayBytes('serial', 'expect', '\\r\\nhi\\r\\n');
    await home.json('session', 'wait', '--state', 'active', '--timeout', '10s');
    const sent = await home.fbay('serial', 'send', 'echo hi');
    expect(sent).toMatchObject({ exitCode: 0, stdout: '' });
    const seen = await expecting;
    expect(seen.exitCode).toBe(0);
    expect(seen.stdout.toString()).toBe('echo hi\r\nhi\r\n');

    // From an offset: nothing can be missed, whenever expect starts.
    const { offset, bytes } = await home.json<{ session_id: string; bytes: number; offset: number }>('serial', 'send', 'echo again');
    expect(bytes).toBe('echo again\r'.length);
    const r = await home.json<{ matched: boolean; match: string; offset: number; seen: string }>(
      'serial', 'expect', session.id, '\\r\\n(\\w+)\\r\\n', '--since', String(offset),
    );
    expect(r).toMatchObject({ matched: true, match: '\r\nagain\r\n', seen: 'echo again\r\nagain\r\n' });
    expect(r.offset).toBe(offset + r.seen.length);
  });

  it('cat --since 0 shows the transcript, also after the session has ended', async () => {
    await home.json('serial', 'send', 'echo one');
    await home.json('serial', 'send', 'echo two');
    await home.json('serial', 'expect', '--since', '0', '\\r\\ntwo\\r\\n');
    const live = await fbayBytes('serial', 'cat', '--since', '0');
    expect(live.exitCode).toBe(0);
    expect(live.stdout.toString('latin1')).toMatch(/^echo one\r\none\r\n.*echo two\r\ntwo\r\n/s);
    await home.json('session', 'end');
    const after = await fbayBytes('serial', 'cat', session.id, '--since', '0');
    expect(after.stdout.equals(live.stdout)).toBe(true);
    const tail = await fbayBytes('serial', 'cat', session.id, '--since', '5');
    expect(tail.stdout.equals(live.stdout.subarray(5))).toBe(true);
  });

  it('cat --follow streams byte for byte what the transcript keeps, until the session ends', async () => {
    const following = fbayBytes('serial', 'cat', '--follow', '--since', '0');
    await home.json('session', 'wait', '--state', 'active', '--timeout', '10s');
    await home.json('serial', 'send', 'flood 100000');
    // The flood's last line (cut off at byte 100000) is numbered 1563: once it is out, the flood is.
    await home.json('serial', 'expect', '--since', '0', '00001563 [^\\r]*\\r\\n');
    await home.json('session', 'end');
    const followed = await following;
    expect(followed.exitCode).toBe(0);
    const transcript = await fbayBytes('serial', 'cat', session.id);
    expect(followed.stdout.length).toBeGreaterThan(100_000);
    expect(followed.stdout.equals(transcript.stdout)).toBe(true);
  });

  it("cat --follow ends promptly when the pipe's reader exits, though the board prints nothing more (| grep -m1)", async () => {
    const pipeline = execa('bash', ['-c', `node ${FBAY} serial cat --follow | grep -m1 marker-43; echo "fbay=\${PIPESTATUS[0]}"`], {
      reject: false,
      env: { FBAY_HOME: home.dir },
      timeout: 12_000,
    });
    await home.json('session', 'wait', '--state', 'active', '--timeout', '10s');
    expect((await home.fbay('serial', 'send', 'echo marker-43')).exitCode).toBe(0);
    const r = await pipeline;
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toContain('marker-43');
    expect(r.stdout).toContain('fbay=0');
    expect((await home.json<Session>('session', 'show')).state).not.toBe('ended');
  });

  it('expect exits 8 on timeout, printing what it saw', async () => {
    await home.json('serial', 'send', 'echo partial');
    const r = await home.fbay('serial', 'expect', '--since', '0', 'never-printed', '--timeout', '300ms');
    expect(r.exitCode).toBe(8);
    expect(r.stdout).toContain('partial\r\n');
    expect(r.stderr).toContain('Timed out after 300ms');
  });

  it('expect exits 1 with the reason when the session ends first', async () => {
    const expecting = home.start('serial', 'expect', 'never-printed', '--timeout', '15s');
    await home.json('session', 'wait', '--state', 'active', '--timeout', '10s');
    await home.json('session', 'end');
    const r = await expecting;
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toContain('ended (user_ended)');
  });
});

describe('fbay serial and session wait across a daemon restart', () => {
  it('serial expect, serial cat --follow and session wait ride out `fbay daemon restart` and carry on', async () => {
    const { offset } = await home.json<{ offset: number }>('serial', 'send', 'echo before-restart');
    const expecting = fbayBytes('serial', 'expect', '--since', String(offset), 'after-restart', '--timeout', '30s');
    const follower = fbayWatched('serial', 'cat', '--follow', '--since', String(offset));
    const waiting = home.fbay('session', 'wait', '--state', 'ended', '--timeout', '30s');
    await home.json('session', 'wait', '--state', 'active', '--timeout', '10s');
    expect((await home.fbay('daemon', 'restart')).exitCode).toBe(0);
    expect((await home.fbay('serial', 'send', 'echo after-restart')).exitCode).toBe(0);
    const seen = await expecting;
    expect(seen).toMatchObject({ exitCode: 0 });
    expect(seen.stdout.toString()).toMatch(/before-restart[\s\S]*after-restart$/);
    await home.json('serial', 'expect', '--since', String(offset), 'after-restart\\r\\n[\\s\\S]*after-restart\\r\\n');
    // Ended only once the follower is back: ended before, it would read the rest from the transcript (also exact,
    // but without the line checked below).
    await vi.waitFor(() => expect(follower.stderr()).toContain('reconnected'), { timeout: 20_000, interval: 50 });
    await home.json('session', 'end');
    const followed = await follower.result;
    expect(followed.exitCode).toBe(0);
    // Nothing lost, nothing twice.
    const transcript = await fbayBytes('serial', 'cat', session.id, '--since', String(offset));
    expect(followed.stdout.equals(transcript.stdout)).toBe(true);
    expect(followed.stderr).toContain('reconnected');
    const waited = await waiting;
    expect(waited.exitCode).toBe(0);
    expect(waited.stderr).toContain('the daemon is back');
  });

  // Three CLI processes, a 5 s window and a daemon's death: over 20 s once, on a machine running the whole suite.
  it('exits 3 when the daemon does not come back', { timeout: 75_000 }, async () => {
    // 5 s: the two commands below must attach before an unattended session's idle window ends, and they start as
    // processes of their own (over a second each on a loaded machine).
    const short = await home.json<Session>('session', 'end').then(() => home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '5s'));
    const expecting = home.fbay('serial', 'expect', short.id, 'never-printed', '--timeout', '30s');
    // Its window is the session's idle window (5 s) once it has read the session. Nothing outside shows when it has:
    // killed before, it falls back to the default window (30 s), so it is given the time for either.
    const waiting = execa(process.execPath, [FBAY, 'session', 'wait', short.id, '--state', 'ended', '--timeout', '50s'], { reject: false, timeout: 45_000, env: { FBAY_HOME: home.dir } });
    await home.json('session', 'wait', short.id, '--state', 'active', '--timeout', '10s');
    for (const pid of home.daemonPids()) process.kill(pid, 'SIGKILL');
    const [expected, waited] = await Promise.all([expecting, waiting]);
    expect(expected.exitCode).toBe(3);
    expect(expected.stderr).toContain('did not come back within 5s');
    expect(waited.exitCode).toBe(3);
    expect(waited.stderr).toMatch(/did not come back within (5|30)s/);
  });
});

describe('serial expect and UTF-8', () => {
  it('matches non-ASCII text, and --json shows it as UTF-8', async () => {
    await home.json('serial', 'send', 'echo héllo wörld 🚀');
    const r = await home.json<{ matched: boolean; match: string; offset: number; seen: string }>('serial', 'expect', '--since', '0', 'wörld 🚀\\r\\n');
    expect(r).toMatchObject({ matched: true, match: 'wörld 🚀\r\n' });
    expect(r.seen).toMatch(/héllo wörld 🚀\r\n$/);
    expect(r.offset).toBe(Buffer.byteLength(r.seen));
    const plain = await fbayBytes('serial', 'expect', '--since', '0', 'wörld');
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout.toString('utf8')).toBe('echo héllo wörld');
  });
});
