// End to end: the built `fbay` creates a real sandbox (bubblewrap, cgroups, Bun), runs commands in it whose output
// and exit code come back as fbay's own, writes and reads its files, and ends it. (execa drops the last newline.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSandboxHost } from '../daemon/sandboxes/harness.js';
import { assertBuilt, Home } from './helpers.js';

let home: Home;
let local: string;
beforeAll(() => {
  assertBuilt();
  requireSandboxHost();
  home = new Home();
  local = mkdtempSync('/tmp/fbay-e-files-');
});
afterAll(async () => {
  await home?.cleanup();
  rmSync(local, { recursive: true, force: true });
});

describe('fbay sandbox', () => {
  let id: string;

  it('create prints the id and the url; show and list find it', async () => {
    const created = await home.fbay('sandbox', 'create', '--ttl', '10m', '--metadata', 'purpose=e2e');
    expect(created.exitCode).toBe(0);
    const [idLine, urlLine] = created.stdout.split('\n');
    id = /^id +(ses_[A-Za-z0-9]{24})$/.exec(idLine!)![1]!;
    expect(urlLine).toMatch(/^url +http:\/\/ses-[a-z0-9]{24}\.localhost:\d+\/\?fbay_token=[A-Za-z0-9_-]{32}$/);
    const shown = await home.json<{ id: string; state: string; ttl_s: number; metadata: object; isolation: { level: string } }>('sandbox', 'show');
    expect(shown).toMatchObject({ id, state: 'active', ttl_s: 600, metadata: { purpose: 'e2e' }, isolation: { level: 'namespaces' } });
    expect((await home.fbay('sandbox', 'list')).stdout).toContain(id);
  });

  it("exec streams the command's stdout and stderr and exits with its exit code", async () => {
    const r = await home.fbay('sandbox', 'exec', id, '--', 'sh', '-c', 'echo out; echo err >&2; exit 7');
    expect(r).toEqual({ exitCode: 7, stdout: 'out', stderr: 'err' });
    const ok = await home.fbay('sandbox', 'exec', '--', 'echo hi | tr a-z A-Z');
    expect(ok).toEqual({ exitCode: 0, stdout: 'HI', stderr: '' });
  });

  it('a file written by one exec is read back by the files command, and one put there is read by the next exec', async () => {
    const wrote = await home.fbay('sandbox', 'exec', id, '--code', "await Bun.write('/workspace/made.txt', `bun ${Bun.version}\\n`)");
    expect(wrote.exitCode).toBe(0);
    const got = await home.fbay('sandbox', 'files', id, 'get', 'made.txt');
    expect(got).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^bun \d+\.\d+\.\d+$/) });

    writeFileSync(join(local, 'in.txt'), 'from the host\n');
    const put = await home.fbay('sandbox', 'files', 'put', join(local, 'in.txt'), 'dir/in.txt');
    expect(put).toMatchObject({ exitCode: 0, stdout: 'Wrote /workspace/dir/in.txt (14 bytes).' });
    expect(await home.fbay('sandbox', 'exec', '--', 'cat', '/workspace/dir/in.txt')).toEqual({ exitCode: 0, stdout: 'from the host', stderr: '' });
    expect((await home.fbay('sandbox', 'files', 'ls')).stdout).toMatch(/^dir\/ +dir /m);
    expect((await home.fbay('sandbox', 'files', 'get', 'dir/in.txt', join(local, 'out.txt'))).exitCode).toBe(0);
    expect(readFileSync(join(local, 'out.txt'), 'utf8')).toBe('from the host\n');
    expect((await home.fbay('sandbox', 'files', 'rm', 'dir')).stdout).toBe('Deleted /workspace/dir.');
    expect((await home.fbay('sandbox', 'files', 'get', 'dir/in.txt')).exitCode).toBe(4);
  });

  it('exec --file runs a local TypeScript file with Bun; a timeout kills it and exits 8', async () => {
    writeFileSync(join(local, 'job.ts'), 'const n: number = 6 * 7;\nconsole.log(`answer ${n}`);\n');
    expect(await home.fbay('sandbox', 'exec', '--file', join(local, 'job.ts'))).toEqual({ exitCode: 0, stdout: 'answer 42', stderr: '' });
    const slow = await home.fbay('sandbox', 'exec', '--timeout', '1s', '--', 'sleep', '30');
    expect(slow.exitCode).toBe(8);
    expect(slow.stderr).toBe('fbay: The command ran past its timeout (1 s) and was killed with its whole process tree.');
  });

  it('end ends it: its url is gone, and an exec on it is refused', async () => {
    const ended = await home.json<{ state: string; url: string | null }>('sandbox', 'end', id);
    expect(ended).toMatchObject({ state: 'ended', url: null });
    const after = await home.fbay('sandbox', 'exec', id, '--', 'true');
    expect(after.exitCode).toBe(5);
    expect(after.stderr).toMatch(new RegExp(`^error: Sandbox ${id} ended \\(user_ended\\) at [0-9T:.-]+Z; its files are gone\\. Create a new one with \`fbay sandbox create\`\\.$`));
  });
});
