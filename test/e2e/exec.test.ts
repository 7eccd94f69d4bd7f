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

  it('holds the board for the whole command, however much longer than the idle window it runs', async () => {
    // The command's own pause is the scenario: twice the idle window, then it still talks to its board.
    const script = 'sleep 2.5; node "$0" serial send info && node "$0" serial expect --since 0 "baud"';
    const r = await home.fbay('exec', '--board', 'virtual', '--idle-timeout', '1s', '--', 'sh', '-c', script, FBAY);
    expect(r.stderr).not.toMatch(/ended \(idle_timeout\)/);
    expect(r.exitCode).toBe(0);
  });

  it('says so and exits non-zero when the session ends under the command', async () => {
    const script = 'node "$0" session end "$FBAY_SESSION" >/dev/null; echo done';
    const r = await home.fbay('exec', '--board', 'virtual', '--', 'sh', '-c', script, FBAY);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/ended \(user_ended\) while the command ran/);
  });

  it('takes the command and everything it started down when the CLI is killed (SIGKILL)', async () => {
    const marker = `fbay-exec-test-${process.pid}-${Date.now()}`;
    // The command starts a child of its own (the marker in its argv) and waits for it: both must go with the CLI.
    const child = `${process.execPath} -e 'setInterval(() => {}, 1000)' ${marker}`;
    const cli = execa(process.execPath, [FBAY, 'exec', '--board', 'virtual', '--', 'sh', '-c', `${child} & echo started; wait`], {
      reject: false,
      env: { FBAY_HOME: home.dir, PATH: process.env.PATH },
    });
    await new Promise<void>((resolve) => cli.stdout.on('data', (c: Buffer) => c.toString().includes('started') && resolve()));
    const running = async () => (await execa('pgrep', ['-f', marker], { reject: false })).stdout.trim();
    // The child the command started is running (the CLI's and the shell's command lines name the marker too).
    const grandchild = async () => (await execa('pgrep', ['-f', `^\\S+ -e .* ${marker}$`], { reject: false })).stdout.trim();
    await expect.poll(grandchild, { timeout: 5000 }).not.toBe('');
    cli.kill('SIGKILL');
    await cli;
    // Nothing of the command outlives its reservation.
    await expect.poll(running, { timeout: 10_000 }).toBe('');
  });
});
