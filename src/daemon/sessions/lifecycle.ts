// A kind's state machine as a transition table, enforced in one place for every kind (DESIGN §3).

export interface Lifecycle<S extends string = string> {
  /** The state a new session is recorded in. */
  initial: S;
  /** Every state, with the states it may move to. */
  next: Readonly<Record<S, readonly S[]>>;
  /** States in which the session is over; nothing moves out of them. */
  final: readonly S[];
}

export function defineLifecycle<S extends string>(lifecycle: Lifecycle<S>): Lifecycle<S> {
  for (const state of lifecycle.final) {
    if (lifecycle.next[state].length > 0) throw new Error(`bug: final state ${state} has transitions`);
  }
  return lifecycle;
}

export function isFinal(lifecycle: Lifecycle, state: string): boolean {
  return lifecycle.final.includes(state);
}

export function canMove(lifecycle: Lifecycle, from: string, to: string): boolean {
  return Object.hasOwn(lifecycle.next, from) && (lifecycle.next as Record<string, readonly string[]>)[from]!.includes(to);
}

export function assertMove(id: string, lifecycle: Lifecycle, from: string, to: string): void {
  if (!canMove(lifecycle, from, to)) throw new Error(`bug: session ${id} cannot go from ${from} to ${to}`);
}
