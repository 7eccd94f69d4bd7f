// Exec in a real sandbox: languages, files, env, timeouts that kill the whole tree, streaming, and what the cgroup measured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/daemon/sandboxes/sandbox.js';
import { newId, openHost, type Harness } from './harness.js';

let h: Harness;
let box: Sandbox;
beforeAll(async () => {
  h = await openHost();
  box = await h.host.create(newId(), { memory_mb: 256, pids: 64, disk_mb: 64 });
});
afterAll(async () => h?.close());

describe('exec', () => {
  it('runs TypeScript and JavaScript with Bun and shell commands with /bin/sh, with env', async () => {
    const ts = await box.exec({ code: 'const n: number = 41; console.log(n + 1, process.env.GREETING)', env: { GREETING: 'hi' } });
    expect(ts).toMatchObject({ stdout: '42 hi\n', exit_code: 0, timed_out: false });
    const js = await box.exec({ code: 'console.error("to stderr"); process.exit(3)', language: 'js' });
    expect(js).toMatchObject({ stderr: 'to stderr\n', exit_code: 3 });
    const sh = await box.exec({ command: 'echo $HOME $PORT; pwd' });
    expect(sh.stdout).toBe('/workspace 3000\n/workspace\n');
    expect(ts.cpu_ms).toBeGreaterThan(0);
    expect(ts.memory_used_mb).toBeGreaterThan(0);
    expect(ts.execution_ms).toBeGreaterThan(0);
  });

  it('starts with an empty /workspace of its own filesystem', async () => {
    const fresh = await h.host.create(newId());
    await fresh.exec({ code: 'console.log(1)' });
    expect((await fresh.exec({ command: 'ls -A /workspace; stat -f -c %T /workspace' })).stdout).toBe('ext2/ext3\n');
    await h.host.destroy(fresh.id);
  });

  it('writes `files` first, and a file written by one exec is there for the next', async () => {
    const r = await box.exec({ files: [{ path: 'src/a.ts', content: 'export const a = 7;' }], code: 'import { a } from "./src/a.ts"; await Bun.write("out.txt", String(a * 6)); console.log("ok")' });
    expect(r).toMatchObject({ stdout: 'ok\n', exit_code: 0, files_written: ['/workspace/src/a.ts'] });
    expect((await box.exec({ command: 'cat out.txt' })).stdout).toBe('42');
  });

  it('kills the whole process tree at the timeout, setsid and all, and says timed_out', async () => {
    const r = await box.exec({ command: 'setsid sh -c "sleep 1000 & echo $! > /tmp/escapee; wait" & echo started; sleep 1000', timeout_s: 0.5 });
    expect(r.timed_out).toBe(true);
    expect(r.stdout).toBe('started\n');
    expect(r.exit_code).toBe(137);
    const check = await box.exec({ command: 'pid=$(cat /tmp/escapee); if kill -0 $pid 2>/dev/null; then echo alive; else echo gone; fi; ps -e -o comm= | grep -c sleep || true' });
    expect(check.stdout).toBe('gone\n0\n');
  });

  it('streams stdout and stderr as they come, before the exec ends', async () => {
    const chunks: string[] = [];
    // The code waits for a file the test writes only once it has seen the first chunk: that chunk came early.
    const r = await box.exec({
      code: 'console.log("one"); while (!(await Bun.file("go").exists())) await Bun.sleep(5); console.error("two")',
      timeout_s: 10,
      stream: ({ stream, data }) => {
        chunks.push(`${stream}:${data.toString()}`);
        if (chunks.length === 1) box.files.write('go', Buffer.from('1'));
      },
    });
    expect(r.timed_out).toBe(false);
    expect(chunks).toEqual(['stdout:one\n', 'stderr:two\n']);
    expect(r).toMatchObject({ stdout: 'one\n', stderr: 'two\n' });
  });

  it('ends an exec whose caller gave up (abort), tree and all', async () => {
    const ac = new AbortController();
    const r = await box.exec({ command: 'echo up; sleep 1000', signal: ac.signal, stream: () => ac.abort() });
    expect(r).toMatchObject({ stdout: 'up\n', exit_code: 137, timed_out: false });
  });

  it('keeps one Bun started ahead for the next exec, and does without it when it is gone or does not fit', async () => {
    const bunCount = async (): Promise<number> => Number((await box.exec({ command: 'pgrep -c -f "bun run [-]" || true' })).stdout);
    await box.exec({ code: 'console.log("warm it")' });
    expect(await bunCount()).toBe(1); // the next warm one, waiting for code
    // Its own code may kill it; the next exec starts a Bun of its own, and the one after finds a warm one again.
    await box.exec({ command: 'pkill -9 -f "bun run [-]"; while pgrep -f "bun run [-]" >/dev/null; do :; done' });
    expect((await box.exec({ code: 'console.log(2)' })).stdout).toBe('2\n');
    expect((await box.exec({ code: 'console.log(process.env.X ?? "no X")', env: { X: 'own env' } })).stdout).toBe('own env\n');
    const r = await box.exec({ code: 'let s = 0; for (let i = 0; i < 3e7; i++) s += i; console.log(s > 0)' });
    expect(r.stdout).toBe('true\n');
    expect(r.cpu_ms).toBeGreaterThan(5);
  });

  it('refuses a request with both code and command, a bad env name, or a bad timeout', async () => {
    await expect(box.exec({ code: '1', command: 'true' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(box.exec({ command: 'true', env: { 'A-B': '1' } })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(box.exec({ command: 'true', timeout_s: -1 })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
