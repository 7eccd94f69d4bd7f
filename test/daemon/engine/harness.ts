// A session engine on fake boards, fake ports, an in-memory store and vitest's fake clock.
import { vi } from 'vitest';
import { SessionEngine, type EngineSettings } from '../../../src/daemon/engine/session-engine.js';
import { systemClock } from '../../../src/shared/clock.js';
import { MemoryStore } from '../../../src/daemon/store/journal.js';
import type { BoardInfo, PortOpener } from '../../../src/daemon/engine/board-allocator.js';
import type { EngineEvent } from '../../../src/transport/protocol/events.js';
import { DEFAULT_TIERS } from '../../../src/shared/config-keys.js';

export const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);

export interface Harness {
  engine: SessionEngine;
  store: MemoryStore;
  boards: BoardInfo[];
  settings: EngineSettings;
  events: EngineEvent[];
  ports: PortOpener & { opened: string[]; closed: string[]; fail: string | null };
}

export function makeHarness(
  options: { boards?: number; settings?: Partial<EngineSettings>; store?: MemoryStore; keepEnded?: number; failPorts?: string } = {},
): Harness {
  const boards: BoardInfo[] = Array.from({ length: options.boards ?? 2 }, (_, i) => ({
    id: `virtual-${i + 1}`,
    type: 'virtual',
    online: true,
    rate_credits_per_min: 1,
  }));
  const settings: EngineSettings = {
    idle_timeout_s: 30,
    board_grace_s: 5,
    tiers: structuredClone(DEFAULT_TIERS),
    account: { tier: 'local' },
    ...options.settings,
  };
  const ports = {
    opened: [] as string[],
    closed: [] as string[],
    fail: options.failPorts ?? (null as string | null),
    open: async (sessionId: string) => {
      if (ports.fail) throw new Error(ports.fail);
      ports.opened.push(sessionId);
    },
    close: (sessionId: string) => void ports.closed.push(sessionId),
  };
  const store = options.store ?? new MemoryStore();
  const engine = new SessionEngine({
    clock: systemClock,
    store,
    boards: {
      list: () => boards,
      get: (id) => boards.find((b) => b.id === id),
      knownTypes: () => ['esp32-s3', 'usb-serial', 'virtual'],
      rateFor: () => 1,
    },
    ports,
    settings: () => settings,
    wsUrlFor: (id) => `ws+unix:///tmp/x.sock:/v1/sessions/${id}/serial`,
    ...(options.keepEnded === undefined ? {} : { keepEnded: options.keepEnded }),
  });
  const events: EngineEvent[] = [];
  engine.on('event', (e) => events.push(e));
  engine.restore();
  return { engine, store, boards, settings, events, ports };
}

export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(T0);
}

export const ended = (h: Harness) => h.events.filter((e) => e.type === 'ended');
export const warnings = (h: Harness) => h.events.filter((e) => e.type === 'warning');
