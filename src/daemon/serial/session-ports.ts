// Opens a session's board through the registry and keeps one serial relay per live session.
import type { WebSocket } from 'ws';
import type { BoardRegistry } from '../boards/board-registry.js';
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

export class SessionPorts implements PortOpener {
  private readonly relays = new Map<string, SerialRelay>();
  private engine: SessionEngine | null = null;

  constructor(
    private readonly registry: BoardRegistry,
    private readonly log: (message: string) => void,
  ) {}

  /** Connects to the engine once both exist (the engine needs this opener to be built). */
  bind(engine: SessionEngine): void {
    this.engine = engine;
    engine.on('event', (e) => {
      const relay = this.relays.get(e.type === 'state' ? e.session.id : e.session_id);
      const message = (toClient[e.type] as (ev: EngineEvent) => ServerMessage | null)(e);
      if (relay && message) relay.broadcast(message);
    });
  }

  async open(sessionId: string, boardId: string): Promise<void> {
    const port = await this.registry.open(boardId);
    const relay = new SerialRelay(port);
    this.relays.set(sessionId, relay);
    relay.on('clients', (count: number) => this.engine?.setClientCount(sessionId, count));
    // The port went away under the session (a board removed): no re-enumeration grace yet, so it ends now.
    relay.on('close', () => {
      if (this.relays.get(sessionId) !== relay) return;
      this.relays.delete(sessionId);
      this.engine?.boardLost(sessionId);
    });
  }

  close(sessionId: string): void {
    const relay = this.relays.get(sessionId);
    if (!relay) return;
    this.relays.delete(sessionId);
    relay.close(1000, 'session ended').catch((err: unknown) => this.log(`closing the port of ${sessionId}: ${String(err)}`));
  }

  relayOf(sessionId: string): SerialRelay | undefined {
    return this.relays.get(sessionId);
  }

  attach(sessionId: string, ws: WebSocket, since: number | undefined): boolean {
    const relay = this.relays.get(sessionId);
    if (!relay) return false;
    relay.attach(ws, since === undefined ? {} : { since });
    return true;
  }

  /** Closes every port on daemon stop; the sessions are not ended by it (their boards were not lost). */
  async closeAll(): Promise<void> {
    const relays = [...this.relays.values()];
    this.relays.clear();
    await Promise.allSettled(relays.map((r) => r.close(1001, 'daemon stopping')));
  }
}
