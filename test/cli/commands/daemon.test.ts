import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { VERSION } from '../../../src/shared/version.js';
import { startFakeDaemon } from '../helpers/fake-daemon.js';
import { FAKE_DAEMON_ENTRY, fakeHome, type FakeHome } from '../helpers/fake-daemon-process.js';
import { run } from '../helpers/io.js';

let h: FakeHome;
afterEach(() => h.cleanup());

describe('fbay daemon', () => {
  it('status exits 3 when not running and never starts one; start, status, stop work as documented', async () => {
    h = fakeHome();
    const extra = { daemonEntry: FAKE_DAEMON_ENTRY };
    const down = await run(['daemon', 'status'], h.env, extra);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('not running');
    expect(down.stderr).toContain('hint: Start it with `fbay daemon start`');
    expect((await run(['daemon', 'stop'], h.env, extra)).stdout).toBe('fbay daemon is not running.\n');
    expect(h.spawned()).toEqual([]);

    const started = await run(['daemon', 'start', '--json'], h.env, extra);
    const health = JSON.parse(started.stdout);
    expect(health).toMatchObject({ version: VERSION, pid: h.spawned()[0], socket: h.paths.socket });
    const again = await run(['daemon', 'start'], h.env, extra);
    expect(again.stdout).toBe(`fbay daemon already running (pid ${health.pid}, socket ${h.paths.socket}).\n`);

    const status = await run(['daemon', 'status'], h.env, extra);
    expect(status.stdout).toMatch(new RegExp(`^version\\s+${VERSION.replace(/\./g, '\\.')}\\npid\\s+${health.pid}\\n`));
    expect(JSON.parse((await run(['daemon', 'stop', '--json'], h.env, extra)).stdout)).toEqual({ stopped: true, pid: health.pid });
  });

  it('status shows both versions when they differ (exit 0), while other commands refuse', async () => {
    h = fakeHome();
    const old = await startFakeDaemon({ version: '0.0.1', home: h.home });
    try {
      const status = await run(['daemon', 'status'], h.env);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`0.0.1 (this CLI is ${VERSION}: run \`fbay daemon restart\`)`);
      expect((await run(['boards'], h.env)).code).toBe(1);
      const start = await run(['daemon', 'start'], h.env);
      expect(start.code).toBe(0);
      expect(start.stderr).toContain(`warning: the running daemon is version 0.0.1, this CLI ${VERSION}.`);
    } finally {
      await old.close();
    }
  });

  it('logs prints the tail of fbayd.log and refuses a bad -n', async () => {
    h = fakeHome();
    writeFileSync(h.paths.logFile, 'a\nb\nc\n');
    expect((await run(['daemon', 'logs', '-n', '2'], h.env)).stdout).toBe('b\nc\n');
    expect((await run(['daemon', 'logs', '-n', 'x'], h.env)).code).toBe(2);
  });
});

describe('--json where it does not apply', () => {
  it('daemon logs and completion refuse --json with a sentence (exit 2)', async () => {
    h = fakeHome();
    const home = h.home;
    const logs = await run(['--json', 'daemon', 'logs'], { FBAY_HOME: home });
    expect(logs.code).toBe(2);
    expect(logs.stderr).toContain('error: --json does not apply to `fbay daemon logs`');
    expect(logs.stdout).toBe('');
    const completion = await run(['completion', 'bash', '--json'], { FBAY_HOME: home });
    expect(completion.code).toBe(2);
    expect(completion.stderr).toContain('error: --json does not apply to `fbay completion`: it prints a shell script.');
    expect(completion.stdout).toBe('');
  });
});
