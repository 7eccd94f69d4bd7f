// The session core with the board kind on fake boards, fake ports, an in-memory store and vitest's fake clock.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import type { Session } from '../../../../src/transport/protocol/api.js';
import type { EngineEvent } from '../../../../src/transport/protocol/events.js';
import { systemClock } from '../../../../src/shared/clock.js';
import { browserPlanTable, DEFAULT_CONFIG, sandboxPlanTable, tierTable, type TierConfig } from '../../../../src/shared/config-keys.js';
import { boardKind } from '../../../../src/daemon/providers/board/board-kind.js';
import { BoardProvider, type BoardLines, type BoardSource, type BoardUpkeep } from '../../../../src/daemon/providers/board/board-provider.js';
import { BoardRestore } from '../../../../src/daemon/providers/board/board-restore.js';
import type { BoardRecord } from '../../../../src/daemon/providers/board/board-record.js';
import type { AccountSettings } from '../../../../src/daemon/sessions/accounts.js';
import { SessionCore } from '../../../../src/daemon/sessions/session-core.js';
import { ResourceNames } from '../../../../src/daemon/sessions/resource-names.js';
import type { SessionStore } from '../../../../src/daemon/sessions/store/store.js';
import type { Stores } from '../../../helpers/stores.js';

export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

export interface BoardSettings {
  idle_timeout_s: number;
  board_grace_s: number;
  tiers: Record<string, Partial<TierConfig>>;
  account: AccountSettings;
}

interface FakeBoard {
  id: string;
  type: string;
  online: boolean;
  rate_credits_per_min: number;
}

/** The serial lines, faked: opening records the session (or fails), and the test raises the line's events. */
class FakePorts extends EventEmitter {
  opened: string[] = [];
  closed: string[] = [];
  fail: string | null = null;
  private readonly open = new Set<string>();
  async openBoard(sessionId: string): Promise<void> {
    if (this.fail) throw new Error(this.fail);
    this.opened.push(sessionId);
    this.open.add(sessionId);
  }
  async close(sessionId: string): Promise<void> {
    this.open.delete(sessionId);
    this.closed.push(sessionId);
  }
  clients = 0;
  clientsOf(): number {
    return this.clients;
  }
  has(sessionId: string): boolean {
    return this.open.has(sessionId);
  }
}

export interface HarnessOptions {
  boards?: number;
  settings?: Partial<BoardSettings>;
  /** The store of a daemon that stopped: this one starts on what it kept. */
  store?: SessionStore;
  keepEnded?: number;
  failPorts?: string;
  /** A coordinator sharing the store with others (PostgreSQL): its name. */
  coordinator?: string;
  restore?: BoardUpkeep;
}

/** The harness on one kind of store (journal or PostgreSQL). */
export const harnessOn = (stores: Stores) => (options: HarnessOptions = {}) => makeHarness(stores, options);

const isFinal = (s: { state: string }) => s.state === 'ended';

export async function makeHarness(stores: Stores, options: HarnessOptions = {}) {
  const boards: FakeBoard[] = Array.from({ length: options.boards ?? 2 }, (_, i) => ({ id: `virtual-${i + 1}`, type: 'virtual', online: true, rate_credits_per_min: 1 }));
  const settings: BoardSettings = { idle_timeout_s: 30, board_grace_s: 5, tiers: {}, account: { tier: 'local' }, ...options.settings };
  const ports = new FakePorts();
  const names = new ResourceNames(options.coordinator ?? null);
  ports.fail = options.failPorts ?? null;
  const registry = Object.assign(new EventEmitter(), {
    list: () => boards,
    get: (id: string) => boards.find((b) => b.id === id),
    types: () => ['esp32-s3', 'usb-serial', 'virtual'],
  }) as unknown as BoardSource;
  const restore = options.restore ?? new BoardRestore({ registry: registry as never, onEnd: () => null, flashCommand: () => null, clock: systemClock, log: () => {} });
  const provider = new BoardProvider({ registry, ports: ports as unknown as BoardLines, restore, idleTimeoutS: () => settings.idle_timeout_s, now: () => Date.now(), log: () => {}, names });
  const store = options.store ? await stores.reopen(options.store, isFinal) : stores.open(isFinal, options.coordinator);
  const config = () => ({ ...DEFAULT_CONFIG, tiers: settings.tiers });
  const core = new SessionCore({
    clock: systemClock,
    store,
    kinds: [boardKind({ graceS: () => settings.board_grace_s, wsUrlFor: (id) => `ws+unix:///tmp/x.sock:/v1/sessions/${id}/serial`, clientsOf: () => 0 })],
    providers: { board: provider },
    tiers: () => ({ tiers: tierTable(config()), browserPlans: browserPlanTable(config()), sandboxPlans: sandboxPlanTable(config()) }),
    ownerAccount: () => settings.account,
    log: () => {},
    ...(options.keepEnded === undefined ? {} : { keepEnded: options.keepEnded }),
    ...(options.coordinator ? { coordinator: options.coordinator, peerLagMs: 1000 } : {}),
  });
  const events: EngineEvent[] = [];
  core.on('event', (e) => events.push(e));
  await core.restore();
  const find = (id: string) => core.find('local', id) as BoardRecord;
  return {
    core,
    store,
    boards,
    settings,
    events,
    ports,
    provider,
    find,
    view: (id: string) => core.view(find(id)) as Session,
    create: async (req: Record<string, unknown>, key: string | null = null, account = 'local') =>
      core.view(await core.create(account, 'board', req, { idempotencyKey: key })) as Session,
    /** Ends a session now (the state changes at once; durability is the store's business). */
    end: (id: string) => {
      void core.end('local', id);
      return core.view(find(id)) as Session;
    },
    clients: (id: string, count: number) => ports.emit('clients', id, count),
    lost: (id: string) => ports.emit('lost', id),
    back: (id: string) => ports.emit('back', id),
  };
}

export type Harness = Awaited<ReturnType<typeof makeHarness>>;

export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(T0);
}

export const ended = (h: Harness) => h.events.filter((e) => e.type === 'ended');
export const warnings = (h: Harness) => h.events.filter((e) => e.type === 'warning');
