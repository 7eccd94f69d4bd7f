import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/transport/protocol/api.js';
import { EXIT } from '../../src/transport/protocol/errors.js';
import { buildAppImage } from '../../src/daemon/flash/image-builder.js';
import { assertBuilt, FBAY, Home } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
beforeEach(() => void (home = new Home()));
afterEach(() => home.cleanup());

/** The console in a real terminal: tmux on a server of its own, 120×30. */
class Tmux {
  readonly server = `fbay-e2e-${randomBytes(4).toString('hex')}`;
  #windows = 0;

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.server, ...args], { encoding: 'utf8' });
  }

  /** Runs fbay ARGS in a new window; after it exits the window shows `EXIT=<code>` and stays. */
  run(...args: string[]): string {
    return this.runSized([120, 30], ...args);
  }

  runSized([columns, rows]: [number, number], ...args: string[]): string {
    const name = `w${this.#windows++}`;
    const command = `node ${FBAY} ${args.join(' ')}; echo "EXIT=$?"; exec cat`;
    if (name === 'w0') this.tmux('new-session', '-d', '-s', 'e2e', '-n', name, '-x', String(columns), '-y', String(rows), '-e', `FBAY_HOME=${home.dir}`, command);
    else this.tmux('new-window', '-t', 'e2e', '-n', name, '-e', `FBAY_HOME=${home.dir}`, command);
    return `e2e:${name}`;
  }

  screen(target: string): string {
    return this.tmux('capture-pane', '-p', '-t', target, '-S', '-200');
  }

  keys(target: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', target, ...keys);
  }

  /** Waits until the pane (with its scrollback) shows `pattern`: polls capture-pane, for at most `ms`. */
  async waitFor(target: string, pattern: RegExp, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const text = this.screen(target);
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${text}`);
      await delay(50);
    }
  }

  /** The pane's bottom row: the status line. */
  bottom(target: string): string {
    return this.tmux('capture-pane', '-p', '-t', target).trimEnd().split('\n').at(-1)!;
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

describe('fbay console in a real terminal (tmux)', () => {
  let tmux: Tmux;
  beforeEach(() => void (tmux = new Tmux()));
  afterEach(() => tmux.kill());

  it('type and see the echo, Ctrl-T q leaves it idle, re-attach with --replay shows it all, Ctrl-T e y ends it', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const first = tmux.run('console', session.id);
    await tmux.waitFor(first, new RegExp(`${session.id} │ virtual-\\d │ ● active`));
    expect(tmux.bottom(first)).toMatch(new RegExp(`^ ${session.id} │ virtual-\\d │ ● active`));

    tmux.keys(first, 'echo hello-from-tmux', 'Enter');
    await tmux.waitFor(first, /\nhello-from-tmux\s*\n/);
    // The status line stays on the bottom row while output scrolls above it.
    expect(tmux.bottom(first)).toContain(session.id);

    tmux.keys(first, 'C-t', '?');
    await tmux.waitFor(first, /press Ctrl-T, then:/);
    tmux.keys(first, 'x');
    tmux.keys(first, 'C-t', 'q');
    const left = await tmux.waitFor(first, /EXIT=\d+/);
    expect(left).toMatch(new RegExp(`Left session ${session.id}; it stays reserved and is idle: it ends in (1m\\d+s|2m)`));
    expect(left).toContain('EXIT=0');
    expect((await home.json<Session>('session', 'show', session.id)).state).toBe('idle');

    const second = tmux.run('console', session.id, '--replay');
    await tmux.waitFor(second, /hello-from-tmux[\s\S]*● active/);
    tmux.keys(second, 'C-t', 'e');
    await tmux.waitFor(second, new RegExp(`End session ${session.id}\\? It releases the board`));
    tmux.keys(second, 'y');
    const ended = await tmux.waitFor(second, /EXIT=\d+/);
    expect(ended).toMatch(new RegExp(`Session ${session.id} ended \\(user_ended\\): it was ended; [\\d.]+ credits? used\\.`));
    expect(ended).toContain('EXIT=0');
    expect(await home.json<Session>('session', 'show', session.id)).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
  });

  it('Ctrl-T f flashes a typed file while attached: the marker, then the new boot log on the same console', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const image = join(home.dir, 'tmux-app.bin');
    writeFileSync(image, buildAppImage({ projectName: 'tmux-app', version: '3.1.4', size: 64 * 1024 }));
    const w = tmux.run('console', session.id);
    await tmux.waitFor(w, /● active/);
    tmux.keys(w, 'C-t', 'f');
    await tmux.waitFor(w, /Flash file: .*Enter to flash/);
    tmux.keys(w, '-l', image);
    tmux.keys(w, 'Enter');
    await tmux.waitFor(w, /flashed tmux-app\.bin in [\d.]+ s, verified/); // the status line's notice, shown for 6 s
    const shown = await tmux.waitFor(w, /flashed 1 image \(tmux-app\.bin at 0x10000\)[\s\S]*App version: +3\.1\.4[\s\S]*fbay-virtual>/);
    expect(shown).toMatch(/--- fbay: flashing tmux-app\.bin at 0x10000 \(64 KiB\) ---/);
    expect(shown).toMatch(/Project name: +tmux-app/);
    tmux.keys(w, 'echo after-flash', 'Enter'); // the console never left: typing reaches the new app's shell
    await tmux.waitFor(w, /\nafter-flash\s*\n/);
    tmux.keys(w, 'C-]');
    expect(await tmux.waitFor(w, /EXIT=\d+/)).toContain('EXIT=0');
  });

  it('a terminal resized while running: the status line moves to the new bottom, cut to the new width', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const w = tmux.run('console', session.id);
    await tmux.waitFor(w, /● active/);
    tmux.tmux('resize-window', '-t', 'e2e', '-x', '40', '-y', '12');
    const deadline = Date.now() + 5000;
    while (!/● active/.test(tmux.bottom(w)) && Date.now() < deadline) await delay(50);
    expect(tmux.bottom(w)).toMatch(/^ (ses_\S+ │ )?● active/);
    const rows = tmux.tmux('capture-pane', '-p', '-t', w).split('\n');
    expect(rows.every((row) => row.length <= 40)).toBe(true);
    tmux.keys(w, 'echo narrow', 'Enter');
    await tmux.waitFor(w, /\nnarrow\s*\n/);
    expect(tmux.bottom(w)).toMatch(/● active/);
    tmux.keys(w, 'C-]');
    expect(await tmux.waitFor(w, /EXIT=\d+/)).toContain('EXIT=0');
  });
});

describe('the console layout in small terminals (tmux)', () => {
  let tmux: Tmux;
  beforeEach(() => void (tmux = new Tmux()));
  afterEach(() => tmux.kill());

  it('80×10: the status line keeps ^T ? help, and the help shows its first lines, quit among them', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const w = tmux.runSized([80, 10], 'console', session.id);
    await tmux.waitFor(w, /● active/);
    expect(tmux.bottom(w)).toMatch(/● active │ \^T \? help$/);
    tmux.keys(w, 'C-t', '?');
    const shown = await tmux.waitFor(w, /press Ctrl-T, then:/);
    expect(shown).toMatch(/q quit · e end/);
    expect(tmux.bottom(w)).toContain('^T ? help');
    tmux.keys(w, 'x');
    tmux.keys(w, 'C-]');
    expect(await tmux.waitFor(w, /EXIT=\d+/)).toContain('EXIT=0');
  });
});

describe('fbay console as a pipe (stdin and stdout not a terminal)', () => {
  it('is a byte pipe that survives a daemon restart without losing output, and exits 0 when the session is ended', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const child = execa(process.execPath, [FBAY, 'console', session.id], { reject: false, env: { FBAY_HOME: home.dir }, timeout: 30_000 });
    let out = '';
    child.stdout!.setEncoding('latin1');
    child.stdout!.on('data', (chunk: string) => void (out += chunk));
    const seen = async (text: string) => {
      while (!out.includes(text)) await once(child.stdout!, 'data');
    };
    child.stdin!.write('echo before\r');
    await seen('\r\nbefore\r\n');
    const restarted = await home.fbay('daemon', 'restart');
    expect(restarted.exitCode).toBe(0);
    child.stdin!.write('echo after\r');
    await seen('\r\nafter\r\n');
    // Nothing lost, nothing twice: the pipe's output is the session's transcript.
    const transcript = await execa(process.execPath, [FBAY, 'serial', 'cat', session.id], { env: { FBAY_HOME: home.dir }, encoding: 'latin1' });
    expect(transcript.stdout).toContain(out);
    expect(out.match(/before\r\n/g)).toHaveLength(2); // the echo of the typing, and the answer
    await home.json('session', 'end', session.id);
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`Session ${session.id} ended (user_ended)`);
  });

  it('ends promptly when the pipe\'s reader exits, though the board prints nothing more (console | grep -m1)', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    // A real pipe: grep exits after its first match, and the board stays silent after that line.
    const pipeline = execa('bash', ['-c', `node ${FBAY} console ${session.id} < /dev/null | grep -m1 marker-42; echo "fbay=\${PIPESTATUS[0]}"`], {
      reject: false,
      env: { FBAY_HOME: home.dir },
      timeout: 20_000,
    });
    await home.json('session', 'wait', session.id, '--state', 'active', '--timeout', '10s');
    const sent = await home.fbay('serial', 'send', session.id, 'echo marker-42');
    expect(sent.exitCode).toBe(0);
    const r = await pipeline;
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toContain('marker-42');
    expect(r.stdout).toContain('fbay=0');
    // It left as `q` does: the session stays reserved.
    expect((await home.json<Session>('session', 'show', session.id)).state).not.toBe('ended');
  });

  it('exits 3 with the reason when the daemon is stopped under it', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2m');
    const child = home.start('console', session.id);
    child.stdin!.write('echo up\r');
    await home.json('session', 'wait', session.id, '--state', 'active', '--timeout', '10s');
    await home.fbay('daemon', 'stop');
    const r = await child;
    expect(r.exitCode).toBe(EXIT.daemon_unavailable);
    expect(String(r.stderr)).toContain(`Session ${session.id} ended (host_shutdown): the fbay daemon was stopped`);
  });

  it('exits 3 when the daemon dies and does not come back within the idle window', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '2s');
    const child = home.start('console', session.id);
    await home.json('session', 'wait', session.id, '--state', 'active', '--timeout', '10s');
    for (const pid of home.daemonPids()) process.kill(pid, 'SIGKILL');
    const r = await child;
    expect(r.exitCode).toBe(EXIT.daemon_unavailable);
    expect(String(r.stderr)).toContain('did not come back within 2s');
    expect(String(r.stderr)).toContain('reconnecting');
  });

  it('attaching to an ended session exits 4 with its end reason', async () => {
    const session = await home.json<Session>('session', 'create', '--board', 'virtual');
    await home.json('session', 'end', session.id);
    const r = await home.fbay('console', session.id);
    expect(r.exitCode).toBe(EXIT.not_found);
    expect(r.stderr).toContain(`Session ${session.id} has ended (user_ended)`);
  });
});
