// Engine events as they travel over SSE (`GET /v1/events`) and into WebSocket control frames (STYLE.md §7).
import type { EndReason, Session, WarningKind } from './api.js';

export interface StateEvent {
  type: 'state';
  session: Session;
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
  reason: EndReason;
  session: Session;
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

export type EngineEvent = StateEvent | WarningEvent | EndedEvent | MeterEvent;
export type EngineEventType = EngineEvent['type'];

export const ENGINE_EVENT_TYPES: readonly EngineEventType[] = ['state', 'warning', 'ended', 'meter'];

export function sessionIdOf(event: EngineEvent): string {
  return event.type === 'state' ? event.session.id : event.session_id;
}
