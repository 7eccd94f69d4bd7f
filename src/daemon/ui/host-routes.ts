// Owner-only routes the dashboard's host page reads: the daemon log's tail and the remote hosts (without their keys).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { ApiError } from '../../transport/protocol/errors.js';
import type { Route } from '../http/router.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';

export const MAX_LOG_LINES = 2000;
const TAIL_BYTES = 512 * 1024;

export interface RemoteView {
  name: string;
  url: string;
  default: boolean;
}

export function ownerOnly(account: string): void {
  if (account !== LOCAL_ACCOUNT) throw new ApiError('forbidden', "Only the machine's owner can see this.");
}

/** The last `lines` lines of `file` (reading at most its last 512 KiB), and its size: where a later read goes on. */
export function tailLines(file: string, lines: number): { text: string; size: number } {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { text: '', size: 0 };
  }
  const start = Math.max(0, size - TAIL_BYTES);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  let text = buf.toString('utf8');
  if (start > 0) text = text.slice(text.indexOf('\n') + 1); // the first line read may be cut
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return { text: all.slice(-lines).join('\n'), size };
}

export function hostRoutes(logFile: string, remotes: () => RemoteView[]): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/daemon/log',
      handler: (r) => {
        ownerOnly(r.account);
        const raw = r.url.searchParams.get('lines') ?? '200';
        const lines = Number(raw);
        if (!/^\d+$/.test(raw) || lines < 1 || lines > MAX_LOG_LINES) {
          throw new ApiError('invalid_request', `lines must be a whole number from 1 to ${MAX_LOG_LINES}; got '${raw.slice(0, 20)}'.`);
        }
        const { text, size } = tailLines(logFile, lines);
        return { status: 200, body: { file: logFile, size, text } };
      },
    },
    {
      method: 'GET',
      path: '/v1/remotes',
      handler: (r) => {
        ownerOnly(r.account);
        return { status: 200, body: { remotes: remotes() } };
      },
    },
  ];
}
