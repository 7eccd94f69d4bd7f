// The hosts joined to this coordinator: their boards (listed and opened like local ones), their links, and the
// grace a host that dropped gets before its sessions end with `host_lost`, charged up to its last heartbeat.
import { EventEmitter } from 'node:events';
import { ApiError } from '../../transport/protocol/errors.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import type { HelloMessage } from '../../transport/tunnel/messages.js';
import type { BoardRecord, OpenedPort } from '../boards/board-record.js';
import { CLOSE, type HostLink } from './host-link.js';
import { boardRecordOf } from './joined-boards.js';
import { HostRegistration, idsOf } from './host-registration.js';
import { JoinedLine } from './joined-line.js';
import type { JoinedBoard } from './host-store.js';
import type { HostStatus } from '../../transport/protocol/api.js';
import { statusOf } from './hosts-status.js';
import { HostGrace } from './host-grace.js';
import { claimOrRelease, connectedLink, reasonFromHost, type Host, type JoinedHostsEvents, type JoinedHostsOptions } from './joined-host.js';
import { JoinedBoardIndex } from './joined-board-index.js';
import { HostStreams } from './host-streams.js';

/** A host keeps a session this much longer than the grace: the coordinator decides, the host only waits. */
export const KEEP_MARGIN_S = 30;
export const HEARTBEAT_MS = 2000;

export type { Host, JoinedHostsEvents, JoinedHostsOptions } from './joined-host.js';

export class JoinedHosts extends EventEmitter<JoinedHostsEvents> {
  readonly hosts = new Map<string, Host>();
  private readonly boards = new JoinedBoardIndex<Host>();
  private stopping = false;
  /** Each connection's open channels. */
  private readonly channels = new WeakMap<HostLink, Map<number, JoinedLine>>();
  private readonly grace: HostGrace<Host>;
  private readonly registration: HostRegistration;
  readonly heartbeatMs: number;

  constructor(private readonly o: JoinedHostsOptions) {
    super();
    this.heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
    this.grace = new HostGrace({ clock: o.clock, graceS: o.graceS, expired: (host, heard) => this.expire(host, heard) });
    this.registration = new HostRegistration({ store: o.store, localBoard: o.localBoard, now: () => o.clock.now(), log: o.log, changed: () => this.rebuild() });
  }

  /** After a start: the hosts known before, all away until they connect again. */
  async load(): Promise<void> {
    const now = this.o.clock.now();
    for (const record of await this.o.store.load()) {
      if (record.disconnected_at === null) {
        record.disconnected_at = now;
        await this.o.store.link(record.name, { disconnected_at: now });
      }
      this.hosts.set(record.name, { record, link: null, lines: new Map(), grace: null, browsers: 0, sandboxes: 0, streams: null });
      this.grace.knownAtStart(record.name);
    }
    this.rebuild();
  }

  list(): BoardRecord[] {
    return this.boards.list();
  }

  get(id: string): BoardRecord | undefined {
    return this.boards.get(id);
  }

  /** Opens a session's line to a joined board: at once if its host is connected, else once it is back. */
  async open(boardId: string, ctx: { session: string; offset: number }): Promise<OpenedPort> {
    const entry = this.boards.entry(boardId);
    if (!entry) throw new ApiError('not_found', `No board '${boardId}' on any joined host; \`fbay boards\` lists them.`);
    const { host, board } = entry;
    const name = host.record.name;
    host.lines.get(ctx.session)?.line.destroy();
    const line = new JoinedLine(ctx.session, name, ctx.offset);
    line.on('log', (m: string) => this.o.log(`session ${ctx.session} on ${name}: ${m}`));
    line.on('notice', (m: ServerMessage) => this.emit('notice', ctx.session, m));
    host.lines.set(ctx.session, { line, board });
    line.once('close', () => this.lineClosed(host, ctx.session, line));
    if (host.link) await this.bind(host, host.link, line, board, 'start');
    else this.away(host, line);
    return { board: boardRecordOf(name, board, true), label: `${name}:${board.local_id}`, stream: line, control: line.control, close: () => line.shut() };
  }

  /** The session runs on another coordinator now: its line here is forgotten, so closing it says nothing to its host. */
  letGo(session: string): void {
    for (const host of this.hosts.values()) host.lines.delete(session);
  }

