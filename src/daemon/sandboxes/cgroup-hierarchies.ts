// Which cgroup hierarchies this host has (v1, v2 or both), where this process sits in each, and which we can write.
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One mounted hierarchy, at this process's own place in it (sandbox groups are made below that). */
export interface Hierarchy {
  version: 1 | 2;
  /** Absolute directory of this process's own cgroup in the hierarchy. */
  base: string;
  /** v1: the controllers bound to it; v2: those enabled for our children, plus the core `freeze`, `kill` and `cpustat`. */
  controllers: Set<string>;
}

interface Mount {
  point: string;
  fstype: string;
  root: string;
  options: string[];
}

function mounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const [fstype, , superOptions] = right.split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    out.push({ point: f[4]!.replace(/\\040/g, ' '), root: f[3]!, fstype, options: (superOptions ?? '').split(',') });
  }
  return out;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Our cgroup path as a directory of the mount (a mount may show a subtree: its root is cut off the path). */
function under(mount: Mount, path: string): string {
  return join(mount.point, path.slice(mount.root === '/' ? 0 : mount.root.length)).replace(/(.)\/$/, '$1');
}

const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct', 'freezer'];

/** The writable hierarchies we use, keyed by what each gives; read from /proc so it reflects this process's view. */
export function discoverHierarchies(procSelfCgroup = '/proc/self/cgroup', mountinfo = '/proc/self/mountinfo'): Hierarchy[] {
  const found: Hierarchy[] = [];
  const all = mounts(readOr(mountinfo, ''));
  for (const line of readOr(procSelfCgroup, '').split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, , list, path] = m as unknown as [string, string, string, string];
    if (list === '') {
      const mount = all.find((x) => x.fstype === 'cgroup2');
      if (!mount) continue;
      const base = under(mount, path);
      if (!writable(base)) continue;
      const controllers = new Set(['freeze', 'kill', 'cpustat']);
      // A controller we may enable for children is one our own group already offers to its children, or that
      // our parent gave us (cgroup.controllers) and we can switch on here.
      for (const c of readOr(join(base, 'cgroup.controllers'), '').trim().split(/\s+/)) if (c) controllers.add(`v2:${c}`);
      found.push({ version: 2, base, controllers });
      continue;
    }
    const names = list.split(',').filter((c) => V1_CONTROLLERS.includes(c));
    if (names.length === 0) continue;
    const mount = all.find((x) => x.fstype === 'cgroup' && names.every((n) => x.options.includes(n)));
    if (!mount) continue;
    const base = under(mount, path);
    if (!writable(base)) continue;
    found.push({ version: 1, base, controllers: new Set(names) });
  }
  return found;
}

/** The hierarchy that provides `what` (a v1 controller, or for v2 `freeze`, `kill`, `cpustat` or `v2:memory` …). */
export function provider(hierarchies: Hierarchy[], what: string): Hierarchy | undefined {
  return hierarchies.find((h) => h.controllers.has(what));
}
