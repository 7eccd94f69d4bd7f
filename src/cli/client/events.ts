// Reads the daemon's Server-Sent Events (`GET /v1/events`) as typed engine events.
import type { IncomingMessage } from 'node:http';
import { ENGINE_EVENT_TYPES, type EngineEvent } from '../../transport/protocol/events.js';
import type { DaemonClient } from './daemon-client.js';

export interface SseMessage {
  event: string;
  data: string;
}

/** An incremental SSE parser (the WHATWG event-stream format): feed it chunks, get whole messages. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone trailing \r may be the first half of \r\n: wait for the next chunk to tell.
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      const message = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n') } : null;
      this.event = '';
      this.data = [];
      return message;
    }
    if (line.startsWith(':')) return null; // a comment, e.g. the daemon's `: ping`
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return null;
  }
}

export interface EventStream {
  /** Called for each engine event, in order. */
  onEvent(listener: (event: EngineEvent) => void): void;
  /** Called once when the stream ends for any reason other than close(). */
  onEnd(listener: (err?: Error) => void): void;
  close(): void;
}

/**
 * Subscribes to engine events; resolves once the daemon has accepted the subscription, so a caller can then read the
 * current state without missing a change that happens in between. Events that arrive before listeners are attached wait.
 */
export async function subscribeEvents(client: DaemonClient, sessionId?: string): Promise<EventStream> {
  const query = sessionId ? `?session=${encodeURIComponent(sessionId)}` : '';
  const res = await client.stream(`/v1/events${query}`);
  return eventStream(res);
}

export function eventStream(res: IncomingMessage): EventStream {
  const parser = new SseParser();
  const pending: EngineEvent[] = [];
  let listener: ((event: EngineEvent) => void) | null = null;
  let endListener: ((err?: Error) => void) | null = null;
  let ended: { err?: Error } | null = null;
  let closed = false;

  const deliver = (event: EngineEvent) => (listener ? listener(event) : pending.push(event));
  const end = (err?: Error) => {
    if (closed || ended) return;
    ended = err ? { err } : {};
    endListener?.(err);
  };

  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    for (const message of parser.push(chunk)) {
      if (closed) return;
      const event = toEngineEvent(message);
      if (event) deliver(event);
    }
  });
  res.on('end', () => end());
  res.on('error', (err) => end(err));
  res.on('close', () => end());

  return {
    onEvent(fn) {
      listener = fn;
      for (const event of pending.splice(0)) if (!closed) fn(event);
    },
    onEnd(fn) {
      endListener = fn;
      if (ended && !closed) fn(ended.err);
    },
    close() {
      closed = true;
      res.destroy();
    },
  };
}

function toEngineEvent(message: SseMessage): EngineEvent | null {
  try {
    const event = JSON.parse(message.data) as Partial<EngineEvent> | null;
    if (typeof event !== 'object' || event === null) return null;
    // The payload names its type; the SSE event name says the same. An unknown type is a newer daemon's: skipped.
    const type = event.type ?? message.event;
    return (ENGINE_EVENT_TYPES as readonly string[]).includes(type) ? ({ ...event, type } as EngineEvent) : null;
  } catch {
    return null;
  }
}
