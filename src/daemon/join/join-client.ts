// A board host's one connection to its coordinator (`fbay daemon start --join`): it dials out through the shared
// reconnecting WebSocket, registers its boards, answers the coordinator's requests and carries every session's
// serial stream as channels of the one tunnel.
import { readFileSync } from 'node:fs';
import type { WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import { VERSION } from '../../shared/version.js';
import type { JoinStatus } from '../../transport/protocol/api.js';
import { ReconnectingWebSocket } from '../../transport/reconnecting-websocket.js';
import { refusal } from './join-refusal.js';
import { controlFrame, decodeFrame, FRAME, FrameError, heartbeatFrame, MAX_FRAME_BYTES } from '../../transport/tunnel/frames.js';
import { parseCoordinatorMessage, type CoordinatorMessage } from '../../transport/tunnel/messages.js';
import type { BoardRegistry } from '../boards/board-registry.js';
import type { FlashJobs } from '../flash/flash-jobs.js';
import type { SessionPower } from '../power/session-power.js';
import type { SessionPorts } from '../serial/session-ports.js';
import type { SessionCore } from '../sessions/session-core.js';
import type { TunnelSender } from './channel-socket.js';
import { CoordinatorUrls, tunnelUrl } from './coordinator-urls.js';
import { JoinBoards, upkeepOf } from './join-boards.js';
import { JoinFlash } from './join-flash.js';
import type { JoinSandboxes } from './join-sandboxes.js';
import { JoinStreams, type ServeStream } from './join-streams.js';
import { JOIN_ACCOUNT, JoinSessions, type ReplyBody } from './join-sessions.js';

export interface JoinOptions {
  /** The coordinator's URL, or several separated by commas (coordinators sharing one database), tried in turn. */
  url: string;
  key: string;
  /** A PEM CA file to trust for the coordinator's certificate. */
  ca?: string | null;
  core: SessionCore;
  registry: BoardRegistry;
  ports: SessionPorts;
  /** This host's own flash jobs and power switch: the coordinator's sessions are flashed and powered by them. */
  flashes: FlashJobs;
  power: SessionPower;
  /** Browsers and sandboxes offered to the coordinator (0: none), and this host's API server for its account. */
  offers(): { browsers: number; sandboxes: number };
  serve: ServeStream;
  /** The coordinator's sandboxes here: how they move, and their ports. */
  sandboxes: JoinSandboxes;
  clock: Clock;
  log(message: string): void;
  /** Reconnect backoff's randomness (tests). */
  random?: () => number;
}

/** A host keeps trying for as long as timers reach (24 days an outage); a refused key stops it for good. */
const FOREVER_MS = 2 ** 31 - 1;
const DEFAULT_HEARTBEAT_MS = 2000;

export class JoinClient implements TunnelSender {
  readonly sessions: JoinSessions;
  private readonly boards: JoinBoards;
  private readonly flash: JoinFlash;
  private readonly streams: JoinStreams;
  private readonly rws: ReconnectingWebSocket;
  private ws: WebSocket | null = null;
  private beat: TimerHandle | null = null;
  private status: JoinStatus;
  private readonly targets: CoordinatorUrls;
  /** Why each coordinator could not be reached, as last logged (said once per cause until the tunnel is up). */
  private readonly said = new Map<string, string>();

  constructor(private readonly o: JoinOptions) {
    this.sessions = new JoinSessions(o.core, o.ports, o.log);
    this.boards = new JoinBoards(o.core, o.registry, upkeepOf(o), (boards) => this.say({ op: 'boards', boards }));
    this.flash = new JoinFlash({ sessions: this.sessions, flashes: o.flashes, power: o.power, tunnel: this, clock: o.clock, log: o.log });
    this.streams = new JoinStreams(this, (m) => this.say(m), o.serve, (session, port) => o.sandboxes.port(session, port));
    this.targets = new CoordinatorUrls(o.url);
    this.status = { url: this.url, host: null, state: 'connecting', error: null, boards: 0, refused: [], sessions: 0 };
    const ca = o.ca ? readFileSync(o.ca) : undefined;
    this.rws = new ReconnectingWebSocket({
      url: () => tunnelUrl(this.url),
      headers: () => ({ authorization: `Bearer ${o.key}` }),
      reconnectWindowMs: FOREVER_MS,
      clock: o.clock,
      pingIntervalMs: DEFAULT_HEARTBEAT_MS,
      deadAfterMs: 3 * DEFAULT_HEARTBEAT_MS,
      ...(o.random ? { random: o.random } : {}),
      wsOptions: { maxPayload: MAX_FRAME_BYTES, ...(ca ? { ca } : {}) },
    });
    this.rws.on('open', (ws) => this.opened(ws));
    this.rws.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.rws.on('state', (state, info) => {
      if (state === 'open') return;
      this.down();
      if (state === 'reconnecting') {
        this.status.state = 'reconnecting';
        this.status.error = info.reason ?? null;
        this.targets.dropped();
        o.log(`join: lost the tunnel to ${this.url} (${info.reason}); reconnecting`);
      }
    });
    // A try that fails before the tunnel opens (coordinator down, certificate not trusted) is said once per cause;
    // with several coordinators, the next one is tried.
    this.rws.on('retry', ({ error }) => {
      const failed = this.url;
      const { next, afterDrop } = this.targets.failed();
      if (afterDrop) return; // said as the drop
      this.status.url = next;
      this.status.error = error.message;
      if (this.said.get(failed) === error.message) return;
      this.said.set(failed, error.message);
      o.log(`join: cannot reach ${failed} (${error.message}); ${next === failed ? 'retrying' : `trying ${next}`}`);
    });
    this.rws.on('closed', (reason, err) => {
      if (reason === 'stopped') return;
      this.status.state = 'refused';
      this.status.error = refusal(err);
      o.log(`join: ${this.url} refused this host: ${this.status.error}`);
    });
    o.core.on('event', (e) => {
      if (e.type === 'flash') return this.flash.progress(e);
      if (e.type !== 'ended' || e.session.account !== JOIN_ACCOUNT || e.session.kind !== 'board') return;
      const id = this.sessions.ended(e.session_id);
      if (id) this.say({ op: 'ended', session: id, reason: e.reason });
    });
  }

  /** The coordinator dialled now. */
  get url(): string {
    return this.targets.current;
  }

  async start(): Promise<void> {
    // The coordinator's sessions need an account here that may hold every board at once, unmetered.
    await this.o.core.openAccount(JOIN_ACCOUNT, JOIN_ACCOUNT, null);
    this.rws.start();
  }

  view(): JoinStatus {
    return { ...this.status, boards: this.o.registry.list().length, sessions: this.sessions.count };
  }

  close(): void {
    this.down();
    this.boards.close();
    this.rws.close();
  }

  /** A frame on the current connection; false (and dropped) while the tunnel is down. */
  send(frame: Buffer, done?: (err?: Error) => void): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) {
      done?.(new Error('the tunnel is down'));
      return false;
    }
    ws.send(frame, done);
    return true;
  }

  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  private opened(ws: WebSocket): void {
    this.ws = ws;
    this.said.clear();
    this.status.state = 'open';
    this.status.error = null;
    ws.send(controlFrame({ op: 'hello', version: VERSION, boards: this.boards.offer(), sessions: this.sessions.held(), ...this.o.offers() }));
  }

  private down(): void {
    this.ws = null;
    if (this.beat) this.o.clock.clearTimeout(this.beat);
    this.beat = null;
    this.sessions.closeAll();
    this.streams.closeAll();
    this.flash.down();
  }

  private say(message: unknown): void {
    this.send(controlFrame(message));
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (!isBinary) return this.o.log('join: the coordinator sent a text frame; ignored (the tunnel speaks binary frames)');
    let frame;
    try {
      frame = decodeFrame(data);
    } catch (err) {
      if (err instanceof FrameError) return this.o.log(`join: a frame from the coordinator was dropped: ${err.message}`);
      throw err;
    }
    if (frame.type === FRAME.input) return void (this.streams.input(frame.channel, frame.bytes) || this.sessions.input(frame.channel, frame.offset, frame.bytes));
    if (frame.type === FRAME.upload) return this.flash.data(frame.channel, frame.offset, frame.bytes);
    if (frame.type !== FRAME.control) return;
    const parsed = parseCoordinatorMessage(frame.json);
    if ('unknownOp' in parsed) return this.reply(parsed.unknownOp.id, { ok: false, code: 'invalid_request', error: `this host (fbay ${VERSION}) does not know '${parsed.unknownOp.op}'; upgrade it` });
    if ('problem' in parsed) return this.o.log(`join: a message from the coordinator was dropped: ${parsed.problem}`);
    void this.handle(parsed.message);
  }

  private async handle(m: CoordinatorMessage): Promise<void> {
    switch (m.op) {
      case 'welcome':
        this.status.host = m.host;
        this.heartbeat(m.heartbeat_ms || DEFAULT_HEARTBEAT_MS);
        this.o.log(`join: joined ${this.url} as host '${m.host}' (${Object.keys(m.ids).length} boards offered)`);
        return this.refused(m.refused);
      case 'registered':
        return this.refused(m.refused);
      case 'open': {
        const { reply, attach } = await this.sessions.open(m, this);
        this.reply(m.id, reply);
        return attach?.();
      }
      case 'release':
        return this.reply(m.id, await this.sessions.release(m.session));
      case 'control':
        return this.reply(m.id, await this.sessions.control(m));
      case 'upload':
        return this.reply(m.id, this.flash.begin(m));
      case 'flash':
        return this.reply(m.id, this.flash.flash(m));
      case 'flash_job':
        return this.reply(m.id, this.flash.job(m));
      case 'power':
        return this.reply(m.id, await this.flash.power(m));
      case 'connect':
        return this.reply(m.id, m.sandbox ? await this.streams.connectPort(m.channel, m.sandbox) : this.streams.connect(m.channel));
      case 'sandbox':
        return this.reply(m.id, await this.o.sandboxes.state(m));
      case 'disconnect':
      case 'ack':
        return this.streams.message(m);
    }
  }

  private refused(list: Array<{ id: string; reason: string }>): void {
    this.status.refused = list;
    for (const r of list) this.o.log(`join: the coordinator refused board ${r.id}: ${r.reason}`);
  }

  private reply(id: number, body: ReplyBody): void {
    this.say({ op: 'reply', id, ...body });
  }

  private heartbeat(ms: number): void {
    if (this.beat) this.o.clock.clearTimeout(this.beat);
    const next = () => {
      this.beat = this.o.clock.setTimeout(() => (this.send(heartbeatFrame(this.o.clock.now())), next()), ms);
      this.beat.unref?.();
    };
    next();
  }
}
