// The board session state machine of DESIGN §3: which transitions are allowed, and nothing else.
import type { BoardSessionState } from '../../transport/protocol/api.js';

const NEXT: Record<BoardSessionState, readonly BoardSessionState[]> = {
  pending: ['allocating', 'ended'],
  allocating: ['idle', 'ended', 'pending'],
  idle: ['active', 'ended'],
  active: ['idle', 'ended'],
  ended: [],
};

export const LIVE_STATES: ReadonlySet<BoardSessionState> = new Set(['pending', 'allocating', 'idle', 'active']);

export function canTransition(from: BoardSessionState, to: BoardSessionState): boolean {
  return NEXT[from].includes(to);
}

export function assertTransition(id: string, from: BoardSessionState, to: BoardSessionState): void {
  if (!canTransition(from, to)) throw new Error(`bug: session ${id} cannot go from ${from} to ${to}`);
}

export function isLive(state: BoardSessionState): boolean {
  return LIVE_STATES.has(state);
}
