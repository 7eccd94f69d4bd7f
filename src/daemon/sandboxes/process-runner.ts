// Starts processes through one runtime's agent, each in a fresh cgroup leaf before it runs, and routes their
// output and exit back by request id.
import { setPriority } from 'node:os';
import { ApiError } from '../../transport/protocol/errors.js';
import type { AgentMessage } from './agent-channel.js';
import type { Runtime } from './runtime-process.js';
import type { Leaf, SandboxCgroup } from './sandbox-cgroup.js';

export interface Started {
  /** The pid inside the sandbox (what its own `ps` and `kill` see). */
  pid: number;
  /** The same process as the host sees it (null without cgroups, where the daemon does not look it up). */
  hostPid: number | null;
  leaf: Leaf | null;
  /** Kills the process and everything it started (the whole leaf; without cgroups, its process group). */
  kill(): Promise<void>;
  /** For a process started with `hold`: its stdin, then end of input (a warm Bun's code). */
  feed(text: string): void;
}

export interface Spec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Given to the process on stdin once it is released (Bun's code). */
  stdin?: string;
  /** Release it with stdin left open, for `feed` later. */
  hold?: boolean;
  /** A nice value to start it with (a warm Bun loads at 19, out of the way of the sandbox's running code). */
  nice?: number;
  leafName: string;
  onOutput(fd: 1 | 2, data: Buffer): void;
  onExit(code: number | null, signal: string | null): void;
}

interface Pending {
  spec: Spec;
  spawned?: (pid: number) => void;
  failed?: (error: Error) => void;
}

export class ProcessRunner {
  #next = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(
    private readonly runtime: Runtime,
    private readonly cgroup: SandboxCgroup | null,
    private readonly runtimeLeaf: Leaf | null,
  ) {
    runtime.channel.on('message', (m) => this.#route(m));
    runtime.once('exit', (reason) => {
      for (const [id, p] of this.#pending) {
        p.failed?.(new ApiError('upstream_unavailable', `${capital(reason)}; the next request starts it again, files as they were.`));
        p.spec.onExit(null, 'SIGKILL');
        this.#pending.delete(id);
      }
    });
  }

  async start(spec: Spec): Promise<Started> {
    if (!this.runtime.alive) throw new Error("the sandbox's runtime is not running");
    const id = this.#next++;
    const p: Pending = { spec };
    this.#pending.set(id, p);
    const spawned = new Promise<number>((resolve, reject) => {
      p.spawned = resolve;
      p.failed = reject;
      this.runtime.channel.send({ t: 'spawn', id, argv: spec.argv, env: spec.env, cwd: spec.cwd, ...(spec.stdin !== undefined ? { stdin: spec.stdin } : {}) });
    });
    // The leaf is made while the agent spawns: its mkdirs are off the path from `spawned` to `release`.
    const leaf = this.cgroup && this.runtimeLeaf ? this.cgroup.leaf(spec.leafName, 'process') : null;
    const nsPid = await spawned
      .catch((err: unknown) => {
        leaf?.remove();
        throw err;
      })
      .finally(() => {
        p.spawned = undefined;
        p.failed = undefined;
      });
    let hostPid: number | null = null;
    if (leaf && this.runtimeLeaf) {
      const host = this.runtime.hostPid(nsPid, this.runtimeLeaf.pids());
      if (host === null || !(await leaf.add(host))) {
        // The agent named a process that is not its fresh child: do not let it run outside its own leaf.
        this.runtime.channel.send({ t: 'signal', id, sig: 'SIGKILL' });
        leaf.remove();
        throw new ApiError('upstream_unavailable', `The sandbox's agent reported pid ${nsPid}, which is not a process it just started; nothing was run.`);
      }
      hostPid = host;
      if (spec.nice !== undefined) renice(host, spec.nice);
    }
    this.runtime.channel.send({ t: 'release', id, ...(spec.hold ? { open: true } : {}) });
    return {
      pid: nsPid,
      hostPid,
      leaf,
      feed: (text) => this.runtime.channel.send({ t: 'feed', id, text }),
      kill: async () => {
        if (leaf) await leaf.kill();
        else this.runtime.channel.send({ t: 'signal', id, sig: 'SIGKILL' });
      },
    };
  }

  #route(m: AgentMessage): void {
    if (m.t === 'ready') return;
    const p = this.#pending.get(m.id);
    if (!p) return;
    if (m.t === 'spawned') p.spawned?.(m.pid);
    else if (m.t === 'failed') {
      this.#pending.delete(m.id);
      if (p.failed) p.failed(new ApiError('upstream_unavailable', `The process could not be started in the sandbox: ${m.error} (if the sandbox is at its process limit, end some of its processes).`));
      else p.spec.onExit(127, null);
    } else if (m.t === 'out') p.spec.onOutput(m.fd, Buffer.from(m.b64, 'base64'));
    else if (m.t === 'exit') {
      this.#pending.delete(m.id);
      p.spec.onExit(m.code, m.signal);
    }
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Best effort: only root may raise a priority again, and a process may be gone already. */
export function renice(hostPid: number, nice: number): void {
  try {
    setPriority(hostPid, nice);
  } catch {
    // Not permitted (not root) or exited: it runs at the priority it has.
  }
}
