// A notice each serial client gets once per spell (the board is away, the board is flashing), not once per frame.
import type { RelayClient } from './relay-client.js';

export class ToldOnce {
  readonly #told = new Set<RelayClient>();

  constructor(
    private readonly code: string,
    private readonly error: string,
  ) {}

  tell(client: RelayClient): void {
    if (this.#told.has(client)) return;
    this.#told.add(client);
    client.sendJson({ type: 'error', code: this.code, error: this.error });
  }

  /** The spell is over: the next one is told again. */
  clear(): void {
    this.#told.clear();
  }
}
