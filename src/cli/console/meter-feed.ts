// The account side of the status line: the balance (`GET /v1/auth/me`) and the session's meter readings from
// `GET /v1/events`, which come every 15 s and on changes. Best effort: without them the line shows what it knows.
import type { Account } from '../../transport/protocol/api.js';
import type { MeterEvent } from '../../transport/protocol/events.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { subscribeEvents, type EventStream } from '../client/events.js';

export class MeterFeed {
  #stream: EventStream | null = null;
  #stopped = false;
  #starting = false;

  constructor(
    private readonly client: DaemonClient,
    private readonly sessionId: string,
    private readonly onBalance: (balance: number | null) => void,
    private readonly onMeter: (event: MeterEvent) => void,
  ) {}

  /** Reads the balance and subscribes to meter readings, unless subscribed already (after a reconnect: again). */
  async start(): Promise<void> {
    if (this.#stopped || this.#stream || this.#starting) return;
    this.#starting = true;
    try {
      const [account, stream] = await Promise.allSettled([
        this.client.get<Account>('/v1/auth/me'),
        subscribeEvents(this.client, this.sessionId),
      ]);
      if (account.status === 'fulfilled' && !this.#stopped) this.onBalance(account.value.balance_credits);
      if (stream.status !== 'fulfilled') return;
      if (this.#stopped) return stream.value.close();
      this.#stream = stream.value;
      stream.value.onEvent((event) => {
        if (event.type === 'meter') this.onMeter(event);
      });
      stream.value.onEnd(() => {
        if (this.#stream === stream.value) this.#stream = null;
      });
    } finally {
      this.#starting = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#stream?.close();
    this.#stream = null;
  }
}
