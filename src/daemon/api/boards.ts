// Boards: GET lists what this host offers (free or not, and your session on it); POST/DELETE edit the config entries.
import type { Board } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import { BoardEntryBody } from '../../transport/protocol/schemas/admin.js';
import type { BoardEntryConfig } from '../../shared/config-keys.js';
import type { BoardRecord } from '../boards/board-registry.js';
import { checkEntries, checkNewEntry, defaultEntryName, entryId } from '../boards/board-entries.js';
import { knownBoardTypes } from '../boards/board-types.js';
import type { Route } from '../http/router.js';
import type { CoreRecord } from '../sessions/record.js';
import type { SessionCore } from '../sessions/session-core.js';
import { ownerOnly } from './admin.js';
import { body } from './request.js';
import { targetHost, type RemoteRouting } from './remote-target.js';

/** What POST/DELETE /v1/boards need: the entries in config, and a way to save and apply a new list. */
export interface BoardEntryStore {
  entries(): BoardEntryConfig[];
  save(entries: BoardEntryConfig[]): void;
}

/** What the board list adds from the host's upkeep: an on_end restore under way or failed, and the power switch. */
export interface BoardUpkeepView {
  restore(id: string): { state: 'flashing' | 'offline'; reason: string } | null;
  power(id: string): Board['power'];
  /** How the board is flashed and the most an upload may carry. */
  flash?(id: string): Board['flash'];
}

const NO_UPKEEP: BoardUpkeepView = { restore: () => null, power: () => ({ control: null, state: 'on' }) };

export function boardView(b: BoardRecord, holder: CoreRecord | undefined, account: string, upkeep: BoardUpkeepView = NO_UPKEEP): Board {
  const restore = holder ? null : upkeep.restore(b.id);
  return {
    id: b.id,
    type: b.type,
    name: b.name,
    state: !b.online ? (b.held_on_host ? 'reserved' : 'offline') : holder ? (holder.state === 'flashing' ? 'flashing' : 'reserved') : (restore?.state ?? 'available'),
    rate_credits_per_min: b.rate_credits_per_min,
    serial: {
      path: b.path,
      vid: b.vid,
      pid: b.pid,
      serial_number: b.serial_number,
      manufacturer: b.manufacturer,
      product: b.product,
      location: b.location,
    },
    session_id: holder && holder.account === account ? holder.id : null,
    power: upkeep.power(b.id),
    ...(upkeep.flash ? { flash: upkeep.flash(b.id) } : {}),
    reason: restore?.reason ?? null,
    host: b.host ?? null,
  };
}

const OWNER_ONLY = "Only the machine's owner can change its boards.";

/** On a coordinator: the boards the other coordinators of its database offer, as the caller sees them. */
export type OtherBoards = (account: string) => Promise<Board[]>;

export function boardRoutes(core: SessionCore, boards: () => BoardRecord[], store: BoardEntryStore, remotes?: RemoteRouting, upkeep?: BoardUpkeepView, others?: OtherBoards): Route[] {
  const view = (id: string, account: string) => {
    const b = boards().find((x) => x.id === id);
    return b ? boardView(b, core.holders().get(b.id), account, upkeep) : null;
  };
  return [
    {
      method: 'POST',
      path: ROUTES.boards,
      summary: 'Add a board entry to config (owner only).',
      body: BoardEntryBody,
      handler: async (r) => {
        ownerOnly(r.account, OWNER_ONLY);
        const { new_type: newType = false, ...fields } = await body(r, BoardEntryBody);
        if (fields.path !== undefined && fields.serial_number !== undefined) {
          throw new ApiError('invalid_request', 'Give a path or a serial_number to find the board by, not both.');
        }
        // new_type: true says a type no board has yet is meant, not a typo (`fbay boards add --new-type`).
        const entry = { ...fields, name: fields.name ?? defaultEntryName(fields) } as BoardEntryConfig;
        const entries = [...store.entries(), entry];
        const known = [...knownBoardTypes().map((t) => t.type), ...boards().map((b) => b.type), ...store.entries().map((e) => e.type)];
        try {
          checkEntries(entries);
          checkNewEntry(entry, store.entries(), known, newType);
        } catch (err) {
          throw new ApiError('invalid_request', `${(err as Error).message}.`);
        }
        store.save(entries);
        return { status: 201, body: view(entryId(entry.name), r.account) };
      },
    },
    {
      method: 'DELETE',
      path: ROUTES.board,
      summary: 'Remove a board entry from config (owner only).',
      handler: (r) => {
        ownerOnly(r.account, OWNER_ONLY);
        const name = r.params.name!;
        const entries = store.entries();
        const entry = entries.find((e) => e.name === name || entryId(e.name) === name);
        if (!entry) {
          const names = entries.map((e) => e.name);
          throw new ApiError('not_found', `No board entry '${name}' in config.${names.length ? ` Entries: ${names.join(', ')}.` : ' There are none.'} Only boards added with \`fbay boards add\` can be removed.`);
        }
        const holder = core.holders().get(entryId(entry.name));
        if (holder) {
          throw new ApiError('session_conflict', `Board '${entry.name}' is reserved by ${holder.id}; end that session first (\`fbay session end ${holder.id}\`).`);
        }
        store.save(entries.filter((e) => e !== entry));
        return { status: 200, body: { removed: entry } };
      },
    },
    {
      method: 'GET',
      path: ROUTES.boards,
      summary: "The boards this host offers (a coordinator's: and those of the other coordinators of its database).",
      handler: async (r) => {
        const host = targetHost(r, remotes);
        if (host) return { status: 200, body: await remotes!.hosts.get(host, '/v1/boards') };
        const holders = core.holders();
        const own = boards().map((b) => boardView(b, holders.get(b.id), r.account, upkeep));
        // Another coordinator's boards, where they can be read now (a store away lists this one's only).
        const elsewhere = others ? await others(r.account).catch(() => []) : [];
        return { status: 200, body: { boards: [...own, ...elsewhere] } };
      },
    },
  ];
}
