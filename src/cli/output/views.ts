// Human views of boards, the account, the daemon's health and config values.
import type { Account, Board, Health } from '../../transport/protocol/api.js';
import { VERSION } from '../../shared/version.js';
import { creditCount, credits, orDash, seconds } from './format.js';
import { renderFields, renderTable } from './table.js';

export function boardsTable(boards: readonly Board[]): string {
  // A HOST column once any board is on a joined host: `local` for the coordinator's own. A COORDINATOR column once
  // any is another coordinator's (a create is passed there): `-` for this one's, whose own boards have no host.
  const withHost = boards.some((b) => b.host);
  const withCoordinator = boards.some((b) => b.coordinator);
  const hostOf = (b: Board) => b.host ?? (b.coordinator ? '-' : 'local');
  return renderTable(
    ['id', ...(withCoordinator ? ['coordinator'] : []), ...(withHost ? ['host'] : []), 'type', 'name', 'state', 'rate/min', 'session', 'path'],
    boards.map((b) => [
      b.id,
      ...(withCoordinator ? [orDash(b.coordinator)] : []),
      ...(withHost ? [hostOf(b)] : []),
      b.type,
      b.name,
      b.state,
      credits(b.rate_credits_per_min),
      orDash(b.session_id),
      orDash(b.serial?.path || null),
    ]),
  );
}

export function accountView(a: Account): string {
  const l = a.limits;
  return renderFields([
    ['account', a.account],
    ['tier', a.tier],
    ['balance', a.balance_credits === null ? 'unmetered' : creditCount(a.balance_credits)],
    ['used', `${creditCount(a.credits_used_total)} in total`],
    ['sessions', `${l.max_concurrent} at a time${l.max_session_s === null ? '' : `, at most ${seconds(l.max_session_s)} each`}`],
  ]);
}

export function healthView(h: Health): string {
  const version = h.version === VERSION ? h.version : `${h.version} (this CLI is ${VERSION}: run \`fbay daemon restart\`)`;
  return renderFields([
    ['version', version],
    ['pid', String(h.pid)],
    ['uptime', h.uptime_s < 1 ? '0s' : seconds(Math.floor(h.uptime_s))],
    ['socket', h.socket],
    ['listeners', h.listeners?.length ? h.listeners.join(', ') : '-'],
    ...(h.coordinator ? [['coordinator', h.coordinator] as [string, string]] : []),
  ]) + (h.fleet ? fleetTable(h.fleet) : '');
}

/** The board hosts a coordinator's database records (every coordinator on it sees the same): one line each. */
function fleetTable(hosts: NonNullable<Health['fleet']>): string {
  if (hosts.length === 0) return '\nNo board hosts are recorded in the coordinators\' database.\n';
  return `\n${renderTable(
    ['HOST', 'BOARDS', 'VERSION', 'LAST HEARTBEAT', 'LINK'],
    hosts.map((x) => [x.name, x.boards.length ? x.boards.join(', ') : '-', x.version ?? '-', x.last_heartbeat_at ?? '-', x.link_state]),
  )}`;
}

/** A config value as typed on the command line: strings bare, 'none' for null, JSON for the rest. */
export function configValue(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `key = value` lines for every leaf of a config object, with dotted keys. */
export function configLines(config: Record<string, unknown>, prefix = ''): string {
  let out = '';
  for (const [key, value] of Object.entries(config)) {
    const path = prefix + key;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
      out += configLines(value as Record<string, unknown>, `${path}.`);
    } else {
      out += `${path} = ${configValue(value)}\n`;
    }
  }
  return out;
}
