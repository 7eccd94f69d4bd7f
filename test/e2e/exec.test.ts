import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import type { Session, SessionList } from '../../src/transport/protocol/api.js';
import { assertBuilt, FBAY, Home } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
beforeEach(() => {
  home = new Home();
});
afterEach(() => home.cleanup());

const liveSessions = async () => (await home.json<SessionList>('session', 'list')).sessions;

describe('fbay exec, end to end', () => {
  it('gives CMD its session and ends it afterwards', async () => {
    const r = await home.fbay('exec', '--board', 'virtual', '--', 'sh', '-c', 'echo "$FBAY_SESSION $FBAY_SERIAL_URL"');
    expect(r.exitCode).toBe(0);
    const [id, url] = r.stdout.trim().split(' ');
    expect(id).toMatch(/^ses_[A-Za-z0-9]{24}$/);
    expect(url).toBe(`ws+unix://${home.dir}/fbayd.sock:/v1/sessions/${id}/serial`);
    expect(await home.json<Session>('session', 'show', id!)).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    expect(await liveSessions()).toEqual([]);
  });

  it('lets CMD talk to its board with fbay serial, no ID needed', async () => {
    const script = 'node "$0" serial send "echo inside" && node "$0" serial expect --since 0 "\\r\\ninside\\r\\n"';
    const r = await home.fbay('exec', '--board', 'virtual', '--', 'sh', '-c', script, FBAY);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('echo inside\r\ninside'); // up to the match; execa strips the final \n
  });

  it("returns a failing command's status and ends the session", async () => {
    const r = await home.fbay('exec', '--board', 'virtual', '--', 'sh', '-c', 'exit 3');
    expect(r.exitCode).toBe(3);
    expect(await liveSessions()).toEqual([]);
    const [ended] = (await home.json<SessionList>('session', 'list', '--all')).sessions;
    expect(ended).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
  });

  it('ends the session when the CLI itself is killed (SIGKILL)', async () => {
    // The command prints its session and runs until its stdin (ours) closes, so nothing outlives the test.
    const script = 'console.log(process.env.FBAY_SESSION); process.stdin.resume(); process.stdin.on("end", () => process.exit(0));';
    const cli = execa(process.execPath, [FBAY, 'exec', '--board', 'virtual', '--idle-timeout', '10m', '--', process.execPath, '-e', script], {
      reject: false,
      env: { FBAY_HOME: home.dir },
    });
    const id = await new Promise<string>((resolve) => {
      let out = '';
      cli.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /ses_[A-Za-z0-9]{24}/.exec(out);
        if (m) resolve(m[0]);
      });
    });
    expect((await home.json<Session>('session', 'show', id)).state).not.toBe('ended');
    cli.kill('SIGKILL');
    const killed = await cli;
    expect(killed.signal).toBe('SIGKILL');
    const waited = await home.json<Session>('session', 'wait', id, '--state', 'ended', '--timeout', '10s');
    expect(waited).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    cli.stdin.end();
  });
});
