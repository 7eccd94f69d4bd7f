import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
