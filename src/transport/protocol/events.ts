// Engine events as they travel over SSE (`GET /v1/events`) and into WebSocket control frames (STYLE.md §7).
import type { Session, WarningKind } from './api.js';
import type { BrowserSession } from './browser-api.js';
import type { SandboxSession } from './sandbox-api.js';
import type { FlashProgressFields } from './ws-messages.js';

/** A session of any kind as the API shows it: `kind` tells which. */
export type AnySession = Session | BrowserSession | SandboxSession;

export interface StateEvent {
  type: 'state';
  session: AnySession;
}

export interface WarningEvent {
  type: 'warning';
  kind: WarningKind;
  session_id: string;
  /** The instant the warned-about thing happens (idle deadline, credits out, duration cap). */
  at: string;
  seconds_left: number;
}

export interface EndedEvent {
  type: 'ended';
  session_id: string;
  /** The kind's end reason (board: `idle_timeout`…; browser: `user_ended`… or `failed`). */
  reason: string;
  session: AnySession;
}

export interface MeterEvent {
  type: 'meter';
  session_id: string;
  credits_used: number;
  rate_credits_per_min: number;
  /** The account's balance now, or null when unmetered. */
  balance_credits: number | null;
  at: string;
}

/** A flash job's progress, a line of its log, or its end (`state` succeeded or failed, with `error`). */
export interface FlashEvent extends FlashProgressFields {
  type: 'flash';
  session_id: string;
}

export type EngineEvent = StateEvent | WarningEvent | EndedEvent | MeterEvent | FlashEvent;
export type EngineEventType = EngineEvent['type'];

export const ENGINE_EVENT_TYPES: readonly EngineEventType[] = ['state', 'warning', 'ended', 'meter', 'flash'];

export function sessionIdOf(event: EngineEvent): string {
  return event.type === 'state' ? event.session.id : event.session_id;
}
