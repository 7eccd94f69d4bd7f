// Opens a session's board through the registry and keeps one serial relay per live session.
import type { WebSocket } from 'ws';
import type { BoardRegistry, OpenedPort } from '../boards/board-registry.js';
import type { Transcript, TranscriptDir } from './transcript.js';
import type { RemoteHosts } from '../remote/remote-hosts.js';
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

const REOPEN_RETRY_MS = 250;

interface LiveLine {
  boardId: string;
  port: OpenedPort;
  relay: SerialRelay;
  transcript: Transcript;
  /** A reopen of a returned board is under way. */
  reopening: boolean;
}

export class SessionPorts implements PortOpener {
  private readonly lines = new Map<string, LiveLine>();
  private engine: SessionEngine | null = null;

  constructor(
    private readonly registry: BoardRegistry,
    private readonly transcripts: TranscriptDir,
    private readonly log: (message: string) => void,
    private readonly remotes: RemoteHosts | null = null,
  ) {
    registry.on('change', () => this.reopenReturned());
  }

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
    // Offsets continue where the transcript ends, so a session resumed after a restart keeps its numbering.
    const transcript = this.transcripts.open(sessionId);
    let port: OpenedPort;
    try {
      port = await this.openPort(sessionId, boardId, transcript.length);
    } catch (err) {
      transcript.close();
      throw err;
    }
    const relay = new SerialRelay(port, { startOffset: transcript.length, history: (from, to) => transcript.read(from, to) });
    const line: LiveLine = { boardId, port, relay, transcript, reopening: false };
    this.lines.set(sessionId, line);
    relay.on('data', (chunk: Buffer) => transcript.append(chunk));
    relay.on('clients', (count: number) => this.engine?.setClientCount(sessionId, count));
    // Unplugged, or re-enumerating (a native-USB ESP32-S3 does on every reset): the session waits out the grace.
    relay.on('port-lost', (err: Error | null) => {
      if (this.lines.get(sessionId) !== line) return;
      this.log(`session ${sessionId}: board ${boardId} went away${err ? ` (${err.message})` : ''}; holding it for the grace window`);
      this.engine?.boardMissing(sessionId);
      this.reopenReturned();
    });
  }

  /** A board here, or the line to the remote host a mirrored session lives on. */
  private async openPort(sessionId: string, boardId: string, offset: number): Promise<OpenedPort> {
    const host = this.engine?.mirrors.hostOf(sessionId);
    if (!host || !this.remotes) return this.registry.open(boardId);
    const session = this.engine!.view(this.engine!.find(this.engine!.ownerOf(sessionId)!, sessionId));
    const port = await this.remotes.open(host, session, offset);
    port.stream.on('gap', (lost: number) => this.lines.get(sessionId)?.relay.broadcast({ type: 'gap', lost_bytes: lost }));
    return port;
  }

  /** Reopens the port of every session whose board has come back online, and carries the session on. */
  private reopenReturned(): void {
    for (const [sessionId, line] of this.lines) {
      if (!line.relay.portLost || line.reopening || !this.registry.get(line.boardId)?.online) continue;
      line.reopening = true;
      this.registry.open(line.boardId).then(
        (port) => {
          line.reopening = false;
          if (this.lines.get(sessionId) !== line) return void port.close();
          line.port = port;
          line.relay.replacePort(port);
          this.log(`session ${sessionId}: board ${line.boardId} is back`);
          this.engine?.boardBack(sessionId);
        },
        (err: unknown) => {
          line.reopening = false;
          this.log(`session ${sessionId}: board ${line.boardId} is listed again but did not open: ${String(err)}`);
          // A freshly enumerated device can refuse an open for a moment; try again while the grace lasts.
          if (this.lines.get(sessionId) === line) setTimeout(() => this.reopenReturned(), REOPEN_RETRY_MS).unref();
        },
      );
    }
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