  /** A host's link while it is connected (its sessions' flash and power requests go over it); null while away. */
  linkTo(name: string): HostLink | null {
    return connectedLink(this.hosts.get(name));
  }

  /** Something of this coordinator's runs on the host: while it is away, its grace runs. False: no such host. */
  expect(name: string): boolean {
    const host = this.hosts.get(name);
    if (host && !connectedLink(host)) this.grace.away(host);
    return host !== undefined;
  }

  /** A host's tunnel is up (authenticated by its key): it registers with its hello. */
  accept(link: HostLink): void {
    if (this.stopping) return link.close(CLOSE.stopping, 'the coordinator is stopping');
    link.once('hello', (hello) => {
      this.hello(link, hello).catch((err: Error) => {
        this.o.log(`host ${link.host}: registration failed: ${err.message}`);
        link.close(1011, `registration failed: ${err.message}`);
      });
    });
    link.once('closed', (why) => this.dropped(link, why));
  }

  /** Ends a host's tunnel (its key was revoked or rotated); its sessions get the grace like any drop. */
  disconnect(name: string, why: string): void {
    this.hosts.get(name)?.link?.close(CLOSE.revoked, why);
  }

  status(): HostStatus[] {
    return [...this.hosts.values()].map((h) => statusOf(h, this.o.clock.now()));
  }

  private async hello(link: HostLink, { version, boards: offered, sessions: held, browsers = 0, sandboxes = 0 }: HelloMessage): Promise<void> {
    const name = link.host;
    const now = this.o.clock.now();
    let host = this.hosts.get(name);
    if (!host) {
      host = { record: { name, version, boards: [], first_seen_at: now, connected_at: null, disconnected_at: null, last_heartbeat_at: now }, link: null, lines: new Map(), grace: null, browsers: 0, sandboxes: 0, streams: null };
      this.hosts.set(name, host);
    }
    const previous = host.link;
    host.link = link;
    this.grace.back(host);
    previous?.close(CLOSE.replaced, 'a newer connection of this host took over');
    const refused = await this.registration.register(host, version, offered, now);
    await this.o.store.link(name, { connected_at: now, disconnected_at: null, last_heartbeat_at: now });
    Object.assign(host.record, { connected_at: now, disconnected_at: null });
    if (host.link !== link) return; // replaced while registering
    const channels = new Map<number, JoinedLine>();
    this.channels.set(link, channels);
    Object.assign(host, { browsers, sandboxes, streams: new HostStreams(link) });
    link.on('heard', (at) => this.o.store.heartbeat(name, at));
    link.on('data', (channel, offset, bytes) => channels.get(channel)?.fromHost(offset, bytes));
    link.on('text', (channel, message) => channels.get(channel)?.fromHostText(message));
    link.on('message', (m) => {
      if (m.op === 'ended') this.endedOnHost(host, m.session, m.reason);
      else if (m.op === 'boards') this.registration.reregister(host, link, m.boards);
      else if (m.op === 'job' && host.lines.has(m.session)) this.emit('job', m.session, m.job, name); // a host speaks only of its own sessions
    });
    link.send({ op: 'welcome', host: name, grace_s: this.o.graceS(), heartbeat_ms: this.heartbeatMs, ids: idsOf(host.record), refused });
    this.o.log(`host ${name} joined (fbay ${version}, ${host.record.boards.length} boards${refused.length ? `, ${refused.length} refused` : ''}${host.lines.size ? `; resuming ${host.lines.size} sessions` : ''})`);
    // Sessions it holds that are not this coordinator's: taken over (another ran them), else let go on the host.
    for (const id of held) if (!host.lines.has(id)) void claimOrRelease(link, id, this.o);
    for (const { line, board } of host.lines.values()) void this.bind(host, link, line, board, 'resume');
    this.rebuild();
    this.emit('joined', name);
  }

