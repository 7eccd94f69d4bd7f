// One joined host's tunnel, as the coordinator holds it: frames in and out, requests and their replies, heartbeats,
// and the bounds a host that misbehaves runs into (it is closed with the reason, nothing else is affected).
import { EventEmitter } from 'node:events';
import { WebSocket, type RawData } from 'ws';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import { ApiError, isErrorCode } from '../../transport/protocol/errors.js';
import { controlFrame, decodeFrame, FRAME, FrameError, heartbeatFrame, streamFrame, MAX_CHUNK_BYTES } from '../../transport/tunnel/frames.js';
import { parseHostMessage, type CoordinatorRequestBody, type HelloMessage, type HostMessage, type Reply } from '../../transport/tunnel/messages.js';
import { sendUpload } from '../../transport/tunnel/upload.js';
import { FloodGuard } from './flood-guard.js';

/** A host has this long after connecting to say hello. */
export const HELLO_WITHIN_MS = 10_000;
/** A request the host has not answered by then fails (the session's create, reset… says so). */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Frames for channels that are not open are dropped; this many mean the host is not following the protocol. */
const STRAY_LIMIT = 1000;
/** WebSocket close codes: 1008 protocol violation; 4000 another connection of the same host took over. */
export const CLOSE = { violation: 1008, replaced: 4000, revoked: 4001, silent: 4002, stopping: 1001 } as const;

export interface HostLinkEvents {
  hello: [message: HelloMessage];
  message: [message: Exclude<HostMessage, Reply | HelloMessage>];
  data: [channel: number, offset: number, bytes: Buffer];
  text: [channel: number, message: unknown];
  heard: [at: number];
  closed: [why: string];
}

