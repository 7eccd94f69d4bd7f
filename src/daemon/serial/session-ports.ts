// One serial relay (and transcript) per live session with an open line: a board here, or a line to a remote host.
// It reports what happens on the line as typed events; it knows nothing of sessions beyond their ids.
import { EventEmitter } from 'node:events';
import type { OpenedPort } from '../boards/board-registry.js';
import type { LineSource } from '../boards/board-set.js';
import type { Transcript, TranscriptDir } from './transcript.js';
import type { EngineEvent } from '../../transport/protocol/events.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import type { SerialPortHandle } from '../../transport/serial/port.js';
import type { RelaySocket } from '../../transport/serial/relay-client.js';
import { SerialRelay } from '../../transport/serial-relay.js';
import { ApiError } from '../../transport/protocol/errors.js';

/** What each core event tells a session's serial clients, as a typed map rather than a switch. */
const toClient: { [K in EngineEvent['type']]: (e: Extract<EngineEvent, { type: K }>) => ServerMessage | null } = {
  state: (e) => (e.session.kind === 'board' ? { type: 'state', ...e.session } : null),
  warning: (e) => ({ type: 'warning', kind: e.kind, at: e.at, seconds_left: e.seconds_left }),
  ended: (e) => (e.session.kind === 'board' ? { type: 'ended', reason: e.reason as never, session: e.session } : null),
  meter: () => null,
  flash: ({ type: _type, session_id: _id, ...progress }) => ({ type: 'flash', ...progress }),
};

const REOPEN_RETRY_MS = 250;

interface LiveLine {
  /** The board to reopen when it comes back; null for a line that is not a local board (a remote host's). */
  boardId: string | null;
  port: SerialPortHandle;
  relay: SerialRelay;
  transcript: Transcript;
  /** A reopen of a returned board is under way. */
  reopening: boolean;
}

export interface SessionPortEvents {
  /** How many serial clients a session has now. */
  clients: [id: string, count: number];
  /** The board went away under the session (unplugged, re-enumerating). */
  lost: [id: string];
  /** It came back and its port is open again. */
  back: [id: string];
  /** The session's line is closed for good (the session ended, or the daemon stops). */
  closed: [id: string];
}

export class SessionPorts extends EventEmitter<SessionPortEvents> {
  private readonly lines = new Map<string, LiveLine>();

  constructor(
    private readonly registry: LineSource,
    private readonly transcripts: TranscriptDir,
    private readonly log: (message: string) => void,
  ) {
    super();
    registry.on('change', () => this.reopenReturned());
  }

  /** Opens a session's board through the registry (a joined host's board: its side of this session, at the offset). */
  openBoard(sessionId: string, boardId: string): Promise<void> {
    return this.open(sessionId, (offset) => this.registry.open(boardId, { session: sessionId, offset }), boardId);
  }

  /**
   * Opens a session's line with `openPort` (given the offset where the transcript ends) and relays it. Offsets
   * continue where the transcript ends, so a session resumed after a restart keeps its numbering.
   */
  async open(sessionId: string, openPort: (offset: number) => Promise<SerialPortHandle>, boardId: string | null = null): Promise<void> {
    const transcript = this.transcripts.open(sessionId);
    let port: SerialPortHandle;
    try {
      port = await openPort(transcript.length);
    } catch (err) {
      transcript.close();
      throw err;
    }
    const relay = new SerialRelay(port, { startOffset: transcript.length, history: (from, to) => transcript.read(from, to) });
    const line: LiveLine = { boardId, port, relay, transcript, reopening: false };
    this.lines.set(sessionId, line);
    relay.on('data', (chunk: Buffer) => transcript.append(chunk));
    relay.on('clients', (count: number) => this.emit('clients', sessionId, count));
    // Unplugged, or re-enumerating (a native-USB ESP32-S3 does on every reset): the session waits out the grace.
    relay.on('port-lost', (err: Error | null) => {
      if (this.lines.get(sessionId) !== line) return;
      this.log(`session ${sessionId}: ${boardId ?? port.label} went away${err ? ` (${err.message})` : ''}; holding it for the grace window`);
      this.emit('lost', sessionId);
      this.reopenReturned();
    });
  }

  /** Tells a session's serial clients what the core said about it. */
  notify(e: EngineEvent): void {
    const line = this.lines.get(e.type === 'state' ? e.session.id : e.session_id);
    const message = (toClient[e.type] as (ev: EngineEvent) => ServerMessage | null)(e);
    if (line && message) line.relay.broadcast(message);
  }

  /** Sends a control message to every client of a session (a `gap` a remote host reported, flash progress). */
  broadcast(sessionId: string, message: ServerMessage): void {
    this.lines.get(sessionId)?.relay.broadcast(message);
  }

