// Opens a session's board through the registry and keeps one serial relay per live session.
import type { WebSocket } from 'ws';
import type { BoardRegistry, OpenedPort } from '../boards/board-registry.js';
import type { Transcript, TranscriptDir } from './transcript.js';
import type { PortOpener } from '../engine/board-allocator.js';
import type { SessionEngine } from '../engine/session-engine.js';
import type { EngineEvent } from '../../transport/protocol/events.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import { SerialRelay } from '../../transport/serial-relay.js';

/** What each engine event tells a session's serial clients, as a typed map rather than a switch. */
const toClient: { [K in EngineEvent['type']]: (e: Extract<EngineEvent, { type: K }>) => ServerMessage | null } = {
  state: (e) => ({ type: 'state', ...e.session }),
  warning: (e) => ({ type: 'warning', kind: e.kind, at: e.at, seconds_left: e.seconds_left }),
  ended: (e) => ({ type: 'ended', reason: e.reason, session: e.session }),
  meter: () => null,
};

interface LiveLine {
  port: OpenedPort;
  relay: SerialRelay;
  transcript: Transcript;
}

export class SessionPorts implements PortOpener {
  private readonly lines = new Map<string, LiveLine>();
  private engine: SessionEngine | null = null;

  constructor(
    private readonly registry: BoardRegistry,
    private readonly transcripts: TranscriptDir,
    private readonly log: (message: string) => void,
  ) {}

  /** Connects to the engine once both exist (the engine needs this opener to be built). */
  bind(engine: SessionEngine): void {
    this.engine = engine;
    engine.on('event', (e) => {
      const line = this.lines.get(e.type === 'state' ? e.session.id : e.session_id);
      const message = (toClient[e.type] as (ev: EngineEvent) => ServerMessage | null)(e);
      if (line && message) line.relay.broadcast(message);
    });
  }

  async open(sessionId: string, boardId: string): Promise<void> {
    const port = await this.registry.open(boardId);
    // Offsets continue where the transcript ends, so a session resumed after a restart keeps its numbering.
    const transcript = this.transcripts.open(sessionId);
    const relay = new SerialRelay(port, { startOffset: transcript.length, history: (from, to) => transcript.read(from, to) });
    const line = { port, relay, transcript };
    this.lines.set(sessionId, line);
    relay.on('data', (chunk: Buffer) => transcript.append(chunk));
    relay.on('clients', (count: number) => this.engine?.setClientCount(sessionId, count));
    // The port went away under the session (a board removed): no re-enumeration grace yet, so it ends now.
    relay.on('close', () => {
      if (this.lines.get(sessionId) !== line) return;
      this.lines.delete(sessionId);
      transcript.close();
      this.engine?.boardLost(sessionId);
    });
  }

  close(sessionId: string): void {
    const line = this.lines.get(sessionId);
    if (!line) return;
    this.lines.delete(sessionId);
    line.relay
      .close(1000, 'session ended')
      .catch((err: unknown) => this.log(`closing the port of ${sessionId}: ${String(err)}`))
      .finally(() => line.transcript.close());
  }

  /** The open port of a live session, for resets. */
  portOf(sessionId: string): OpenedPort | undefined {
    return this.lines.get(sessionId)?.port;
  }

  /** Total bytes the board has sent in this session so far. */
  offsetOf(sessionId: string): number | undefined {
    return this.lines.get(sessionId)?.relay.offset;
  }

  attach(sessionId: string, ws: WebSocket, since: number | undefined): boolean {
    const line = this.lines.get(sessionId);
    if (!line) return false;
    line.relay.attach(ws, since === undefined ? {} : { since });
    return true;
  }

  /** Closes every port on daemon stop; the sessions are not ended by it (their boards were not lost). */
  async closeAll(): Promise<void> {
    const lines = [...this.lines.values()];
    this.lines.clear();
    await Promise.allSettled(lines.map((l) => l.relay.close(1001, 'daemon stopping').finally(() => l.transcript.close())));
  }
}
