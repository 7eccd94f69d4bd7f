// The serial WebSocket from the CLI's side: connects (a refused upgrade becomes the daemon's own error), then hands
// every frame on as one typed event, in order.
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { VERSION } from '../../shared/version.js';
import { parseServerMessage, type ClientMessage, type ServerMessage } from '../../transport/protocol/ws-messages.js';
import { daemonNotRunning, fromErrorResponse, interrupted, isNotListening, lostDaemon } from './daemon-errors.js';
import { VERSION_HEADER } from './daemon-client.js';

/** Frames sent to the daemon are at most this big, so one huge write never becomes one huge frame. */
export const MAX_SEND_FRAME = 64 * 1024;

export type SerialEvent =
  | { type: 'data'; chunk: Buffer }
  | { type: 'message'; message: ServerMessage }
  | { type: 'closed'; code: number; reason: string };

export interface SerialConnection {
  /** The one listener; events that arrive before it is set are kept and delivered to it first. */
  listen(listener: (event: SerialEvent) => void): void;
  /** Sends bytes as binary frames; resolves once the socket has taken them (the next frame waits for that). */
  write(data: Uint8Array): Promise<void>;
  /** Closes with 1000 and resolves once the daemon answers the close: it has then handled every frame sent before. */
  end(): Promise<void>;
  /** Drops the connection now. */
  destroy(): void;
  /** Sends a control message (reset, baud, break, signals) as a text frame; optional so test doubles may leave it out. */
  control?(message: ClientMessage): Promise<void>;
  /** Stops reading frames (backpressure: the daemon queues for us, then sends a `gap`) until resume(). */
  pause?(): void;
  resume?(): void;
}

export interface ConnectOptions {
  /** Replay from this output offset; absent: live output only. */
  since?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The session's ws_url with `?since=`. */
export function serialUrl(wsUrl: string, since?: number): string {
  if (since === undefined) return wsUrl;
  return `${wsUrl}${wsUrl.includes('?') ? '&' : '?'}since=${since}`;
}

export function connectSerial(wsUrl: string, { since, signal }: ConnectOptions = {}): Promise<SerialConnection> {
  if (signal?.aborted) return Promise.reject(interrupted());
  const socketPath = /^ws\+unix:\/\/([^:]*):/.exec(wsUrl)?.[1] ?? wsUrl;
  const ws = new WebSocket(serialUrl(wsUrl, since), { perMessageDeflate: false, headers: { [VERSION_HEADER]: VERSION } });
  const connection = wrap(ws);
  return new Promise<SerialConnection>((resolve, reject) => {
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) resolve(connection);
      else {
        ws.terminate();
        reject(err);
      }
    };
    const onAbort = () => settle(interrupted());
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.once('open', () => settle());
    ws.on('error', (err) => settle(isNotListening(err) ? daemonNotRunning(socketPath, err) : lostDaemon(socketPath, err)));
    // The daemon refuses an upgrade (ended or unknown session) with an HTTP status and its JSON error body.
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      readBody(res).then(
        (text) => settle(fromErrorResponse(res.statusCode ?? 500, parseOrNull(text))),
        (err: unknown) => settle(lostDaemon(socketPath, err)),
      );
    });
  });
}

function wrap(ws: WebSocket): SerialConnection {
  const pending: SerialEvent[] = [];
  let listener: ((event: SerialEvent) => void) | null = null;
  const deliver = (event: SerialEvent) => (listener ? listener(event) : pending.push(event));
  const closed = new Promise<void>((resolve) => {
    ws.on('close', (code, reason) => {
      deliver({ type: 'closed', code, reason: reason.toString('utf8') });
      resolve();
    });
  });
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) deliver({ type: 'data', chunk: data });
    else {
      const message = parseServerMessage(data.toString('utf8'));
      if (message) deliver({ type: 'message', message });
    }
  });

  const sendFrame = (frame: Uint8Array) =>
    new Promise<void>((resolve, reject) => ws.send(frame, { binary: true, compress: false }, (err) => (err ? reject(err) : resolve())));

  return {
    listen(fn) {
      listener = fn;
      for (const event of pending.splice(0)) fn(event);
    },
    async write(data) {
      for (let at = 0; at < data.length; at += MAX_SEND_FRAME) await sendFrame(data.subarray(at, at + MAX_SEND_FRAME));
    },
    async end() {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'done');
      await closed;
    },
    destroy() {
      ws.terminate();
    },
    pause() {
      ws.pause();
    },
    resume() {
      ws.resume();
    },
    control(message) {
      return new Promise<void>((resolve, reject) => ws.send(JSON.stringify(message), { binary: false }, (err) => (err ? reject(err) : resolve())));
    },
  };
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
