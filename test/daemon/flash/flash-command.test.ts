import { describe, expect, it } from 'vitest';
import { runCommand, runFlashCommand, substitute } from '../../../src/daemon/flash/flash-command.js';
import { systemClock } from '../../../src/shared/clock.js';

const node = process.execPath;
const lines = () => {
  const got: string[] = [];
  return { got, onLine: (l: string) => got.push(l) };
};

describe('flash_command', () => {
  it('fills in {port}, {file} and {offset} (hex) without a shell', () => {
    expect(substitute(['tool', '--port={port}', '{file}@{offset}', '$(rm -rf /)'], { port: '/dev/ttyACM0', file: '/tmp/a b.bin', offset: 0x10000 })).toEqual([
      'tool',
      '--port=/dev/ttyACM0',
      '/tmp/a b.bin@0x10000',
      '$(rm -rf /)',
    ]);
  });

  it('streams the output line by line and reports the exit code', async () => {
    const out = lines();
    const script = 'console.log("Programming " + process.argv[1]); console.error("verify ok at " + process.argv[2]); process.exit(0)';
    const r = await runFlashCommand([node, '-e', script, '{file}', '{offset}'], { port: '/dev/x', file: '/tmp/fw.bin', offset: 0x2000 }, { clock: systemClock, onLine: out.onLine });
    expect(r).toMatchObject({ exitCode: 0, failure: null });
    expect(out.got.sort()).toEqual(['Programming /tmp/fw.bin', 'verify ok at 0x2000']);
  });

  it('says how a failing, missing, hung or stopped command failed', async () => {
    const failing = await runCommand([node, '-e', 'console.error("Error: target not found"); process.exit(3)'], { clock: systemClock, onLine: () => undefined });
    expect(failing.failure).toBe(`'${node}' exited with code 3. Its last output: Error: target not found`);
    const missing = await runCommand(['/nonexistent/openocd', '-f', 'x'], { clock: systemClock, onLine: () => undefined });
    expect(missing.failure).toBe("'/nonexistent/openocd' was not found: install it, or give its absolute path in the board's flash_command.");
    const hung = await runCommand([node, '-e', 'setInterval(() => {}, 1000)'], { clock: systemClock, timeoutMs: 200, onLine: () => undefined });
    expect(hung).toMatchObject({ timedOut: true, signal: 'SIGTERM', failure: `'${node}' did not finish within 0 s and was killed.` });
    const stop = new AbortController();
    const stopped = runCommand([node, '-e', 'console.log("started"); setInterval(() => {}, 1000)'], { clock: systemClock, signal: stop.signal, onLine: () => stop.abort() });
    expect(await stopped).toMatchObject({ aborted: true, failure: `'${node}' was stopped.` });
  });
});
