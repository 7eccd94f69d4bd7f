// What a board's config says it can do besides talk: its entry's flash_command, power and on_end (virtual boards'
// on_end comes from virtual_on_end; their power is simulated). Looked up by board id from the config in effect.
import type { BoardEntryConfig, OnEndConfig } from '../../shared/config/defaults.js';
import { checkEntries, entryId } from './board-entries.js';
import type { EntryActions } from './entry-actions.js';

const VIRTUAL_ID = /^virtual-\d+$/;

export function boardActions(entries: () => readonly BoardEntryConfig[], virtualOnEnd: () => OnEndConfig | null): (boardId: string) => EntryActions {
  let checked: { from: readonly BoardEntryConfig[]; byId: Map<string, EntryActions> } | null = null;
  const byId = () => {
    const now = entries();
    if (checked?.from !== now) {
      let valid: readonly BoardEntryConfig[] = [];
      try {
        valid = checkEntries(now);
      } catch {
        // An invalid list is ignored as a whole (the daemon said so at start): no entry's actions apply.
      }
      checked = { from: now, byId: new Map(valid.map((e) => [entryId(e.name), { ...pick(e) }])) };
    }
    return checked.byId;
  };
  return (boardId) => {
    if (VIRTUAL_ID.test(boardId)) {
      const onEnd = virtualOnEnd();
      return onEnd ? { on_end: onEnd } : {};
    }
    return byId().get(boardId) ?? {};
  };
}

function pick(e: BoardEntryConfig): EntryActions {
  return {
    ...(e.flash_command ? { flash_command: e.flash_command } : {}),
    ...(e.power ? { power: e.power } : {}),
    ...(e.on_end ? { on_end: e.on_end } : {}),
  };
}
