// One workspace disk made ahead of time, of the size the last create asked for: its image formatted and mounted,
// lost+found gone, its run dir's tmpfs mounted, all under sandboxes/.spare. The next create of that size renames
// it into place (the mounts move with their directory) and gives its roots to the sandbox's user, instead of
// waiting for mkfs and two mounts; a fresh spare is made behind it. Nothing is made before the first create.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkspaceDisk } from './workspace-disk.js';

export class SpareDisk {
  readonly dir: string;
  #size = 0;
  /** The spare of #size being made or ready: true once ready, false if making it failed. */
  #making: Promise<boolean> | null = null;
  /** Every step on .spare (make, move, remove) runs after the one before: none unmounts what another is using. */
  #chain: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** `root`: the sandboxes' directory, where `.spare` sits beside them (a rename never crosses a filesystem). */
  constructor(
    root: string,
    private readonly log: (message: string) => void,
  ) {
    this.dir = join(root, '.spare');
  }

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(step);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Moves the spare to `sandboxDir` (an empty directory, replaced) if it has `sizeMb`; false: make one. */
  async take(sandboxDir: string, sizeMb: number): Promise<boolean> {
    const making = this.#size === sizeMb ? this.#making : null;
    if (!making) return false;
    this.#making = null; // another create at the same moment makes its own
    // The host closing meanwhile deletes the spare: it is not moved.
    const moved = await this.#serial(async () => {
      if (!(await making) || this.#closed) return false;
      await rename(this.dir, sandboxDir);
      return true;
    });
    // The next one is made while this sandbox's runtime starts (its CPU and cgroups, not the disk, are busy then).
    if (moved) this.fill(sizeMb);
    return moved;
  }

  /** Starts making a spare of `sizeMb` unless one is ready or on its way; one of another size goes. */
  fill(sizeMb: number): void {
    if (this.#closed || (this.#making && this.#size === sizeMb)) return;
    this.#size = sizeMb;
    this.#making = this.#serial(() => this.#make(sizeMb)).then(
      () => true,
      (err: Error) => {
        this.log(`sandboxes: could not make a spare disk ahead of time (${err.message}); each create makes its own`);
        void this.#serial(() => this.#remove()).catch(() => undefined);
        return false;
      },
    );
  }

  /** Unmounts and deletes the spare as the host closes, once every step under way is done; no other is made. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#making = null;
    await this.#serial(() => this.#remove());
  }

  /** One a daemon that did not close left behind: unmounted and deleted as the host opens. */
  leftover(): Promise<void> {
    return this.#serial(() => this.#remove());
  }

  async #make(sizeMb: number): Promise<void> {
    await this.#remove();
    await mkdir(this.dir, { mode: 0o711 });
    // Root's until taken: the create that takes it hands its roots to the sandbox's user.
    await new WorkspaceDisk(this.dir, { uid: 0, gid: 0 }, true).create(sizeMb);
  }

  async #remove(): Promise<void> {
    if (!existsSync(this.dir)) return;
    await new WorkspaceDisk(this.dir, { uid: 0, gid: 0 }, true).unmount();
    await rm(this.dir, { recursive: true, force: true });
  }
}
