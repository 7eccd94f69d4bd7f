// Shows the board registry to the session engine as the engine needs it: ids, types, rates, online.
import type { BoardRegistry } from './boards/board-registry.js';
import { boardType } from './boards/board-types.js';
import type { BoardInfo, BoardSource } from './engine/board-allocator.js';

export function boardSource(registry: BoardRegistry): BoardSource {
  return {
    list: (): BoardInfo[] => registry.list(),
    get: (id) => registry.get(id),
    knownTypes: () => registry.types(),
    rateFor: (type) => registry.list().find((b) => b.type === type)?.rate_credits_per_min ?? boardType(type)?.rate_credits_per_min ?? 1,
  };
}
