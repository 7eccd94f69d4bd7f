// One CDP connection to a browser over its pipe (or a remote host's CDP WebSocket), shared by the daemon (recording, readiness) and one CDP client.
//
// The client gets its own browser-level session (Target.attachToBrowserTarget): its browser-level messages carry that
// sessionId on the pipe and lose it on the way back, so to the client it looks like a connection of its own. Detaching
// that session when the client leaves undoes everything it set up (auto-attach, child sessions), as closing a real
// DevTools WebSocket would, while its pages stay open for the next client.
import { EventEmitter } from 'node:events';
import type { CdpStream } from './cdp-stream.js';
import { CLIENT_ID_LIMIT, cdpError, cdpResult, idAtHead, parseClientFrame, sessionAtTail, stripSession, withSession } from './cdp-frames.js';
import { ResumeGate } from './resume-gate.js';

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId: string | null;
}

/** Where messages for the client go: its WebSocket, through the proxy. */
export interface ClientSink {
  send(message: Buffer): void;
}

export interface ClientHooks {
  /** The client asked the browser to close (Browser.close): the session should end instead. */
  browserClose(): void;
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(err: Error): void;
  method: string;
  timer: NodeJS.Timeout;
}

interface Client {
  sink: ClientSink;
  browserSession: string;
  hooks: ClientHooks;
}

export const CALL_TIMEOUT_MS = 10_000;

export class CdpError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message}`);
    this.name = 'CdpError';
  }
}

export interface CdpConnectionOptions {
  /**
   * Client request ids stay below this; the daemon's own use ids from here up. Over a remote host, whose proxy takes
   * ids below CLIENT_ID_LIMIT only, this is lower (REMOTE_CLIENT_ID_LIMIT) so both kinds fit under the host's limit.
   */
  clientIdLimit?: number;
}

/** The client id limit for a connection over a remote host's CDP proxy. */
export const REMOTE_CLIENT_ID_LIMIT = CLIENT_ID_LIMIT / 2;

export class CdpConnection extends EventEmitter<{ event: [CdpEvent]; close: [] }> {
  private readonly idLimit: number;
  private nextId: number;
  private readonly pending = new Map<number, Pending>();
  /** Sessions the daemon attached for itself (recording); the client can neither see nor use them. */
  private readonly own = new Set<string>();
  private client: Client | null = null;
  /** Client changes run one after another, so a detach always reaches the browser before the next attach. */
  private clientChain: Promise<unknown> = Promise.resolve();
  /** New targets paused for both the daemon and the client run once both have set them up. */
  readonly gate = new ResumeGate();

  constructor(
    readonly pipe: CdpStream,
    options: CdpConnectionOptions = {},
  ) {
    super();
    this.setMaxListeners(0);
    this.idLimit = options.clientIdLimit ?? CLIENT_ID_LIMIT;
    this.nextId = this.idLimit;
    pipe.on('message', (m) => this.route(m));
    pipe.on('close', () => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new CdpError(p.method, -1, 'the browser connection closed'));
      }
      this.pending.clear();
      this.client = null;
      this.emit('close');
    });
  }

  get closed(): boolean {
    return this.pipe.isClosed;
  }

  /** A request of the daemon's own; resolves with its result, rejects with a CdpError. */
  call<T = Record<string, unknown>>(method: string, params: object = {}, sessionId: string | null = null, timeoutMs = CALL_TIMEOUT_MS): Promise<T> {
    if (this.pipe.isClosed) return Promise.reject(new CdpError(method, -1, 'the browser connection is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CdpError(method, -1, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as Pending['resolve'], reject, method, timer });
      this.pipe.send(Buffer.from(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })));
    });
  }

  /** Marks a session as the daemon's: its messages come to `event`/`call`, never to the client. */
  claim(sessionId: string): void {
    this.own.add(sessionId);
  }

  release(sessionId: string): void {
    this.own.delete(sessionId);
  }

  get hasClient(): boolean {
    return this.client !== null;
  }

  /** Gives the connection to a new client (after detaching any previous one); resolves once its session exists. */
  attachClient(sink: ClientSink, hooks: ClientHooks): Promise<void> {
    const step = this.clientChain.then(async () => {
      await this.detachNow();
      const { sessionId } = await this.call<{ sessionId: string }>('Target.attachToBrowserTarget');
      this.client = { sink, browserSession: sessionId, hooks };
    });
    this.clientChain = step.catch(() => undefined);
    return step;
  }

  /** The client left: its browser-level session and everything under it go; its pages stay. */
  detachClient(sink: ClientSink): Promise<void> {
    const step = this.clientChain.then(() => (this.client?.sink === sink ? this.detachNow() : undefined));
    this.clientChain = step.catch(() => undefined);
    return step;
  }

  /** A frame from the client: checked, given its browser-level session, written to the pipe. Returns false when full. */
  fromClient(sink: ClientSink, data: Buffer): boolean {
    const c = this.client;
    if (!c || c.sink !== sink) return true;
    const frame = parseClientFrame(data, this.idLimit);
    if (!frame.ok) {
      sink.send(cdpError(frame.id, frame.code, frame.message));
      return true;
    }
    if (frame.sessionId !== null && (this.own.has(frame.sessionId) || frame.sessionId === c.browserSession)) {
      sink.send(cdpError(frame.id, -32001, 'Session with given id not found.', frame.sessionId));
      return true;
    }
    if (frame.sessionId === null && frame.method === 'Browser.close') {
      sink.send(cdpResult(frame.id, {}));
      c.hooks.browserClose();
      return true;
    }
    if (this.gate.intercept(frame.sessionId, frame.method, data, (held) => this.client === c && this.pipe.send(held))) return true;
    return frame.sessionId === null ? this.pipe.send(...withSession(data, c.browserSession)) : this.pipe.send(data);
  }

  private async detachNow(): Promise<void> {
    const c = this.client;
    if (!c) return;
    // From here on nothing reaches the old client; the browser drops its sessions in order on the pipe.
    this.client = null;
    this.gate.clientGone();
    if (this.pipe.isClosed) return;
    await this.call('Target.detachFromTarget', { sessionId: c.browserSession }).catch(() => undefined);
  }

  private route(message: Buffer): void {
    const found = sessionAtTail(message);
    const c = this.client;
    if (found === null) {
      const id = idAtHead(message);
      // A reply to a client request that named a session the browser does not know comes back at browser level.
      if (id !== null && id < this.idLimit) c?.sink.send(message);
      else this.toDaemon(message, id);
      return;
    }
    if (c && found.sessionId === c.browserSession) {
      this.gate.observe(message);
      c.sink.send(stripSession(message, found));
    } else if (this.own.has(found.sessionId)) this.toDaemon(message, idAtHead(message));
    else if (c) {
      this.gate.observe(message);
      c.sink.send(message);
    }
  }

  private toDaemon(message: Buffer, headId: number | null): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(message.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    const id = headId ?? (typeof parsed.id === 'number' ? parsed.id : null);
    if (id !== null) {
      if (id < this.idLimit) {
        this.client?.sink.send(message);
        return;
      }
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      const error = parsed.error as { code?: number; message?: string } | undefined;
      if (error) p.reject(new CdpError(p.method, error.code ?? -1, error.message ?? 'error'));
      else p.resolve((parsed.result ?? {}) as Record<string, unknown>);
      return;
    }
    if (typeof parsed.method === 'string') {
      this.emit('event', {
        method: parsed.method,
        params: (parsed.params ?? {}) as Record<string, unknown>,
        sessionId: typeof parsed.sessionId === 'string' ? parsed.sessionId : null,
      });
    }
  }
}