export class HostLink extends EventEmitter<HostLinkEvents> {
  private nextRequest = 1;
  private nextChannel = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: TimerHandle }>();
  /** Control and text frames are bounded (a host's boards' output is not: a board may talk as fast as it likes). */
  private readonly guard: FloodGuard;
  private greeted = false;
  private strays = 0;
  private closedWhy: string | null = null;
  private ended = false;
  private lastHeard: number;
  private timer: TimerHandle | null = null;
  /** Channels open on this connection: frames for any other are strays. */
  readonly channels = new Set<number>();

  constructor(
    readonly ws: WebSocket,
    readonly host: string,
    private readonly clock: Clock,
    private readonly heartbeatMs: number,
    private readonly log: (message: string) => void,
  ) {
    super();
    this.lastHeard = clock.now();
    this.guard = new FloodGuard(clock);
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('close', (code, reason) => this.closed(this.closedWhy ?? `the connection closed (code ${code}${reason.length ? `: ${reason}` : ''})`));
    ws.on('error', () => undefined); // 'close' follows
    this.schedule(HELLO_WITHIN_MS);
  }

  /** The last frame of any kind from the host. */
  get heardAt(): number {
    return this.lastHeard;
  }

  get open(): boolean {
    return this.closedWhy === null && this.ws.readyState === WebSocket.OPEN;
  }

  channel(): number {
    const id = this.nextChannel++;
    this.channels.add(id);
    return id;
  }

  /**
   * Sends a request and resolves with the host's reply (an `ok: false` reply too); rejects if no reply comes.
   * `onReply` runs as the reply frame is read, before any frame behind it: a host sends a channel's first output right
   * after its reply to the open, often in the same read, and that output must find the reply taken in.
   */
  request(body: CoordinatorRequestBody, timeoutMs = REQUEST_TIMEOUT_MS, onReply?: (reply: Reply) => void): Promise<Reply> {
    if (!this.open) return Promise.reject(new ApiError('upstream_unavailable', `Host '${this.host}' is not connected.`));
    const id = this.nextRequest++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(new ApiError('upstream_unavailable', `Host '${this.host}' did not answer a '${body.op}' request within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      const answered = (reply: Reply) => {
        try {
          onReply?.(reply);
        } catch (err) {
          return reject(err as Error);
        }
        resolve(reply);
      };
      this.pending.set(id, { resolve: answered, reject, timer });
      this.ws.send(controlFrame({ ...body, id }));
    });
  }

  /** A request whose failure is an error with the host's own code and sentence. */
  async call(body: CoordinatorRequestBody, timeoutMs?: number): Promise<Extract<Reply, { ok: true }>> {
    const reply = await this.request(body, timeoutMs);
    if (reply.ok) return reply;
    throw new ApiError(isErrorCode(reply.code) ? reply.code : 'upstream_unavailable', `Host '${this.host}': ${reply.error}`, reply.output ? { output: reply.output } : {});
  }

  /** A channel for an upload to the host: its frames flow one way, so the host sends nothing on it. */
  uploadChannel(): number {
    return this.nextChannel++;
  }

  /** An upload's bytes on its channel, a window at a time (see upload.ts); rejects if the tunnel goes first. */
  sendUpload(channel: number, bytes: Uint8Array): Promise<void> {
    const sink = { send: (frame: Buffer, done: (err?: Error) => void) => (this.open ? this.ws.send(frame, done) : done(new Error('the tunnel closed'))) };
    return sendUpload(sink, channel, bytes);
  }

  send(message: unknown): void {
    if (this.open) this.ws.send(controlFrame(message));
  }

  sendInput(channel: number, offset: number, bytes: Buffer): void {
    if (!this.open) return;
    for (let at = 0; at < bytes.length; at += MAX_CHUNK_BYTES) {
      const piece = bytes.subarray(at, at + MAX_CHUNK_BYTES);
      this.ws.send(streamFrame(FRAME.input, channel, offset + at, piece));
    }
  }

  /** Ends the connection, saying why (the host logs it). */
  close(code: number, why: string): void {
    if (this.closedWhy !== null) return;
    this.closedWhy = why;
    // A close reason is at most 123 bytes on the wire.
    try {
      this.ws.close(code, Buffer.from(why).subarray(0, 123).toString('utf8').replace(/\uFFFD$/, ''));
    } catch {
      this.ws.terminate();
    }
    // A silent peer will not answer the closing handshake: let go of its socket now.
    if (code === CLOSE.silent) this.ws.terminate();
    this.closed(why);
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.closedWhy !== null) return;
    this.lastHeard = this.clock.now();
    if (!isBinary) return this.violation('a text frame (the tunnel speaks binary frames only)');
    const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
    // Counted before any parsing: a flood costs the coordinator no more than its bound.
    if (buf[0] === FRAME.control || buf[0] === FRAME.text) {
      const flood = this.guard.take(buf.length);
      if (flood) return this.violation(flood);
    }
    let frame;
    try {
      frame = decodeFrame(buf);
    } catch (err) {
      if (err instanceof FrameError) return this.violation(err.message);
      throw err;
    }
    if (frame.type === FRAME.heartbeat) return void this.emit('heard', this.lastHeard);
    if (frame.type === FRAME.control) return this.control(frame.json);
    if (!this.greeted) return this.violation('stream frames before its hello');
    if (frame.type === FRAME.input || frame.type === FRAME.upload) return this.violation(`an ${frame.type === FRAME.input ? 'input' : 'upload'} frame (those flow from the coordinator to the host)`);
    if (!this.channels.has(frame.channel)) {
      if (++this.strays > STRAY_LIMIT) this.violation(`more than ${STRAY_LIMIT} frames for channels that are not open`);
      return;
    }
    if ('json' in frame) this.emit('text', frame.channel, frame.json);
    else this.emit('data', frame.channel, frame.offset, frame.bytes);
  }

  private control(json: unknown): void {
    const parsed = parseHostMessage(json);
    if ('problem' in parsed) return this.violation(parsed.problem);
    const m = parsed.message;
    if (!this.greeted && m.op !== 'hello') return this.violation(`'${m.op}' before its hello`);
    if (m.op === 'hello') {
      if (this.greeted) return this.violation('a second hello');
      this.greeted = true;
      this.schedule(this.heartbeatMs);
      return void this.emit('hello', m);
    }
    if (m.op === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return; // answered after its timeout
      this.pending.delete(m.id);
      this.clock.clearTimeout(p.timer);
      return p.resolve(m);
    }
    this.emit('message', m);
  }

  private violation(what: string): void {
    this.log(`host ${this.host}: protocol violation: ${what}; its tunnel is closed`);
    this.close(CLOSE.violation, `protocol violation: ${what}`);
  }

  /** One timer: the hello deadline at first, then the heartbeat (send one, and drop a host silent for three). */
  private schedule(ms: number): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    this.timer = null;
    if (this.closedWhy !== null) return;
    if (!this.greeted) return this.close(CLOSE.violation, `no hello within ${HELLO_WITHIN_MS / 1000} s`);
    const silent = this.clock.now() - this.lastHeard;
    if (silent >= 3 * this.heartbeatMs) return this.close(CLOSE.silent, `nothing heard for ${silent} ms (heartbeat)`);
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(heartbeatFrame(this.clock.now()));
    this.schedule(this.heartbeatMs);
  }

  private closed(why: string): void {
    if (this.ended) return;
    this.ended = true;
    this.closedWhy ??= why;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const p of this.pending.values()) {
      this.clock.clearTimeout(p.timer);
      p.reject(new ApiError('upstream_unavailable', `Host '${this.host}' went away before it answered (${why}).`));
    }
    this.pending.clear();
    this.emit('closed', this.closedWhy);
  }
}
