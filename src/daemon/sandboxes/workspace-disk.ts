// A sandbox's /workspace as its own ext4 image, loop-mounted: a real quota (the filesystem is the size of the
// plan's disk), and a filesystem no hard link can cross. Needs root, mkfs.ext4 and loop devices; without them the
// workspace is a plain directory and `disk` is reported missing.
import { execFile } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';

const run = promisify(execFile);

export const MKFS = '/usr/sbin/mkfs.ext4';

/** Why a real disk quota cannot be had here, or null when it can. */
export function diskQuotaMissing(mkfs = MKFS): string | null {
  if (process.getuid?.() !== 0) return 'disk: the daemon does not run as root, so /workspace cannot be its own loop-mounted filesystem and has no size limit';
  if (!existsSync(mkfs)) return `disk: ${mkfs} is missing (apt-get install e2fsprogs), so /workspace has no size limit`;
  if (!existsSync('/dev/loop-control')) return 'disk: this host has no loop devices (/dev/loop-control), so /workspace has no size limit';
  return null;
}

function unescapeMount(s: string): string {
  return s.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Every mount point this process sees, read once for all the checks of one step. */
function mountPoints(): Set<string> {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  return new Set(text.split('\n').map((line) => unescapeMount(line.split(' ')[4] ?? '')));
}

export function isMountPoint(dir: string): boolean {
  return mountPoints().has(dir);
}

/**
 * One shell for the steps of a mount or unmount, their paths as its arguments: each process the daemon starts
 * is a fork of the whole daemon, the costliest part of these steps on a busy host, so one instead of three.
 */
function sh(script: string, args: string[]): Promise<unknown> {
  return run('/bin/sh', ['-c', script, 'fbay-disk', ...args]);
}

// $1 mkfs options, $2 the image, $3 its mount point, $4 the run dir, $5 the run dir's tmpfs options.
const MOUNT_WORKSPACE = 'mount -o loop,nosuid,nodev,noatime "$2" "$3"';
const MOUNT_RUN = 'mount -t tmpfs -o "$5" tmpfs "$4"';
const MOUNT_BOTH = `${MOUNT_WORKSPACE} && ${MOUNT_RUN}`;

/** The run dir (the relay socket, resolv.conf) is the sandbox's to write: a tmpfs this small, not the host's disk. */
const RUN_DIR_BYTES = 1 << 20;

/** A disk made ahead of time (spare-disk.ts): moved to a sandbox's directory when it has the size asked for. */
export interface MadeAhead {
  take(sandboxDir: string, sizeMb: number): Promise<boolean>;
}

export class WorkspaceDisk {
  readonly image: string;
  readonly mountPoint: string;
  readonly runDir: string;
  /** Whether the files are reachable at the mount point (always, for a plain directory). */
  mounted: boolean;

  constructor(
    private readonly sandboxDir: string,
    private readonly owner: { uid: number; gid: number },
    private readonly quota: boolean,
  ) {
    this.image = join(sandboxDir, 'workspace.ext4');
    this.mountPoint = join(sandboxDir, 'workspace');
    this.runDir = join(sandboxDir, 'run');
    this.mounted = !quota || (existsSync(this.mountPoint) && isMountPoint(this.mountPoint));
  }

  /** Makes the image (sparse: it takes only what is written) or the plain directory, and mounts it. */
  async create(sizeMb: number, ahead: MadeAhead | null = null): Promise<void> {
    if (this.quota && ahead && (await ahead.take(this.sandboxDir, sizeMb))) {
      // The same filesystem and tmpfs as made below, with their roots given to this sandbox's user now.
      chownSync(this.mountPoint, this.owner.uid, this.owner.gid);
      chownSync(this.runDir, this.owner.uid, this.owner.gid);
      this.mounted = true;
      return;
    }
    mkdirSync(this.mountPoint, { recursive: true, mode: 0o755 });
    if (!this.quota) {
      if (process.getuid?.() === 0) chownSync(this.mountPoint, this.owner.uid, this.owner.gid);
      return;
    }
    closeSync(openSync(this.image, 'w', 0o600));
    truncateSync(this.image, sizeMb * (1 << 20));
    mkdirSync(this.runDir, { recursive: true, mode: 0o755 });
    const { uid, gid } = this.owner;
    // No reserved blocks (the sandbox gets the whole size), lazy init (a 5 GB image formats in ~10 ms). An empty
    // /workspace, as the sandbox's code expects: e2fsck makes lost+found again should it need one.
    await sh(`${MKFS} -q -F -m 0 -E "$1" "$2" && ${MOUNT_BOTH} && rmdir "$3/lost+found"`, [`root_owner=${uid}:${gid},lazy_itable_init=1,lazy_journal_init=1`, this.image, this.mountPoint, this.runDir, this.runDirOptions]);
    this.mounted = true;
  }

  get hasImage(): boolean {
    return this.quota && existsSync(this.image);
  }

  async mount(): Promise<void> {
    if (this.hasImage) {
      const mounts = mountPoints();
      const workspace = !mounts.has(this.mountPoint);
      const run = !mounts.has(this.runDir);
      mkdirSync(this.mountPoint, { recursive: true });
      mkdirSync(this.runDir, { recursive: true, mode: 0o755 });
      if (workspace && run) await sh(MOUNT_BOTH, ['', this.image, this.mountPoint, this.runDir, this.runDirOptions]);
      else if (workspace) await sh(MOUNT_WORKSPACE, ['', this.image, this.mountPoint]);
      else if (run) await sh(MOUNT_RUN, ['', '', '', this.runDir, this.runDirOptions]);
    }
    this.mounted = true;
  }

  get runDirOptions(): string {
    return `size=${RUN_DIR_BYTES},mode=0755,uid=${this.owner.uid},gid=${this.owner.gid},nosuid,nodev,noexec`;
  }

  async unmount(): Promise<void> {
    if (!this.hasImage) return;
    const mounts = mountPoints();
    this.mounted = false;
    // The run dir lazily: nothing of worth is on it, and a socket still open to it must not keep the workspace
    // mounted. The workspace not: the loop device goes with the mount (mount -o loop sets autoclear).
    const steps = [mounts.has(this.runDir) ? 'umount -l "$1"' : '', mounts.has(this.mountPoint) ? 'umount "$2"' : ''].filter(Boolean);
    if (steps.length > 0) await sh(steps.join(' && '), [this.runDir, this.mountPoint]);
  }
}
