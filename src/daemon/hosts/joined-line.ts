// A session's serial line to a board on a joined host: a Duplex over its tunnel channel, held through the host's
// drops. Output offsets follow the host's, so a reconnect asks for exactly what is missing; input sent is kept in a
// ring, so what a drop swallowed is sent again from the offset the host says it has.
import { Duplex } from 'node:stream';
import { ApiError } from '../../transport/protocol/errors.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import type { ClientMessage } from '../../transport/protocol/ws-messages.js';
import { ByteRing } from '../../transport/serial/byte-ring.js';
import type { SerialControl, SerialLine } from '../../transport/serial/port.js';
import type { HostLink } from './host-link.js';

/** Input kept for a resend after a drop: far more than a socket holds in flight. */
const INPUT_KEEP = 1024 * 1024;

export interface JoinedLineEvents {
  /** A message for the session's clients: a `gap` the host reported, or an error from it. */
  notice: [message: ServerMessage];
  log: [message: string];
}

export class JoinedLine extends Duplex implements SerialLine {
  /** The host's offset of the next output byte. */
  private hostOffset: number;
  private sent = new ByteRing(INPUT_KEEP);
  private everBound = false;
  private held: Array<{ chunk: Buffer; done: (err?: Error | null) => void }> = [];
  private bound: { link: HostLink; channel: number } | null = null;
  private live = true;
  readonly control: SerialControl;

  constructor(
    readonly session: string,
    readonly host: string,
    startOffset: number,
  ) {
    super({ allowHalfOpen: false });
    this.hostOffset = startOffset;
    const forward = (message: ClientMessage) => this.forward(message);
    this.control = {
      reset: (mode) => forward({ type: 'reset', mode }),
      setSignals: (s) => forward({ type: 'signals', ...s }),
      setBaud: (rate) => forward({ type: 'baud', rate }),
      sendBreak: () => forward({ type: 'break' }),
    };
  }

  /** Ends the line; resolves once it has closed. */
  shut(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.destroyed) return resolve();
      this.once('close', () => resolve());
      this.destroy();
    });
  }

  get isOpen(): boolean {
    return this.live;
  }

  /** Where the host should resume output from (`since`). */
  get offset(): number {
    return this.hostOffset;
  }

  get channel(): number | null {
    return this.bound?.channel ?? null;
  }

  /** The host opened the channel: output resumes at `offset`, input it lacks is sent again, held input follows. */
  bind(link: HostLink, channel: number, reply: { offset?: number | undefined; input?: number | null | undefined }): void {
    if (!this.live) return;
    if (reply.offset !== undefined && reply.offset < this.hostOffset) {
      this.emit('log', `host ${this.host} has output only up to offset ${reply.offset} (this coordinator had ${this.hostOffset}): it starts over from there`);
      this.hostOffset = reply.offset;
    }
    const has = reply.input ?? null;
    // A coordinator that restarted numbers input from what the host has had, so nothing counts as seen twice.
    if (!this.everBound && has !== null) this.sent = new ByteRing(INPUT_KEEP, has);
    this.everBound = true;
    this.bound = { link, channel };
    if (has !== null && has < this.sent.end) {
      const { lost, data } = this.sent.since(has);
      if (lost > 0) this.emit('log', `${lost} bytes of input sent before the drop are older than the ${INPUT_KEEP}-byte resend ring and were lost`);
      link.sendInput(channel, this.sent.end - data.length, data);
    }
    const held = this.held;
    this.held = [];
    for (const { chunk, done } of held) this.send(chunk, done);
  }

  /** The host went away: input waits (and holds its clients back) until it is back. */
  unbind(): void {
    this.bound = null;
  }

  fromHost(offset: number, bytes: Buffer): void {
    const end = offset + bytes.length;
    if (end <= this.hostOffset) return; // sent again after a reconnect: already had
    let fresh = bytes;
    if (offset < this.hostOffset) fresh = bytes.subarray(this.hostOffset - offset);
    else if (offset > this.hostOffset) {
      const lost = offset - this.hostOffset;
      this.emit('notice', { type: 'gap', lost_bytes: lost });
    }
    this.hostOffset = end;
    this.push(fresh);
  }

  /** A message the host's relay has for this session's clients; only what concerns them is passed on. */
  fromHostText(message: unknown): void {
    const m = message as { type?: unknown; lost_bytes?: unknown };
    if (m?.type === 'gap' && Number.isSafeInteger(m.lost_bytes) && (m.lost_bytes as number) >= 0) {
      this.hostOffset += m.lost_bytes as number;
      this.emit('notice', { type: 'gap', lost_bytes: m.lost_bytes as number });
    } else if (m?.type === 'error') this.emit('notice', message as ServerMessage);
    // Flash progress is not taken from the line: the coordinator follows the job itself and tells every client once.
  }

  private async forward(message: ClientMessage): Promise<void> {
    if (!this.bound || !this.bound.link.open) {
      throw new ApiError('upstream_unavailable', `Host '${this.host}' is reconnecting; try again in a moment.`);
    }
    await this.bound.link.call({ op: 'control', session: this.session, message });
  }

  override _read(): void {
    // Output is pushed as the host sends it; a slow client is the relay's business.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.bound?.link.open) this.send(chunk, done);
    else this.held.push({ chunk, done });
  }

  private send(chunk: Buffer, done: (err?: Error | null) => void): void {
    this.bound!.link.sendInput(this.bound!.channel, this.sent.end, chunk);
    this.sent.push(chunk);
    done();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.live = false;
    this.bound = null;
    for (const { done } of this.held) done(new Error('the session ended'));
    this.held = [];
    callback(err);
  }
}
