// The bubblewrap command line for one sandbox: every namespace of its own, a read-only system, its own
// /workspace, a private /tmp, the run dir for the agent's relay socket, and nothing else of the host.
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Inside the sandbox: where the runtime and the agent are, and who the code runs as. */
export const INSIDE = {
  bin: '/opt/fbay/bin',
  bun: '/opt/fbay/bin/bun',
  /** The agent's directory (its modules) is bound at `agentDir`; the agent is its entry. */
  agentDir: '/opt/fbay/agent',
  agent: '/opt/fbay/agent/agent.js',
  run: '/run/fbay',
  workspace: '/workspace',
  uid: 1000,
  gid: 1000,
};

/** Read-only system directories; each is bound when it is a directory, recreated as the same symlink when one. */
const SYSTEM = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];

export interface BwrapPlan {
  workspace: string;
  runDir: string;
  bun: string;
  agent: string;
  /** Bytes of the private /tmp (a tmpfs, charged to the sandbox's memory). */
  tmpBytes: number;
  /** Host paths to blank out should they sit inside a system directory the sandbox reads. */
  hidden: string[];
  /** When the daemon is root: the agent drops to the sandbox user with setpriv (see runtime-process.ts). */
  setpriv: string | null;
  /** With outbound network: a resolv.conf naming slirp4netns's DNS, in place of the host's. */
  resolvConf: string | null;
}

/** The agent keeps its extension inside: Bun reads .ts as TypeScript (a source checkout), .js as JavaScript. */
function insideAgent(host: string): string {
  return host.endsWith('.ts') ? INSIDE.agent.replace(/\.js$/, '.ts') : INSIDE.agent;
}

function kind(path: string): 'dir' | 'file' | 'symlink' | null {
  try {
    const st = lstatSync(path);
    return st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

function hide(path: string): string[] {
  if (!SYSTEM.some((dir) => path === dir || path.startsWith(`${dir}/`))) return [];
  try {
    return statSync(path).isDirectory() ? ['--tmpfs', path] : ['--ro-bind', '/dev/null', path];
  } catch {
    return [];
  }
}

export function bwrapArgs(plan: BwrapPlan): string[] {
  const args = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-net',
    // Made once bwrap is in the sandbox's group, so /proc/self/cgroup inside shows only paths below it.
    '--unshare-cgroup-try',
    // The daemon writes the uid/gid maps itself (fd 3 releases bwrap, fd 4 tells the pid), and moves the
    // processes into the sandbox's cgroups in that pause, before any of the sandbox's code has run.
    '--userns-block-fd',
    '3',
    '--info-fd',
    '4',
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'sandbox',
  ];
  for (const dir of SYSTEM) {
    const k = kind(dir);
    if (k === 'symlink') args.push('--symlink', readlinkSync(dir), dir);
    else if (k === 'dir') args.push('--ro-bind', dir, dir);
  }
  args.push(
    '--proc', '/proc',
    '--dev', '/dev',
    '--perms', '1777', '--size', String(plan.tmpBytes), '--tmpfs', '/tmp',
    // bwrap makes missing parents 0700 as root; the sandbox user must reach through them.
    ...['/run', '/opt', '/opt/fbay', INSIDE.bin].flatMap((d) => ['--perms', '0755', '--dir', d]),
    '--bind', plan.runDir, INSIDE.run,
    '--bind', plan.workspace, INSIDE.workspace,
    '--ro-bind', plan.bun, INSIDE.bun,
    '--symlink', 'bun', `${INSIDE.bin}/bunx`,
    '--ro-bind', dirname(plan.agent), INSIDE.agentDir,
  );
  if (plan.setpriv) args.push('--ro-bind', plan.setpriv, '/opt/fbay/setpriv');
  if (plan.resolvConf) args.push('--ro-bind', plan.resolvConf, '/etc/resolv.conf');
  for (const path of plan.hidden) args.push(...hide(path));
  args.push('--chdir', INSIDE.workspace, '--');
  if (plan.setpriv) {
    // Root in the sandbox's user namespace is host root (the mounts need it); the code itself runs as 1000.
    args.push('/opt/fbay/setpriv', `--reuid=${INSIDE.uid}`, `--regid=${INSIDE.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--');
  }
  args.push(INSIDE.bun, insideAgent(plan.agent));
  return args;
}

/**
 * The environment every process in the sandbox starts from (plus the request's own `env`). At the `process`
 * level there is no private /tmp, so scratch goes to the sandbox's own run dir instead of the host's /tmp.
 */
export function baseEnv(workspace = INSIDE.workspace, tmp = '/tmp'): Record<string, string> {
  return {
    PATH: `${INSIDE.bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: workspace,
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    USER: 'user',
    PORT: '3000',
    // Packages a sandbox installs stay with its files across deep sleep; Bun's transpiler cache is scratch.
    BUN_INSTALL_CACHE_DIR: `${workspace}/.bun/install/cache`,
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: `${tmp}/.bun-transpiler-cache`,
    DO_NOT_TRACK: '1',
  };
}