  /** Opens the session's channel on the host: a new session there ('start'), or the same one again after a drop. */
  private async bind(host: Host, link: HostLink, line: JoinedLine, board: JoinedBoard, mode: 'start' | 'resume'): Promise<void> {
    const channel = link.channel();
    const channels = this.channels.get(link);
    channels?.set(channel, line);
    const forget = () => (channels?.delete(channel), link.channels.delete(channel));
    const keep_s = this.o.graceS() + KEEP_MARGIN_S;
    let reply;
    try {
      // Bound as the reply is read: the host's replay follows it at once, and must not reach an unbound line.
      reply = await link.request({ op: 'open', channel, session: line.session, board: board.local_id, since: line.offset, keep_s }, undefined, (r) => {
        if (r.ok && host.link === link && line.isOpen) line.bind(link, channel, r);
      });
    } catch (err) {
      forget();
      if (mode === 'start') throw err;
      return; // the link dropped meanwhile: the grace runs, the next hello tries again
    }
    if (!reply.ok) {
      forget();
      if (mode === 'start') throw new ApiError('no_board_available', `Host '${host.record.name}' could not open board ${board.id}: ${reply.error}`);
      const reason = reply.ended ? reasonFromHost(reply.ended) : 'host_lost';
      this.o.log(`session ${line.session}: host ${host.record.name} no longer has it (${reply.error}); ending it (${reason})`);
      return void this.emit('end', line.session, reason, reason === 'host_lost' ? (host.record.last_heartbeat_at ?? this.o.clock.now()) : this.o.clock.now());
    }
    if (host.link !== link || !line.isOpen) return void forget();
    if (mode === 'resume') this.emit('link', line.session, { state: 'open', deadline: null }, host.record.name);
  }

  private dropped(link: HostLink, why: string): void {
    const host = this.hosts.get(link.host);
    if (!host || host.link !== link) return;
    host.link = null;
    host.streams = null;
    const now = this.o.clock.now();
    host.record.disconnected_at = now;
    host.record.last_heartbeat_at = link.heardAt;
    void this.o.store.link(host.record.name, { disconnected_at: now, last_heartbeat_at: link.heardAt });
    for (const { line } of host.lines.values()) line.unbind();
    if (!this.stopping) {
      this.o.log(`host ${host.record.name} dropped (${why})${host.lines.size ? `; its ${host.lines.size} sessions are kept for ${this.o.graceS()} s` : ''}`);
      for (const { line } of host.lines.values()) this.away(host, line);
      this.emit('left', host.record.name);
    }
    this.rebuild();
  }

  /** The session's host is away: its clients are told, and the host's grace (from its last heartbeat) runs. */
  private away(host: Host, line: JoinedLine): void {
    this.emit('link', line.session, { state: 'reconnecting', deadline: this.grace.away(host) }, host.record.name);
  }

  private expire(host: Host, heard: number): void {
    if (host.link || this.stopping) return;
    if (host.lines.size) this.o.log(`host ${host.record.name} did not come back within ${this.o.graceS()} s: its ${host.lines.size} sessions end (host_lost), charged up to its last heartbeat at ${new Date(heard).toISOString()}`);
    for (const id of [...host.lines.keys()]) this.emit('end', id, 'host_lost', heard);
    this.emit('lost', host.record.name, heard);
  }

  private endedOnHost(host: Host, session: string, reason: string): void {
    if (!host.lines.has(session)) return;
    this.o.log(`session ${session}: ended on host ${host.record.name} (${reason})`);
    this.emit('end', session, reasonFromHost(reason), this.o.clock.now());
  }

  private lineClosed(host: Host, session: string, line: JoinedLine): void {
    if (host.lines.get(session)?.line !== line) return;
    host.lines.delete(session);
    const channel = line.channel;
    if (channel !== null && host.link) this.channels.get(host.link)?.delete(channel);
    // A coordinator stopping for a restart keeps its sessions: the host keeps them too.
    if (!this.stopping && host.link?.open) host.link.request({ op: 'release', session }).catch((err: Error) => this.o.log(`session ${session}: release on ${host.record.name}: ${err.message}`));
  }

  private rebuild(): void {
    this.boards.rebuild(this.hosts.values());
    this.emit('change');
  }

  /** Stops accepting hosts and closes their tunnels; sessions stay as they are (kept, or already ended). */
  async close(): Promise<void> {
    this.stopping = true;
    for (const host of this.hosts.values()) {
      this.grace.cancel(host);
      host.link?.close(CLOSE.stopping, 'the coordinator is stopping');
    }
    await this.o.store.close();
  }
}
