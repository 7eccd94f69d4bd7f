// The session's serial transcript from the daemon (`GET /v1/sessions/{id}/log`): the bytes, and where it ends.
import type { IncomingMessage } from 'node:http';
import type { DaemonClient } from '../client/daemon-client.js';
import { lostDaemon } from '../client/daemon-errors.js';
import type { ByteSink } from './serial-output.js';

export const LOG_END_HEADER = 'fbay-log-end';

const logPath = (id: string, since: number) => `/v1/sessions/${encodeURIComponent(id)}/log?since=${since}`;

/** Writes the transcript from `since` to `sink`; returns the offset just past its last byte. */
export async function readLog(client: DaemonClient, id: string, since: number, sink: ByteSink): Promise<number> {
  // `stream` is the client's raw GET: the answer is octet-stream, read as it comes rather than held whole.
  const res = await client.stream(logPath(id, since));
  let bytes = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      sink(chunk);
    }
  } catch (err) {
    throw lostDaemon(client.socketPath, err);
  }
  return logEnd(res, since + bytes);
}

/** Where the session's output ends now: the offset the next byte from the board will have. */
export async function currentOffset(client: DaemonClient, id: string): Promise<number> {
  // Asking from past any possible end returns no bytes, only the header.
  const res = await client.stream(logPath(id, Number.MAX_SAFE_INTEGER));
  res.resume();
  return logEnd(res, 0);
}

function logEnd(res: IncomingMessage, fallback: number): number {
  const raw = res.headers[LOG_END_HEADER];
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : fallback;
}
