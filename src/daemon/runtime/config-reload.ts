// `fbay config set` on a running daemon: config.json read again, and what changed applied to the live parts — with
// what a change does to live sessions said (a board a smaller virtual_boards takes away).
import type { DaemonParts } from '../compose.js';
import type { DaemonSettings } from '../settings.js';

type ReloadParts = Pick<DaemonParts, 'core' | 'registry' | 'browsers' | 'browserHost'>;

export function reloadConfig(
  { core, registry, browsers, browserHost }: ReloadParts,
  settings: DaemonSettings,
  log: (line: string) => void,
  changed: string[],
): { problems: string[]; notices: string[] } {
  const problems = settings.reload();
  // Boards a smaller virtual_boards takes away: their sessions end with board_lost after the grace, said now.
  const notices = [...core.holders()]
    .filter(([id]) => /^virtual-\d+$/.test(id) && Number(id.slice(8)) > settings.virtualBoards)
    .map(([id, s]) => `board ${id} goes away with virtual_boards = ${settings.virtualBoards}: session ${s.id} ends (board_lost) in ${settings.boardGraceS} s unless it comes back.`);
  registry.setVirtualCount(settings.virtualBoards);
  try {
    registry.setEntries(settings.boards);
  } catch (err) {
    log(`config: the boards list is invalid, keeping the previous one: ${(err as Error).message}`);
  }
  void core.configureOwner(changed.includes('account.balance_credits'));
  browsers.capacityChanged();
  void browserHost.setWarm(settings.browsers.warm);
  log(`config reloaded (${changed.join(', ') || 'all'})`);
  for (const n of notices) log(n);
  return { problems, notices };
}
