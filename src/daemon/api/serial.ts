// Routes for a session's serial line outside the WebSocket: the transcript, and a board reset run on the host.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { ApiError } from '../../transport/protocol/errors.js';
import { HEADERS } from '../../transport/protocol/headers.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import { offset, ResetBody } from '../../transport/protocol/schemas/sessions.js';
import * as v from 'valibot';
import type { Route } from '../http/router.js';
import type { SessionPorts } from '../serial/session-ports.js';
import type { TranscriptDir } from '../serial/transcript.js';
import type { SessionCore } from '../sessions/session-core.js';
import { body, idParam, query } from './request.js';

export const LOG_END_HEADER = HEADERS.logEnd;
const LogQuery = v.strictObject({ since: v.optional(offset('since')) });

export function serialRoutes(core: SessionCore, ports: SessionPorts, transcripts: TranscriptDir): Route[] {
  return [
    {
      method: 'GET',
      path: ROUTES.log,
      summary: "The session's serial transcript, from ?since=OFFSET.",
      query: LogQuery,
      handler: async (r) => {
        const s = core.find(r.account, idParam(r), 'board');
        const since = query(r, LogQuery).since ?? 0;
        // The transcript is written behind the line: what the line has had when this asks is all in the answer.
        await ports.written(s.id);
        const file = transcripts.path(s.id);
        const size = existsSync(file) ? statSync(file).size : 0;
        r.res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': Math.max(0, size - since),
          [LOG_END_HEADER]: String(size),
        });
        if (since >= size) r.res.end();
        else createReadStream(file, { start: since, end: size - 1 }).pipe(r.res);
        return 'streaming' as const;
      },
    },
    {
      method: 'POST',
      path: ROUTES.reset,
      summary: 'Reset the board (hard, or into its bootloader) with its reset sequence, on the host.',
      body: ResetBody,
      handler: async (r) => {
        const s = core.find(r.account, idParam(r), 'board');
        const mode = (await body(r, ResetBody)).mode ?? 'hard';
        const port = ports.portOf(s.id);
        if (!port) throw new ApiError('session_conflict', `Session ${s.id} is ${s.state}: it has no open board to reset.`);
        const at = ports.offsetOf(s.id) ?? 0;
        await port.control.reset(mode);
        // `offset` is where the reset's output (the boot banner) starts: `fbay serial cat --since OFFSET`.
        return { status: 200, body: { session_id: s.id, mode, offset: at } };
      },
    },
  ];
}
