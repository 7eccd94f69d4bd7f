// The daemon's view of config.json: read once at start and again on every reload, never per request.
import { ConfigStore } from '../shared/config-store.js';
import { tierTable, type BoardEntryConfig, type FbayConfig, type RemoteEntryConfig } from '../shared/config-keys.js';
import type { FbayPaths } from '../shared/paths.js';
import type { EngineSettings } from './engine/session-engine.js';

export class DaemonSettings {
  private readonly store: ConfigStore;
  private config: FbayConfig;
  private engine: EngineSettings;

  constructor(paths: FbayPaths) {
    this.store = new ConfigStore(paths);
    this.config = this.store.read();
    this.engine = this.derive();
  }

  reload(): void {
    this.config = this.store.read();
    this.engine = this.derive();
  }

  get virtualBoards(): number {
    return this.config.virtual_boards;
  }

  get remotes(): Record<string, RemoteEntryConfig> {
    return this.config.remotes ?? {};
  }

  get defaultRemote(): string | null {
    return this.config.default_remote ?? null;
  }

  get listen(): string | null {
    return this.config.listen ?? null;
  }

  get tls(): { cert?: string; key?: string } | undefined {
    return this.config.tls;
  }

  get boards(): BoardEntryConfig[] {
    return this.config.boards;
  }

  /** Writes the `boards` list back to config.json (fbay boards add/remove go through the daemon). */
  saveBoards(boards: BoardEntryConfig[]): void {
    this.store.set('boards', boards);
    this.reload();
  }

  forEngine(): EngineSettings {
    return this.engine;
  }

  private derive(): EngineSettings {
    return {
      idle_timeout_s: this.config.idle_timeout_s,
      board_grace_s: this.config.board_grace_s,
      tiers: tierTable(this.config),
      account: this.config.account,
    };
  }
}
