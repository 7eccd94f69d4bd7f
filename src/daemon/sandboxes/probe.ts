// What isolation this host can give, probed once when the sandbox host opens: bubblewrap's namespaces (by
// running it), cgroup controllers, a disk quota, the runtime, and an outbound network tool when one is asked for.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findBun, type BunRuntime } from './bun-runtime.js';
import { discoverHierarchies, provider, type Hierarchy } from './cgroup-hierarchies.js';
import type { Isolation, SandboxSettings } from './sandbox-types.js';
import { diskQuotaMissing } from './workspace-disk.js';

export interface HostProbe {
  isolation: Isolation;
  bun: BunRuntime | null;
  hierarchies: Hierarchy[];
  diskQuota: boolean;
  /** Whether sandboxes get their own host user (the daemon runs as root). */
  asRoot: boolean;
  /** slirp4netns, when sandboxes may reach out and the host has it. */
  slirp: string | null;
}

function tryBwrap(bwrap: string): Promise<string | null> {
  const args = ['--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--ro-bind', '/', '/', '--proc', '/proc', '--', '/bin/true'];
  return new Promise((resolve) => {
    execFile(bwrap, args, { timeout: 10_000 }, (err, _out, stderr) => {
      if (!err) return resolve(null);
      const why = stderr.trim().split('\n').at(-1) || err.message;
      resolve(`bubblewrap at ${bwrap} could not make namespaces: ${why}`);
    });
  });
}

export async function probeHost(settings: SandboxSettings): Promise<HostProbe> {
  const asRoot = process.getuid?.() === 0;
  const mechanisms: string[] = [];
  const missing: string[] = [];
  let reason: string | null = null;

  // Bun's version and bubblewrap's trial run at once: both are processes, neither needs the other.
  const installed = !existsSync(settings.bwrapPath)
    ? `bubblewrap is not installed at ${settings.bwrapPath} (apt-get install bubblewrap)`
    : asRoot && !existsSync(settings.setprivPath)
      ? `setpriv is not installed at ${settings.setprivPath} (apt-get install util-linux), so sandboxed code cannot drop root`
      : null;
  const [bun, bwrap] = await Promise.all([findBun(), installed ? Promise.resolve(installed) : tryBwrap(settings.bwrapPath)]);
  if ('missing' in bun) reason = bun.missing;
  else reason = bwrap;
  if (reason === null) {
    mechanisms.push('bubblewrap', 'user namespace', 'pid namespace', 'mount namespace', 'ipc namespace', 'uts namespace', 'network namespace (loopback only)', 'read-only system', 'private /tmp');
    mechanisms.push(asRoot ? 'own host user per sandbox' : "the daemon's user");
  } else {
    missing.push(`namespaces: ${reason}`);
  }

  const hierarchies = discoverHierarchies();
  const has = (what: string[]): Hierarchy | undefined => what.map((w) => provider(hierarchies, w)).find(Boolean);
  for (const [limit, names] of [
    ['memory', ['memory', 'v2:memory']],
    ['cpu', ['cpu', 'v2:cpu']],
    ['pids', ['pids', 'v2:pids']],
  ] as const) {
    const h = has([...names]);
    if (h) mechanisms.push(`cgroup v${h.version} ${limit}`);
    else missing.push(`${limit}: no writable cgroup ${limit} controller for this daemon, so ${limit} is not limited`);
  }
  const freeze = has(['freeze', 'freezer']);
  if (freeze) mechanisms.push(freeze.version === 2 ? 'cgroup v2 freeze' : 'cgroup v1 freezer');
  else missing.push('freezer: no cgroup freezer; idle sandboxes are stopped with SIGSTOP, which a process forking at that moment can race');
  const kill = has(['kill', 'freezer']);
  if (kill) mechanisms.push(kill.version === 2 ? 'cgroup v2 kill' : 'cgroup v1 freeze-and-kill');
  else missing.push('exec-kill: no cgroup to kill a whole process tree; a timed-out exec is killed by process group, which setsid escapes');

  const disk = diskQuotaMissing();
  if (disk) missing.push(disk);
  else mechanisms.push('ext4 image per sandbox (disk quota)');

  let slirp: string | null = null;
  if (settings.network === 'outbound' && reason === null) {
    if (existsSync(settings.slirp4netnsPath)) {
      slirp = settings.slirp4netnsPath;
      mechanisms.push("outbound network through slirp4netns (the host's loopback refused)");
    } else {
      missing.push(`network: sandbox.network is "outbound" but slirp4netns is not installed at ${settings.slirp4netnsPath} (apt-get install slirp4netns); sandboxes have loopback only`);
    }
  }

  const runtime = { name: 'bun' as const, version: 'missing' in bun ? 'missing' : bun.version };
  return {
    isolation: { level: reason === null ? 'namespaces' : 'process', mechanisms, missing, reason, runtime },
    bun: 'missing' in bun ? null : bun,
    hierarchies,
    diskQuota: disk === null,
    asRoot,
    slirp,
  };
}
