// Test helpers for the reconnecting WebSocket: build one against a test server and wait on its events.
import { vi } from 'vitest';
import {
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
  type ReconnectState,
  type StateInfo,
} from '../../../src/transport/reconnecting-websocket.js';

type EventName = 'state' | 'open' | 'message' | 'retry' | 'closed';

/** Only setTimeout and Date: ws and net need real setImmediate and nextTick to move bytes while time stands still. */
export const useFakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

export function makeClient(url: () => string, options: Partial<ReconnectingWebSocketOptions> = {}) {
  const urlSpy = vi.fn(url);
  const rws = new ReconnectingWebSocket({ url: urlSpy, reconnectWindowMs: 28_000, ...options });
  const states: Array<[ReconnectState, StateInfo]> = [];
  rws.on('state', (state, info) => states.push([state, info]));
  return { rws, url: urlSpy, states };
}

/** Resolves with the first of the named events (and its arguments) that the client emits. */
export function next(rws: ReconnectingWebSocket, ...names: EventName[]): Promise<{ name: EventName; args: unknown[] }> {
  const emitter = rws as unknown as NodeJS.EventEmitter;
  return new Promise((resolve) => {
    const handlers = names.map((name) => {
      const handler = (...args: unknown[]) => {
        names.forEach((n, i) => emitter.off(n, handlers[i]!));
        resolve({ name, args });
      };
      emitter.on(name, handler);
      return handler;
    });
  });
}
