// Text-frame control messages on the serial WebSocket, as tagged types with guards (DESIGN.md §4).
import type { EndReason, Session, WarningKind } from './api.js';

// Server → client
export type ServerMessage =
  | ({ type: 'state' } & Session)
  | { type: 'warning'; kind: WarningKind; at: string; seconds_left: number }
  | { type: 'ended'; reason: EndReason; session: Session }
  | { type: 'gap'; lost_bytes: number }
  | { type: 'error'; error: string; code: string };

// Client → server
export type ResetMode = 'hard' | 'bootloader';
export interface ResetMessage { type: 'reset'; mode: ResetMode }
export interface SignalsMessage { type: 'signals'; dtr?: boolean; rts?: boolean }
export interface BaudMessage { type: 'baud'; rate: number }
export interface BreakMessage { type: 'break' }
export type ClientMessage = ResetMessage | SignalsMessage | BaudMessage | BreakMessage;
export type ClientMessageType = ClientMessage['type'];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optBool = (v: unknown) => v === undefined || typeof v === 'boolean';

export const clientMessageGuards: { [K in ClientMessageType]: (m: Record<string, unknown>) => boolean } = {
  reset: (m) => m.mode === 'hard' || m.mode === 'bootloader',
  signals: (m) => optBool(m.dtr) && optBool(m.rts),
  baud: (m) => Number.isInteger(m.rate) && (m.rate as number) > 0,
  break: () => true,
};

/** Parses a client text frame; returns null when it is not a well-formed control message. */
export function parseClientMessage(text: string): ClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(value) || typeof value.type !== 'string') return null;
  const guard = clientMessageGuards[value.type as ClientMessageType];
  return guard && guard(value) ? (value as unknown as ClientMessage) : null;
}

export function parseServerMessage(text: string): ServerMessage | null {
  try {
    const value = JSON.parse(text) as unknown;
    return isObj(value) && typeof value.type === 'string' ? (value as ServerMessage) : null;
  } catch {
    return null;
  }
}