  /** Reopens the port of every session whose board has come back online, and carries the session on. */
  private reopenReturned(): void {
    for (const [sessionId, line] of this.lines) {
      const boardId = line.boardId;
      if (boardId === null || !line.relay.portLost || line.reopening || !this.registry.get(boardId)?.online) continue;
      line.reopening = true;
      this.registry.open(boardId, { session: sessionId, offset: line.relay.offset }).then(
        (port) => {
          line.reopening = false;
          if (this.lines.get(sessionId) !== line) return void port.close();
          line.port = port;
          line.relay.replacePort(port);
          this.log(`session ${sessionId}: board ${boardId} is back`);
          this.emit('back', sessionId);
        },
        (err: unknown) => {
          line.reopening = false;
          this.log(`session ${sessionId}: board ${boardId} is listed again but did not open: ${String(err)}`);
          // A freshly enumerated device can refuse an open for a moment; try again while the grace lasts.
          if (this.lines.get(sessionId) === line) setTimeout(() => this.reopenReturned(), REOPEN_RETRY_MS).unref();
        },
      );
    }
  }

  /**
   * Closes a session's line; resolves once its port is closed (a board's next user may open it then). Its clients
   * are closed with `code` (1012 for a session that goes on elsewhere: they connect again).
   */
  close(sessionId: string, code = 1000, reason = 'session ended'): Promise<void> {
    const line = this.lines.get(sessionId);
    if (!line) return Promise.resolve();
    this.lines.delete(sessionId);
    this.emit('closed', sessionId);
    return line.relay
      .close(code, reason)
      .catch((err: unknown) => this.log(`closing the port of ${sessionId}: ${String(err)}`))
      .finally(() => line.transcript.close());
  }

  /** Resolves once the session's transcript file holds everything its line has had (a line not open here: now). */
  written(sessionId: string): Promise<void> {
    return this.lines.get(sessionId)?.transcript.written() ?? Promise.resolve();
  }

  /** The session's port lent to a flasher (see SerialRelay.lend); 409 when the session has no open line. */
  lend(sessionId: string): SerialPortHandle {
    return this.lineOf(sessionId).relay.lend();
  }

  /** Closes a board's port for another program (a flash_command) until reacquire(); clients stay attached. */
  async release(sessionId: string): Promise<void> {
    await this.lineOf(sessionId).relay.release();
  }

  /** Opens the released board's port again. On failure the board counts as gone: the grace and the reopen follow. */
  async reacquire(sessionId: string): Promise<void> {
    const line = this.lineOf(sessionId);
    if (line.boardId === null) throw new Error(`bug: ${sessionId} has no local board to reopen`);
    try {
      const port = await this.registry.open(line.boardId);
      if (this.lines.get(sessionId) !== line) return void port.close();
      line.port = port;
      line.relay.reacquire(port);
    } catch (err) {
      line.relay.reacquire(null, err as Error); // as if unplugged: the grace runs, and a returning board is reopened
      throw err;
    }
  }

  /** A line fbay adds to a session's output and transcript (a flash's marker). */
  note(sessionId: string, text: string): void {
    this.lines.get(sessionId)?.relay.note(text);
  }

  private lineOf(sessionId: string): LiveLine {
    const line = this.lines.get(sessionId);
    if (!line) throw new ApiError('session_conflict', `Session ${sessionId} has no open serial line: it has ended or has not started.`);
    return line;
  }

  has(sessionId: string): boolean {
    return this.lines.has(sessionId);
  }

  /** The open port of a live session, for resets. */
  portOf(sessionId: string): SerialPortHandle | undefined {
    return this.lines.get(sessionId)?.port;
  }

  /** The session's board is away (unplugged, re-enumerating) and its line waits for it. */
  isLost(sessionId: string): boolean {
    return this.lines.get(sessionId)?.relay.portLost ?? false;
  }

  clientsOf(sessionId: string): number {
    return this.lines.get(sessionId)?.relay.clientCount ?? 0;
  }

  /** Total bytes the board has sent in this session so far. */
  offsetOf(sessionId: string): number | undefined {
    return this.lines.get(sessionId)?.relay.offset;
  }

  attach(sessionId: string, ws: RelaySocket, since: number | undefined): boolean {
    const line = this.lines.get(sessionId);
    if (!line) return false;
    line.relay.attach(ws, since === undefined ? {} : { since });
    return true;
  }

  /** The state dir was deleted: every live transcript starts anew at its offset; says what each had that is gone. */
  restartTranscripts(): string[] {
    const lost: string[] = [];
    for (const [id, line] of this.lines) {
      const bytes = line.transcript.reopen();
      if (bytes === 0) continue;
      lost.push(`${bytes} bytes of ${id}'s transcript before offset ${line.transcript.length}`);
      line.relay.broadcast({ type: 'error', code: 'transcript_lost', error: `The daemon's state directory was deleted: this session's transcript before offset ${line.transcript.length} is gone (the live line is fine).` });
    }
    return lost;
  }

  /** Closes every port on daemon stop; the sessions are not ended by it (their boards were not lost). */
  async closeAll(): Promise<void> {
    const lines = [...this.lines.values()];
    this.lines.clear();
    await Promise.allSettled(lines.map((l) => l.relay.close(1001, 'daemon stopping').finally(() => l.transcript.close())));
  }
}

export type { OpenedPort };
