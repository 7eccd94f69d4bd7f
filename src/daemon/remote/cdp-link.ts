// A mirrored browser session's CDP link: one WebSocket to the remote host's CDP proxy, kept across drops.
//
// Each connection to the host is a fresh CDP connection there (the host gives it its own browser-level session), so
// every (re)open yields a new CdpConnection; what was attached over the dropped one is gone with it.
import { EventEmitter } from 'node:events';
import { ApiError } from '../../transport/protocol/errors.js';
import { ReconnectingWebSocket, defaultRetryable, type ClosedReason, type ReconnectError } from '../../transport/reconnecting-websocket.js';
import { CdpConnection, REMOTE_CLIENT_ID_LIMIT } from '../browsers/cdp-connection.js';
import { MAX_PIPE_MESSAGE_BYTES } from '../browsers/cdp-pipe.js';
import { WsCdpStream } from '../browsers/cdp-stream.js';
import type { RemoteClient } from './remote-client.js';

export interface CdpLinkEvents {
  open: [CdpConnection];
  /** The open connection dropped; trying again until `deadline`. */
  dropped: [reason: string, deadline: number];
  closed: [reason: ClosedReason, err?: ReconnectError];
}

/** The host closed the link on purpose (4000–4099: session ended, failed, taken over): asking again will not help. */
function retryable(err: ReconnectError): boolean {
  if (err.closeCode !== undefined && err.closeCode >= 4000 && err.closeCode < 4100) return false;
  return defaultRetryable(err);
}

export class CdpLink extends EventEmitter<CdpLinkEvents> {
  private readonly rws: ReconnectingWebSocket;
  private stream: WsCdpStream | null = null;
  private conn: CdpConnection | null = null;

  constructor(client: RemoteClient, sessionId: string, windowMs: number) {
    super();
    this.setMaxListeners(0);
    this.rws = new ReconnectingWebSocket({
      clock: client.clock,
      url: () => client.wsUrl(`/v1/browsers/${sessionId}/cdp`),
      headers: () => client.authHeader,
      reconnectWindowMs: windowMs,
      retryable,
      wsOptions: { maxPayload: MAX_PIPE_MESSAGE_BYTES, ...client.wsOptions },
    });
    client.follow(this.rws);
    this.rws.on('open', (ws) => {
      this.stream = new WsCdpStream(ws);
      this.conn = new CdpConnection(this.stream, { clientIdLimit: REMOTE_CLIENT_ID_LIMIT });
      this.emit('open', this.conn);
    });
    this.rws.on('message', (data) => this.stream?.receive(data));
    this.rws.on('state', (state, info) => {
      if (state === 'open' || state === 'connecting') return;
      this.drop();
      if (state === 'reconnecting') this.emit('dropped', info.reason ?? 'the connection dropped', info.deadline!);
    });
    this.rws.on('closed', (reason, err) => this.emit('closed', reason, err));
    this.rws.start();
  }

  /** The connection while the link is open; null while (re)connecting or once closed. */
  get connection(): CdpConnection | null {
    return this.conn;
  }

  /** While reconnecting: when trying stops. */
  get deadline(): number | null {
    return this.rws.outage?.deadline ?? null;
  }

  /** The connection now, or once the link is open again; rejects (502) when the link closes for good first. */
  whenOpen(): Promise<CdpConnection> {
    if (this.conn) return Promise.resolve(this.conn);
    const gone = () => new ApiError('upstream_unavailable', 'The link to the remote host could not be restored; the session is over.');
    if (this.rws.state === 'closed') return Promise.reject(gone());
    return new Promise((resolve, reject) => {
      const off = () => {
        this.off('open', onOpen);
        this.off('closed', onClosed);
      };
      const onOpen = (c: CdpConnection) => {
        off();
        resolve(c);
      };
      const onClosed = () => {
        off();
        reject(gone());
      };
      this.on('open', onOpen);
      this.on('closed', onClosed);
    });
  }

  close(): void {
    this.rws.close();
  }

  private drop(): void {
    const stream = this.stream;
    this.stream = null;
    this.conn = null;
    stream?.close();
  }
}
