// End to end: `fbay sandbox logs --follow` on the built binary against a real sandbox (bubblewrap, Bun): a background
// process's output as it comes, every byte once, from the start or from --since, until the process exits (0) or
// Ctrl-C (130). The tests wait on what the followers print, never on time.
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSandboxHost } from '../daemon/sandboxes/harness.js';
import { assertBuilt, Home } from './helpers.js';

let home: Home;
let id: string;
beforeAll(async () => {
  assertBuilt();
  requireSandboxHost();
  home = new Home();
  id = (await home.json<{ id: string }>('sandbox', 'create', '--ttl', '10m')).id;
});
afterAll(async () => {
  await home?.cleanup();
});

/** Resolves once `text` has come on the stream (what came so far, all of it). */
function printed(stream: Readable, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (!seen.includes(text)) return;
      stream.off('data', onData);
      resolve(seen);
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`the stream ended before '${text}' came; it had: ${JSON.stringify(seen)}`)));
  });
}

async function background(script: string): Promise<number> {
  return (await home.json<{ pid: number }>('sandbox', 'exec', id, '--background', '--', script)).pid;
}

describe('fbay sandbox logs --follow', () => {
  // One line, then the rest over time once the test opens the gate, then it exits 3.
  const script = "echo line 1; while [ ! -e /workspace/gate ]; do sleep 0.05; done; for i in 2 3 4 5; do echo line $i; sleep 0.1; done; exit 3";
  const all = 'line 1\nline 2\nline 3\nline 4\nline 5'; // execa drops the last newline

  it('prints every line once as it comes and exits 0 when the process exits; one started later, or --since, reads what came before', async () => {
    const pid = await background(script);
    const early = home.start('sandbox', 'logs', id, String(pid), '--follow');
    expect(await printed(early.stdout!, 'line 1\n')).toBe('line 1\n');
    // The first line is out and the process waits at the gate: a follower started now must print that line too.
    const late = home.start('sandbox', 'logs', String(pid), '-f');
    const resumed = home.start('sandbox', 'logs', id, String(pid), '--follow', '--since', '7');
    expect(await printed(late.stdout!, 'line 1\n')).toBe('line 1\n');
    expect(early.exitCode).toBeNull(); // still following: the process has not exited

    expect((await home.fbay('sandbox', 'exec', id, '--', 'touch /workspace/gate')).exitCode).toBe(0);
    const [a, b, c] = await Promise.all([early, late, resumed]);
    expect(a).toMatchObject({ exitCode: 0, stdout: all, stderr: '' });
    expect(b).toMatchObject({ exitCode: 0, stdout: all, stderr: '' });
    expect(c).toMatchObject({ exitCode: 0, stdout: all.slice('line 1\n'.length), stderr: '' });

    // Once it has exited, a follow prints what there is and exits at once.
    expect(await home.fbay('sandbox', 'logs', id, String(pid), '--follow')).toEqual({ exitCode: 0, stdout: all, stderr: '' });
  });

  it('Ctrl-C stops following with exit 130; the process goes on', async () => {
    const pid = await background('echo tick; exec sleep 600');
    const follow = home.start('sandbox', 'logs', id, String(pid), '--follow');
    await printed(follow.stdout!, 'tick\n');
    follow.kill('SIGINT');
    expect(await follow).toMatchObject({ exitCode: 130, stdout: 'tick' });
    const ps = await home.json<{ processes: { pid: number; state: string }[] }>('sandbox', 'ps', id);
    expect(ps.processes.find((p) => p.pid === pid)?.state).toBe('running');
    expect((await home.fbay('sandbox', 'kill', id, String(pid))).exitCode).toBe(0);
  });

  it('an unknown pid is exit 4 at once', async () => {
    const r = await home.fbay('sandbox', 'logs', id, '999999', '--follow');
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^error: .*999999/);
  });
});
