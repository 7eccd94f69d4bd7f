// Test helper: the browser end of a CDP pipe, answering requests with a handler and recording what it got.
import { PassThrough } from 'node:stream';
import { CdpPipe } from '../../../src/daemon/browsers/cdp-pipe.js';

export type Reply = { result?: unknown; error?: { code: number; message: string } } | null;
export type Respond = (msg: Record<string, any>, browser: FakeBrowserEnd) => Reply | void;

export class FakeBrowserEnd {
  readonly toBrowser = new PassThrough();
  readonly fromBrowser = new PassThrough();
  readonly pipe = new CdpPipe(this.toBrowser, this.fromBrowser);
  readonly received: Record<string, any>[] = [];
  private buf = '';
  private sessions = 0;

  constructor(private respond: Respond = () => ({ result: {} })) {
    this.toBrowser.on('data', (chunk: Buffer) => {
      this.buf += chunk.toString();
      let i: number;
      while ((i = this.buf.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buf.slice(0, i)) as Record<string, any>;
        this.buf = this.buf.slice(i + 1);
        this.received.push(msg);
        this.handle(msg);
      }
    });
  }

  setRespond(respond: Respond): void {
    this.respond = respond;
  }

  /** Sends raw text to the daemon as Chromium would (NUL-terminated). */
  send(message: object | string): void {
    this.fromBrowser.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\0`);
  }

  private handle(msg: Record<string, any>): void {
    if (msg.method === 'Target.attachToBrowserTarget') {
      const sessionId = `B${++this.sessions}`;
      // Like Chromium: the attach is announced at browser level before the reply.
      this.send({ method: 'Target.attachedToTarget', params: { sessionId, targetInfo: { type: 'browser' }, waitingForDebugger: false } });
      this.send({ id: msg.id, result: { sessionId } });
      return;
    }
    const reply = this.respond(msg, this);
    if (reply === null || reply === undefined) return;
    this.send({ id: msg.id, ...reply, ...(msg.sessionId ? { sessionId: msg.sessionId } : {}) });
  }
}

export const tick = () => new Promise((r) => setImmediate(r));
