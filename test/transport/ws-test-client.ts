// Test helper: a real ws client that records binary data, control messages and gaps in arrival order, and waits on events.
import { WebSocket } from 'ws';
import { parseServerMessage, type ServerMessage } from '../../src/transport/protocol/ws-messages.js';

export type Segment = { data: Buffer } | { gap: number };

export class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly segments: Segment[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #chunks: Buffer[] = [];
  #length = 0;
  #waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) {
        this.#chunks.push(data);
        this.#length += data.length;
        this.segments.push({ data });
      } else {
        const m = parseServerMessage(data.toString('utf8'));
        if (m) this.messages.push(m);
        if (m?.type === 'gap') this.segments.push({ gap: m.lost_bytes });
      }
      this.#wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => (this.#wake(), resolve({ code, reason: reason.toString() }))));
  }

  static connect(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  get length(): number {
    return this.#length;
  }

  bytes(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }

  /** The last `n` bytes as text, without joining everything (cheap to check on every message of a big flood). */
  tail(n: number): string {
    const parts: Buffer[] = [];
    let need = n;
    for (let i = this.#chunks.length - 1; i >= 0 && need > 0; i--) {
      const chunk = this.#chunks[i]!;
      parts.unshift(chunk.subarray(Math.max(0, chunk.length - need)));
      need -= chunk.length;
    }
    return Buffer.concat(parts).toString('latin1');
  }

  errors(): Array<Extract<ServerMessage, { type: 'error' }>> {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error');
  }

  send(data: string | Buffer): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  control(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message), { binary: false });
  }

  /** Resolves once `done` holds, checked now and after every frame (and on close). */
  until(done: (c: TestClient) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (done(this) ? resolve() : this.#waiters.push(check));
      check();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    waiters.forEach((w) => w());
  }
}
