// Starting a sandbox's runtime from what its host knows, and how the sandbox's processes see their world (their
// paths, environment and Bun) at each isolation level.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../transport/protocol/errors.js';
import { baseEnv, INSIDE } from './bwrap-args.js';
import { SLIRP_DNS } from './outbound-network.js';
import { Runtime } from './runtime-process.js';
import type { Leaf } from './sandbox-cgroup.js';
import type { SandboxContext } from './sandbox-context.js';
import type { SandboxLimits } from './sandbox-types.js';

export interface RunView {
  env: Record<string, string>;
  bun: string;
  cwd: string;
}

/** Inside namespaces the fixed paths of the mount namespace; at the `process` level the host's own paths. */
export function runView(ctx: SandboxContext, workspace: string, runDir: string): RunView {
  if (ctx.level === 'namespaces') return { env: baseEnv(), bun: INSIDE.bun, cwd: INSIDE.workspace };
  return { env: baseEnv(workspace, runDir), bun: ctx.probe.bun!.path, cwd: workspace };
}

export interface StartOptions {
  limits: SandboxLimits;
  /** The workspace and run dir in place: bwrap waits for it (its process is made and put in its cgroup meanwhile). */
  files: Promise<unknown>;
  owner: { uid: number; gid: number } | null;
  leaf: Leaf | null;
  workspace: string;
  runDir: string;
}

/**
 * Starts the runtime while `files` are put in place; whatever fails, the runtime has ended before this answers,
 * and a disk that could not be made fails the start with its own error.
 */
export async function startRuntime(ctx: SandboxContext, o: StartOptions): Promise<Runtime> {
  const resolvConf = ctx.probe.slirp ? join(o.runDir, 'resolv.conf') : null;
  // On the run dir's tmpfs, so once it is mounted.
  const files = resolvConf ? o.files.then(() => writeFileSync(resolvConf, `nameserver ${SLIRP_DNS}\n`)) : o.files;
  const starting = Runtime.start({
    mode: ctx.level,
    bwrap: ctx.settings.bwrapPath,
    owner: o.owner,
    leaf: o.leaf,
    clock: ctx.clock,
    slirp: ctx.probe.slirp,
    files,
    plan: {
      workspace: o.workspace,
      runDir: o.runDir,
      bun: ctx.probe.bun!.path,
      agent: ctx.agentPath,
      tmpBytes: o.limits.memory_mb * (1 << 20),
      hidden: ctx.hidden,
      setpriv: o.owner ? ctx.settings.setprivPath : null,
      resolvConf,
    },
  });
  const ended = starting.then(
    () => undefined,
    () => undefined,
  );
  try {
    await files;
  } catch (err) {
    await ended;
    throw err;
  }
  try {
    return await starting;
  } catch (err) {
    throw new ApiError('upstream_unavailable', `The sandbox could not start: ${(err as Error).message}.`);
  }
}
