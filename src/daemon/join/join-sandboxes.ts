// The coordinator's sandboxes on this board host: sessions of its account here, made through its streams like any
// create, used through them like any sandbox. What it alone decides — when one idles, sleeps or runs again — comes as
// `sandbox` requests; its sandbox URLs reach an app inside through a stream channel to the sandbox's port.
import type { Duplex } from 'node:stream';
import type { SandboxOp } from '../../transport/tunnel/messages.js';
import type { SandboxRecord } from '../providers/sandbox/sandbox-record.js';
import type { SandboxSessions } from '../providers/sandbox/sandbox-sessions.js';
import type { SessionCore } from '../sessions/session-core.js';
import { JOIN_ACCOUNT, type ReplyBody } from './join-sessions.js';

export class JoinSandboxes {
  constructor(
    private readonly core: SessionCore,
    private readonly sessions: SandboxSessions,
  ) {}

  /** Moves the sandbox of the coordinator's session as it says (a move it has made already is no move). */
  async state(m: SandboxOp): Promise<ReplyBody> {
    const s = this.find(m.session);
    if (!s) return { ok: false, code: 'not_found', error: `this host runs no sandbox for session ${m.session}` };
    if (m.state === 'active') await this.sessions.running(s);
    else if (m.state === 'idle' && s.state === 'active') await this.core.move(s, 'idle');
    else if (m.state === 'deep_sleep' && (s.state === 'active' || s.state === 'idle')) await this.core.move(s, 'deep_sleep');
    return { ok: true };
  }

  /** A connection to `port` inside the sandbox (woken first): bytes through it are its activity, as through its URL here. */
  async port(session: string, port: number): Promise<Duplex> {
    const s = this.find(session);
    if (!s) throw new Error(`this host runs no sandbox for session ${session}`);
    this.sessions.touch(s);
    const socket = await (await this.sessions.running(s)).connect(port);
    socket.on('data', () => this.sessions.traffic(s));
    return socket;
  }

  /** The live sandbox made for the coordinator's session (its id was the create's Idempotency-Key). */
  private find(coordinatorSession: string): SandboxRecord | undefined {
    return this.core.list(JOIN_ACCOUNT, { kind: 'sandbox' }).find((s) => s.idempotency_key === coordinatorSession) as SandboxRecord | undefined;
  }
}
