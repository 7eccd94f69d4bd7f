// The daemon's view of config.json: read at start and on every reload, never per request; a bad value is logged
// with its key and the daemon keeps running on the last good config.
import { ConfigStore } from '../shared/config-store.js';
import {
  browserPlanTable,
  DEFAULT_CONFIG,
  DEFAULT_SANDBOX,
  sandboxPlanTable,
  type SandboxConfig,
  tierTable,
  type BoardEntryConfig,
  type FbayConfig,
  type OnEndConfig,
  type RemoteEntryConfig,
} from '../shared/config-keys.js';
import type { FbayPaths } from '../shared/paths.js';
import type { TierTables } from './sessions/tiers.js';

export class DaemonSettings {
  private readonly store: ConfigStore;
  private config: FbayConfig = DEFAULT_CONFIG;
  private tables!: TierTables;

  constructor(
    paths: FbayPaths,
    private readonly log: (message: string) => void,
  ) {
    this.store = new ConfigStore(paths);
    this.reload();
  }

  /** Rereads config.json; returns the problems found (each already logged). */
  reload(): string[] {
    const { config, problems } = this.store.reading(this.config);
    for (const p of problems) this.log(`config: ${p}`);
    this.config = config;
    this.tables = { tiers: tierTable(config), browserPlans: browserPlanTable(config), sandboxPlans: sandboxPlanTable(config) };
    return problems;
  }

  get current(): FbayConfig {
    return this.config;
  }

  get virtualBoards(): number {
    return this.config.virtual_boards;
  }

  get idleTimeoutS(): number {
    return this.config.idle_timeout_s;
  }

  get boardGraceS(): number {
    return this.config.board_grace_s;
  }

  get virtualPace(): boolean {
    return this.config.virtual_pace === true;
  }

  get virtualOnEnd(): OnEndConfig | null {
    return this.config.virtual_on_end ?? null;

  }

  get hostGraceS(): number {
    return this.config.host_grace_s ?? 30;
  }

  get join(): NonNullable<FbayConfig['join']> {
    return this.config.join ?? {};
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

  get tls(): { cert?: string | null; key?: string | null } | undefined {
    return this.config.tls;
  }

  get boards(): BoardEntryConfig[] {
    return this.config.boards;
  }

  get browsers() {
    return this.config.browsers;
  }

  get account() {
    return this.config.account;
  }

  /** Sandboxes' settings with their defaults (network and isolation apply from the next daemon start). */
  get sandbox(): Omit<SandboxConfig, 'plans'> {
    const { plans: _plans, ...set } = this.config.sandbox ?? {};
    return { ...DEFAULT_SANDBOX, ...set };
  }

  get tierTables(): TierTables {
    return this.tables;
  }

  /** Writes the `boards` list back to config.json (fbay boards add/remove go through the daemon). */
  saveBoards(boards: BoardEntryConfig[]): void {
    this.store.set('boards', boards);
    this.reload();
  }
}
