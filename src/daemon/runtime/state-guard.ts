// Notices the state directory being deleted under a running daemon (rm -rf by hand, a cleanup script) and rebuilds
// it from memory: the journal rewritten whole, API keys saved again, transcripts started anew — with what was lost said.
import { existsSync, mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface StateGuardActions {
  /** Rewrites the journal from the records in memory (nothing of it is lost). */
  rewriteJournal(): Promise<void>;
  /** Saves the API keys again. */
  saveKeys(): void;
  /** Starts each live session's transcript anew; returns a sentence per session whose earlier output is gone. */
  restartTranscripts(): string[];
  log(message: string): void;
}

export class StateGuard {
  private watcher: FSWatcher | null = null;
  /** The parent's watcher: the directory's own one may say nothing when the directory itself goes (inotify). */
  private parent: FSWatcher | null = null;
  private recovering = false;

  constructor(
    private readonly stateDir: string,
    private readonly actions: StateGuardActions,
  ) {
    this.arm();
  }

  private arm(): void {
    this.watcher?.close();
    try {
      this.watcher = watch(this.stateDir, () => this.check());
      // A watched directory that is removed ends its watcher with an error on some systems: that is the news too.
      this.watcher.on('error', () => this.check());
    } catch {
      this.watcher = null;
    }
  }

  /** Runs on every change in the directory: cheap unless the directory itself is gone. */
  check(): void {
    // A change inside may be a deletion under way (rm -rf empties it first): look again once it has had time to end.
    if (!this.again) {
      this.again = setTimeout(() => {
        this.again = null;
        this.checkNow();
      }, 200);
      this.again.unref();
    }
    this.checkNow();
  }

  private again: NodeJS.Timeout | null = null;

  private checkNow(): void {
    if (this.recovering || existsSync(this.stateDir)) return;
    this.recovering = true;
    void this.recover().finally(() => (this.recovering = false));
  }

  private async recover(): Promise<void> {
    const { log } = this.actions;
    log(`state: ${this.stateDir} was deleted under the running daemon; recreating it from memory`);
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    await this.actions.rewriteJournal();
    this.actions.saveKeys();
    const lost = this.actions.restartTranscripts();
    log(`state: the journal and API keys are written again${lost.length ? `; lost: ${lost.join('; ')}` : '; no serial output was lost'}`);
    this.arm();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    this.parent?.close();
    this.parent = null;
    if (this.again) clearTimeout(this.again);
    this.again = null;
  }
}
