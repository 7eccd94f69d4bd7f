// Boards: GET lists what this host offers (free or not, and your session on it); POST/DELETE edit the config entries.
import type { Board } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { BoardEntryConfig } from '../../shared/config-keys.js';
import type { BoardRecord } from '../boards/board-registry.js';
import { checkEntries, entryId } from '../boards/board-entries.js';
import { readJson } from '../http/body.js';
import type { Route } from '../http/router.js';
import { LOCAL_ACCOUNT, type SessionEngine } from '../engine/session-engine.js';
import { targetHost, type RemoteRouting } from './remote-target.js';

/** What POST/DELETE /v1/boards need: the entries in config, and a way to save and apply a new list. */
export interface BoardEntryStore {
  entries(): BoardEntryConfig[];
  save(entries: BoardEntryConfig[]): void;
}

const ENTRY_FIELDS = ['name', 'type', 'path', 'serial_number', 'baud', 'rate_credits_per_min', 'reset_hard', 'reset_bootloader'];

export function boardView(b: BoardRecord, holder: string | undefined, visibleHolder: boolean): Board {
  return {
    id: b.id,
    type: b.type,
    name: b.name,
    state: !b.online ? 'offline' : holder ? 'reserved' : 'available',
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
    session_id: visibleHolder && holder ? holder : null,
  };
}

export function boardRoutes(engine: SessionEngine, boards: () => BoardRecord[], store: BoardEntryStore, remotes?: RemoteRouting): Route[] {
  const view = (id: string, account: string) => {
    const b = boards().find((x) => x.id === id);
    const holder = b ? engine.holders().get(b.id) : undefined;
    return b ? boardView(b, holder, holder !== undefined && engine.ownerOf(holder) === account) : null;
  };
  return [
    {
      method: 'POST',
      path: '/v1/boards',
      handler: async (r) => {
        ownerOnly(r.account);
        const entry = parseEntry(await readJson(r.req));
        const entries = [...store.entries(), entry];
        try {
          checkEntries(entries);
        } catch (err) {
          throw new ApiError('invalid_request', `${(err as Error).message}.`);
        }
        store.save(entries);
        return { status: 201, body: view(entryId(entry.name), r.account) };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/boards/:name',
      handler: (r) => {
        ownerOnly(r.account);
        const name = r.params.name!;
        const entries = store.entries();
        const entry = entries.find((e) => e.name === name || entryId(e.name) === name);
        if (!entry) {
          const names = entries.map((e) => e.name);
          throw new ApiError('not_found', `No board entry '${name}' in config.${names.length ? ` Entries: ${names.join(', ')}.` : ' There are none.'} Only boards added with \`fbay boards add\` can be removed.`);
        }
        const holder = engine.holders().get(entryId(entry.name));
        if (holder) {
          throw new ApiError('session_conflict', `Board '${entry.name}' is reserved by ${holder}; end that session first (\`fbay session end ${holder}\`).`);
        }
        store.save(entries.filter((e) => e !== entry));
        return { status: 200, body: { removed: entry } };
      },
    },
    {
      method: 'GET',
      path: '/v1/boards',
      handler: async (r) => {
        const host = targetHost(r, remotes);
        if (host) return { status: 200, body: await remotes!.get(host, '/v1/boards') };
        const holders = engine.holders();
        const list = boards().map((b) => {
          const holder = holders.get(b.id);
          return boardView(b, holder, holder !== undefined && engine.ownerOf(holder) === r.account);
        });
        return { status: 200, body: { boards: list } };
      },
    },
  ];
}

function ownerOnly(account: string): void {
  if (account !== LOCAL_ACCOUNT) throw new ApiError('forbidden', "Only the machine's owner can change its boards.");
}

/** A board entry from a request body: known fields only; a missing name is taken from the path or serial number. */
function parseEntry(body: unknown): BoardEntryConfig {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('invalid_request', 'The body must be a board entry like {"type": "esp32-s3", "path": "/dev/ttyACM0"}.');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !ENTRY_FIELDS.includes(k));
  if (unknown.length) throw new ApiError('invalid_request', `Unknown field '${unknown[0]}'. Allowed: ${ENTRY_FIELDS.join(', ')}.`);
  if (fields.path !== undefined && fields.serial_number !== undefined) {
    throw new ApiError('invalid_request', 'Give a path or a serial_number to find the board by, not both.');
  }
  const from = typeof fields.path === 'string' ? fields.path.split('/').pop() : typeof fields.serial_number === 'string' ? `${String(fields.type)}-${fields.serial_number}` : undefined;
  const name = fields.name ?? (from ? entryId(from) : undefined);
  return { ...fields, name } as BoardEntryConfig;
}
