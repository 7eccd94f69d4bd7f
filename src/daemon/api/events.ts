// GET /v1/events: Server-Sent Events of state changes, warnings, endings and meter readings for the caller's sessions.
import type { EngineEvent } from '../../transport/protocol/events.js';
import { sessionIdOf } from '../../transport/protocol/events.js';
import type { Route } from '../http/router.js';
import type { SessionEngine } from '../engine/session-engine.js';
import { assertSessionId } from './session-request.js';
import { ApiError } from '../../transport/protocol/errors.js';

/** A comment line keeps proxies and idle timers from closing a quiet stream; meter readings ride along. */
export const SSE_PING_MS = 15_000;

export function eventRoutes(engine: SessionEngine): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/events',
      handler: (r) => {
        const only = r.url.searchParams.get('session');
        if (only !== null) assertSessionId(only);
        // `fbay exec` holds this stream for its whole run: if the CLI dies, the session does not outlive it.
        const endOnClose = ['1', 'true'].includes(r.url.searchParams.get('end_on_close') ?? '');
        if (endOnClose && only === null) {
          throw new ApiError('invalid_request', 'end_on_close needs session=ID: it ends that session when this stream closes.');
        }
        if (only !== null) engine.find(r.account, only);
        const wanted = (e: EngineEvent) => {
          const id = sessionIdOf(e);
          return (only === null || id === only) && engine.ownerOf(id) === r.account;
        };
        const res = r.res;
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': fbay events\n\n');
        const send = (e: EngineEvent) => {
          if (wanted(e)) res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
        };
        engine.on('event', send);
        const ping = setInterval(() => {
          res.write(': ping\n\n');
          for (const m of engine.meterReadings(r.account)) send(m);
        }, SSE_PING_MS);
        const stop = () => {
          clearInterval(ping);
          engine.off('event', send);
          if (endOnClose && only !== null) engine.end(r.account, only, 'user_ended');
        };
        r.req.socket.setTimeout(0);
        res.on('close', stop);
        return 'streaming';
      },
    },
  ];
}
