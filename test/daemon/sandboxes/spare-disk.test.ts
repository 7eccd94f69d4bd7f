// The workspace disk made ahead of time, on real loop mounts: taken by the create of its size, made again behind
// it, and never left mounted when the host closes in the middle of a take or while another size is being made.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SpareDisk } from '../../../src/daemon/sandboxes/spare-disk.js';
import { isMountPoint, WorkspaceDisk } from '../../../src/daemon/sandboxes/workspace-disk.js';
import { requireSandboxHost } from './harness.js';

let root: string;
let logs: string[];
let spare: SpareDisk;
const mountsUnder = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4]?.startsWith(dir));

beforeAll(requireSandboxHost);
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fbay-spare-'));
  logs = [];
  spare = new SpareDisk(root, (m) => logs.push(m));
});
afterEach(async () => {
  for (const name of ['a', 'b']) if (existsSync(join(root, name))) await new WorkspaceDisk(join(root, name), { uid: 0, gid: 0 }, true).unmount();
  rmSync(root, { recursive: true, force: true });
});

const sandboxDir = (name: string) => {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
};

describe('SpareDisk', () => {
  it('is taken by a create of its size (mounted where the sandbox is), and another is made behind it', async () => {
    expect(await spare.take(sandboxDir('a'), 64)).toBe(false);
    spare.fill(64);
    expect(await spare.take(sandboxDir('b'), 32)).toBe(false);
    expect(await spare.take(join(root, 'a'), 64)).toBe(true);
    expect(isMountPoint(join(root, 'a', 'workspace'))).toBe(true);
    await spare.close();
    expect(existsSync(spare.dir)).toBe(false);
    expect(mountsUnder(spare.dir)).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('closing during a take leaves nothing mounted, and the take moves nothing', async () => {
    spare.fill(64);
    const taking = spare.take(sandboxDir('a'), 64);
    await spare.close();
    expect(await taking).toBe(false);
    expect(mountsUnder(root)).toEqual([]);
    expect(existsSync(spare.dir)).toBe(false);
  });

  it('a spare of another size asked for while one is being taken waits for the move, and unmounts nothing taken', async () => {
    spare.fill(64);
    const taking = spare.take(sandboxDir('a'), 64);
    spare.fill(32);
    expect(await taking).toBe(true);
    expect(isMountPoint(join(root, 'a', 'workspace'))).toBe(true);
    // The take makes the next one of its own size: the last create's.
    expect(await spare.take(sandboxDir('b'), 32)).toBe(false);
    expect(await spare.take(join(root, 'b'), 64)).toBe(true);
    expect(isMountPoint(join(root, 'a', 'workspace'))).toBe(true);
    expect(isMountPoint(join(root, 'b', 'workspace'))).toBe(true);
    await spare.close();
    expect(mountsUnder(spare.dir)).toEqual([]);
    expect(logs).toEqual([]);
  });
});
