// GET /v1/events: Server-Sent Events of every kind's state changes, warnings, endings and meter readings.
import type { EngineEvent } from '../../transport/protocol/events.js';
import { sessionIdOf } from '../../transport/protocol/events.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import { EventsQuery } from '../../transport/protocol/schemas/admin.js';
import { sessionId } from '../../transport/protocol/schemas/sessions.js';
import { parseWith } from '../../transport/protocol/schema-kit.js';
import type { Route } from '../http/router.js';
import type { SessionCore } from '../sessions/session-core.js';
import { query, truthy } from './request.js';

/** A comment line keeps proxies and idle timers from closing a quiet stream; meter readings ride along. */
export const SSE_PING_MS = 15_000;

/** Subscribes to the host's board list changing (hotplug, config); returns the unsubscribe. */
export type BoardsChanged = (listener: () => void) => () => void;

export function eventRoutes(core: SessionCore, boardsChanged: BoardsChanged = () => () => {}): Route[] {
  return [
    {
      method: 'GET',
      path: ROUTES.events,
      summary: 'Server-Sent Events: state changes, warnings, endings, meter readings — every kind.',
      query: EventsQuery,
      handler: (r) => {
        const q = query(r, EventsQuery);
        const only = q.session === undefined ? null : parseWith(sessionId, q.session, 'session');
        // `fbay exec` holds this stream for its whole run: the board stays reserved however long the command takes, and if
        // the CLI dies the session does not outlive it.
        const endOnClose = truthy(q.end_on_close);
        if (endOnClose && only === null) {
          throw new ApiError('invalid_request', 'end_on_close needs session=ID: it ends that session when this stream closes.');
        }
        const held = only !== null ? core.find(r.account, only) : null;
        // Held for the stream's length: a command's reservation does not idle out under it, however long it runs.
        if (endOnClose && held && core.isLive(held)) void core.apply(held, { held: ((held as { held?: number }).held ?? 0) + 1 });
        const mine = (id: string) => {
          try {
            return core.find(r.account, id) !== undefined;
          } catch {
            return false;
          }
        };
        const wanted = (e: EngineEvent) => {
          const id = sessionIdOf(e);
          return (only === null || id === only) && mine(id);
        };
        const res = r.res;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': fbay events\n\n');
        // `boards`: something about the host's boards changed (a board came or went, another account took or freed
        // one) — a page showing the grid reads it again; it says no more than that, so nothing leaks across accounts.
        const boards = () => res.write('event: boards\ndata: {"type":"boards"}\n\n');
        const send = (e: EngineEvent) => {
          if (wanted(e)) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
          else if (only === null && e.type === 'state' && e.session.kind === 'board') boards();
        };
        core.on('event', send);
        const unsubscribe = only === null ? boardsChanged(boards) : () => {};
        const ping = setInterval(() => {
          res.write(': ping\n\n');
          for (const m of core.meterReadings(r.account)) send(m);
        }, SSE_PING_MS);
        const stop = () => {
          clearInterval(ping);
          core.off('event', send);
          unsubscribe();
          if (endOnClose && held) {
            if (core.isLive(held)) void core.apply(held, { held: Math.max(0, ((held as { held?: number }).held ?? 1) - 1), idle_since: core.now() });
            void core.end(r.account, held.id).catch(() => undefined);
          }
        };
        r.req.socket.setTimeout(0);
        res.on('close', stop);
        return 'streaming';
      },
    },
  ];
}
