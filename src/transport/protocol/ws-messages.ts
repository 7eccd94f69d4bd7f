// Text-frame control messages on the serial WebSocket (DESIGN.md §4).
import * as v from 'valibot';
import { ClientMessage as ClientMessageSchema } from './schemas/control.js';
import type { EndReason, Session, WarningKind } from './api.js';
import type { FlashJobState, FlashPhase } from './flash-api.js';

// Server → client
export type { FlashPhase };
export type ServerMessage =
  | ({ type: 'state' } & Session)
  | { type: 'warning'; kind: WarningKind; at: string; seconds_left: number }
  | { type: 'ended'; reason: EndReason; session: Session }
  | { type: 'gap'; lost_bytes: number }
  | ({ type: 'flash' } & FlashProgressFields)
  | { type: 'error'; error: string; code: string };

/** A flash job's progress as consoles and `GET /v1/events` get it; `line` is one line of the flasher's log. */
export interface FlashProgressFields {
  job_id: string;
  state: FlashJobState;
  phase: FlashPhase;
  written: number;
  total: number;
  kbit_s: number;
  line?: string;
  error?: string;
  failure?: string;
}

// Client → server: the schemas in schemas/control.ts are the contract; these are their types.
export type ResetMode = 'hard' | 'bootloader';
export type ClientMessage = ClientMessageSchema;
export type ClientMessageType = ClientMessage['type'];
export type ResetMessage = Extract<ClientMessage, { type: 'reset' }>;
export type SignalsMessage = Extract<ClientMessage, { type: 'signals' }>;
export type BaudMessage = Extract<ClientMessage, { type: 'baud' }>;
export type BreakMessage = Extract<ClientMessage, { type: 'break' }>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a client text frame; returns null when it is not a well-formed control message (unknown keys included). */
export function parseClientMessage(text: string): ClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const result = v.safeParse(ClientMessageSchema, value);
  return result.success ? result.output : null;
}

export function parseServerMessage(text: string): ServerMessage | null {
  try {
    const value = JSON.parse(text) as unknown;
    return isObj(value) && typeof value.type === 'string' ? (value as ServerMessage) : null;
  } catch {
    return null;
  }
}
