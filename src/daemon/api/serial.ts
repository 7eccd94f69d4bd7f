// Routes for a session's serial line outside the WebSocket: the transcript, and a board reset run on the host.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { ApiError } from '../../transport/protocol/errors.js';
import type { ResetMode } from '../../transport/protocol/ws-messages.js';
import { readJson } from '../http/body.js';
import type { Route } from '../http/router.js';
import type { SessionEngine } from '../engine/session-engine.js';
import type { SessionPorts } from '../serial/session-ports.js';
import type { TranscriptDir } from '../serial/transcript.js';
import { assertSessionId } from './session-request.js';

export const LOG_END_HEADER = 'fbay-log-end';

function parseOffset(raw: string | null, name: string): number {
  if (raw === null) return 0;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new ApiError('invalid_request', `${name} must be a byte offset (a whole number ≥ 0); got '${raw.slice(0, 32)}'.`);
  }
  return n;
}

export function serialRoutes(engine: SessionEngine, ports: SessionPorts, transcripts: TranscriptDir): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/sessions/:id/log',
      handler: (r) => {
        assertSessionId(r.params.id!);
        const s = engine.find(r.account, r.params.id!);
        const since = parseOffset(r.url.searchParams.get('since'), 'since');
        const file = transcripts.path(s.id);
        const size = existsSync(file) ? statSync(file).size : 0;
        r.res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': Math.max(0, size - since),
          [LOG_END_HEADER]: String(size),
        });
        if (since >= size) r.res.end();
        else createReadStream(file, { start: since, end: size - 1 }).pipe(r.res);
        return 'streaming';
      },
    },
    {
      method: 'POST',
      path: '/v1/sessions/:id/reset',
      handler: async (r) => {
        assertSessionId(r.params.id!);
        const s = engine.find(r.account, r.params.id!);
        const body = (await readJson(r.req)) as { mode?: unknown };
        const mode = body.mode ?? 'hard';
        if (mode !== 'hard' && mode !== 'bootloader') {
          throw new ApiError('invalid_request', `mode must be "hard" or "bootloader"; got ${JSON.stringify(mode)}.`);
        }
        const port = ports.portOf(s.id);
        if (!port) {
          throw new ApiError('session_conflict', `Session ${s.id} is ${s.state}: it has no open board to reset.`);
        }
        const offset = ports.offsetOf(s.id) ?? 0;
        await port.control.reset(mode as ResetMode);
        // `offset` is where the reset's output (the boot banner) starts: `fbay serial cat --since OFFSET`.
        return { status: 200, body: { session_id: s.id, mode, offset } };
      },
    },
  ];
}
