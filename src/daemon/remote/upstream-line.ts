// A mirrored session's serial line: a byte stream over the remote host's serial WebSocket that survives drops.
import { Duplex } from 'node:stream';
import type { EndReason, Session, WarningKind } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { parseServerMessage, type ClientMessage } from '../../transport/protocol/ws-messages.js';
import { ReconnectingWebSocket, type ClosedReason, type ReconnectError } from '../../transport/reconnecting-websocket.js';
import type { BoardRecord, OpenedPort, SerialControl, SerialLine } from '../boards/board-registry.js';
import type { RemoteClient } from './remote-client.js';

/** What the line reports to the mirror's owner, besides bytes. */
export interface UpstreamEvents {
  state(session: Session): void;
  warning(kind: WarningKind, endsAt: number): void;
  ended(reason: EndReason, at: number, credits: number | null): void;
  link(state: 'open' | 'reconnecting', deadline: number | null): void;
  /** The line could not be kept (the reconnect window ran out, or the host refused it). */
  lost(reason: ClosedReason, err?: ReconnectError): void;
  log(message: string): void;
}

/** Leave this much of the host's idle window unused: the last try must land before the host gives up. */
const WINDOW_MARGIN_MS = 2000;

/**
 * The Duplex the relay reads and writes like a port. Bytes from the host are pushed as they come; bytes for the
 * host wait (and hold back the clients, through backpressure) while reconnecting. Offsets follow the host's, so a
 * reconnect asks for exactly what is missing: `?since=` the host offset of the next byte.
 */
export class UpstreamLine extends Duplex implements SerialLine {
  readonly rws: ReconnectingWebSocket;
  private held: Array<{ chunk: Buffer; done: (err?: Error | null) => void }> = [];
  private open = true;
  /** The host's offset of the next byte: bytes received plus bytes the host said were lost (gaps). */
  private hostOffset: number;
  readonly ready: Promise<void>;

  constructor(
    client: RemoteClient,
    sessionId: string,
    startOffset: number,
    idleTimeoutS: number,
    private readonly events: UpstreamEvents,
  ) {
    super({ allowHalfOpen: false });
    this.hostOffset = startOffset;
    this.rws = new ReconnectingWebSocket({
      clock: client.clock,
      url: () => `${client.wsUrl(`/v1/sessions/${sessionId}/serial`)}?since=${this.hostOffset}`,
      headers: () => client.authHeader,
      reconnectWindowMs: Math.max(1000, idleTimeoutS * 1000 - WINDOW_MARGIN_MS),
      wsOptions: { maxPayload: 1024 * 1024 + 1024, ...client.wsOptions },
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.rws.once('open', () => resolve());
      this.rws.once('closed', (reason, err) => reject(new Error(err?.message ?? `the line closed (${reason})`)));
    });
    this.ready.catch(() => undefined);
    this.rws.on('open', () => this.flush());
    this.rws.on('message', (data, isBinary) => (isBinary ? this.fromHost(data) : this.control(data.toString('utf8'))));
    client.follow(this.rws);
    this.rws.on('state', (state, info) => {
      if (state === 'open') events.link('open', null);
      else if (state === 'reconnecting') events.link('reconnecting', info.deadline ?? null);
    });
    this.rws.on('closed', (reason, err) => {
      if (reason !== 'stopped') events.lost(reason, err);
    });
    this.rws.start();
  }

  get isOpen(): boolean {
    return this.open;
  }

  private fromHost(data: Buffer): void {
    this.hostOffset += data.length;
    this.push(data);
  }

  private control(text: string): void {
    const m = parseServerMessage(text);
    if (!m) return;
    switch (m.type) {
      case 'state':
        this.events.state(m);
        break;
      case 'warning':
        this.events.warning(m.kind, Date.parse(m.at));
        break;
      case 'ended':
        // Said before the host closes the socket: no reconnect to a session that is over.
        this.rws.close();
        this.events.ended(m.reason, Date.parse(m.session.ended_at ?? new Date().toISOString()), m.session.credits_used);
        break;
      case 'gap':
        this.hostOffset += m.lost_bytes;
        this.emit('gap', m.lost_bytes);
        break;
      case 'error':
        this.events.log(`host said: ${m.code}: ${m.error}`);
        break;
    }
  }

  /** Sends a control message to the host; refused while the line is down. */
  sendControl(message: ClientMessage): Promise<void> {
    if (!this.rws.send(JSON.stringify(message))) {
      return Promise.reject(new ApiError('upstream_unavailable', 'The line to the remote host is reconnecting; try again in a moment.'));
    }
    return Promise.resolve();
  }

  override _read(): void {
    // Bytes are pushed as the host sends them; a slow reader is the relay's business (it never stalls).
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.rws.state === 'open' && this.rws.send(chunk)) done();
    else this.held.push({ chunk, done });
  }

  private flush(): void {
    const held = this.held;
    this.held = [];
    for (const { chunk, done } of held) {
      if (!this.rws.send(chunk)) {
        this.held.push({ chunk, done });
        continue;
      }
      done();
    }
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.open = false;
    this.rws.close();
    for (const { done } of this.held) done(new Error('the session ended'));
    this.held = [];
    callback(err);
  }
}

/** The mirror's "port": the line, and control messages forwarded to the host, which runs them next to the board. */
export function upstreamPort(line: UpstreamLine, host: string, session: { id: string; board_type: string; board_id: string | null }): OpenedPort {
  const forward = (m: ClientMessage) => line.sendControl(m);
  const control: SerialControl = {
    reset: (mode) => forward({ type: 'reset', mode }),
    setSignals: (s) => forward({ type: 'signals', ...s }),
    setBaud: (rate) => forward({ type: 'baud', rate }),
    sendBreak: () => forward({ type: 'break' }),
  };
  const board: BoardRecord = {
    id: session.board_id ?? session.id,
    type: session.board_type,
    name: `${host}/${session.board_id ?? '?'}`,
    path: `${host}:${session.id}`,
    vid: null,
    pid: null,
    serial_number: null,
    manufacturer: null,
    product: null,
    location: null,
    rate_credits_per_min: 0,
    baud_rate: 0,
    reset_style: null,
    reset_custom: null,
    online: true,
  };
  return {
    board,
    label: board.path,
    stream: line,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        if (line.destroyed) return resolve();
        line.once('close', () => resolve());
        line.destroy();
      }),
  };
}
