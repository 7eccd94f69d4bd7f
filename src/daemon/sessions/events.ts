// The core's typed events, for every kind: what `GET /v1/events` streams and serial clients are told.
import type { EngineEvent } from '../../transport/protocol/events.js';

export type CoreEvent = EngineEvent;

export interface CoreEvents {
  event: [CoreEvent];
}
