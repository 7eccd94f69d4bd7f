// Builds the daemon's parts, bottom up: boards and ports, the providers, the kinds, the session core.
import { join } from 'node:path';
import type { Clock } from '../shared/clock.js';
import type { FbayPaths } from '../shared/paths.js';
import { BoardRegistry } from './boards/board-registry.js';
import { checkEntries } from './boards/board-entries.js';
import { boardActions } from './boards/board-actions.js';
import { FlashJobs } from './flash/flash-jobs.js';
import { FollowedFlash } from './flash/followed-flash.js';
import { MirrorFlash } from './flash/mirror-flash.js';
import { SessionPower } from './power/session-power.js';
import { BoardRestore } from './providers/board/board-restore.js';
import type { FlashEvent } from '../transport/protocol/events.js';
import type { BoardEntryConfig } from '../shared/config-keys.js';
import { browserDirs } from './browsers/browser-dirs.js';
import { ChromiumHost } from './browsers/chromium-host.js';
import { reapLeftovers } from './browsers/reaper.js';
import { boardKind } from './providers/board/board-kind.js';
import { BoardProvider } from './providers/board/board-provider.js';
import { browserKind } from './providers/browser/browser-kind.js';
import { BrowserProvider } from './providers/browser/browser-provider.js';
import type { BrowserRecord } from './providers/browser/browser-record.js';
import { RemoteProvider } from './providers/remote/remote-provider.js';
import { sandboxKind } from './providers/sandbox/sandbox-kind.js';
import { SandboxProvider } from './providers/sandbox/sandbox-provider.js';
import type { SandboxRecord } from './providers/sandbox/sandbox-record.js';
import { SandboxSessions } from './providers/sandbox/sandbox-sessions.js';
import { SandboxHost } from './sandboxes/index.js';
import { RemoteSandboxPorts } from './remote/remote-sandbox-ports.js';
import { RemoteHosts } from './remote/remote-hosts.js';
import { SessionPorts } from './serial/session-ports.js';
import { TranscriptDir } from './serial/transcript.js';
import { LOCAL_ACCOUNT } from './sessions/core-base.js';
import { SessionCore } from './sessions/session-core.js';
import { JournalStore } from './sessions/store/journal-store.js';
import type { SessionStore } from './sessions/store/store.js';
import type { RowOptions } from './sessions/store/pg-rows.js';
import { ResourceNames } from './sessions/resource-names.js';
import { timedStore } from './sessions/store/timed-store.js';
import { Histogram } from './runtime/metrics.js';
import type { DaemonSettings } from './settings.js';
import type { CoreRecord } from './sessions/record.js';
import { BoardSet } from './boards/board-set.js';
import { FileHostStore } from './hosts/file-host-store.js';
import type { HostStore } from './hosts/host-store.js';
import { JoinedHosts } from './hosts/joined-hosts.js';
import type { BoardRecord as BoardSession } from './providers/board/board-record.js';
import type { BoardRecord } from './boards/board-record.js';
import { JoinedFlash } from './hosts/joined-flash.js';
import { JoinedPower } from './hosts/joined-power.js';
import { withJoinTier } from './join/join-tier.js';
import { JoinedBrowserHosts } from './hosts/joined-browser-hosts.js';
import { JoinedSandboxHosts } from './hosts/joined-sandbox-hosts.js';

export interface PartsOptions {
  paths: FbayPaths;
  settings: DaemonSettings;
  clock: Clock;
  log(message: string): void;
  /** The URL bases the daemon is reached at: its Unix socket, its TCP listener (once listening), its CDP port. */
  urls: { socket: string; tcp(): string | null; cdp(id: string, token: string): string; sandbox(s: SandboxRecord): string };
  /** Another store than the journal (tests). */
  store?: SessionStore;
  /** A coordinator's name and store (`--store postgres://…`): made once the kinds are known. */
  coordinator?: { name: string; storeFor(rows: RowOptions): SessionStore };
  /** Another store of joined hosts than hosts.json. */
  hostStore?: HostStore;
}

export function buildParts({ paths, settings, clock, log, urls, store, coordinator, hostStore }: PartsOptions) {
  const names = new ResourceNames(coordinator?.name ?? null);
  const registry = new BoardRegistry({
    virtualBoards: settings.virtualBoards,
    entries: validEntries(settings.boards, log),
    flashDir: join(paths.stateDir, 'virtual-flash'),
    virtualPace: settings.virtualPace,
  });
  const transcripts = new TranscriptDir(join(paths.stateDir, 'sessions'));
  // A coordinator's joined hosts: their boards are handed out like this machine's own, through one board set.
  const joined: JoinedHosts = new JoinedHosts({
    store: hostStore ?? new FileHostStore({ stateDir: paths.stateDir, clock, inUse: (id): boolean => core.holders().has(id), log }),
    clock,
    graceS: () => settings.hostGraceS,
    localBoard: (id) => registry.get(id) !== undefined,
    log,
    // A session on a host that failed over here from another coordinator: its board is this coordinator's now.
    claim: (session, host): Promise<boolean> =>
      core.takeOver(session, (s): Partial<BoardSession> | null => {
        const b = s as BoardSession;
        const there: BoardRecord | undefined = b.kind === 'board' && b.board_host === host && b.board_id ? joined.get(b.board_id) : undefined;
        return there?.host === host ? { resource: names.qualify(there.id), link: null } : null;
      }),
  });
  const boardSet = new BoardSet(registry, joined);
  const ports = new SessionPorts(boardSet, transcripts, log);
  joined.on('notice', (id, message) => ports.broadcast(id, message));
  const actions = boardActions(() => settings.boards, () => settings.virtualOnEnd);
  const restore = new BoardRestore({ registry, onEnd: (id) => actions(id).on_end ?? null, flashCommand: (id) => actions(id).flash_command ?? null, clock, log });
  const hosts = new RemoteHosts(() => settings.remotes, clock);
  const remoteSandboxes = new RemoteSandboxPorts(hosts, () => settings.defaultRemote);
  const dirs = browserDirs(paths.stateDir);
  reapLeftovers(dirs, log);
  const browserHost = new ChromiumHost({
    dirs,
    clock,
    log,
    executable: () => settings.browsers.executable,
    ffmpeg: () => settings.browsers.ffmpeg,
    profilesDir: settings.browsers.profile_dir ?? undefined,
  });
  const now = () => clock.now();
  const boards = new BoardProvider({ registry: boardSet, ports, restore, hosts: joined, idleTimeoutS: () => settings.idleTimeoutS, now, log, names });
  const browserHosts = new JoinedBrowserHosts(joined, clock, () => settings.hostGraceS);
  const browsers = new BrowserProvider({ host: browserHost, capacity: () => settings.browsers.max_concurrent, joined: browserHosts, now, log });
  // A host that offers browsers came or went: sessions queued for a slot may now fit.
  joined.on('change', () => browsers.capacityChanged());
  const remote = new RemoteProvider({ hosts, ports, now, log });
  const sandboxes = new SandboxProvider({
    // The daemon's socket, runtime dir and config stay out of every sandbox's view (its state dir always does).
    open: (sandbox) => SandboxHost.open({ stateDir: paths.stateDir, log, clock, settings: sandbox, hidden: [paths.runtimeDir, paths.configDir] }),
    settings: () => settings.sandbox,
    now,
    log,
    hosts: new JoinedSandboxHosts(joined, browserHosts),
  });
  const tcpBase = (account: string) => (account === LOCAL_ACCOUNT ? null : urls.tcp()?.replace(/^http/, 'ws') ?? null);
  const kinds = [
    boardKind({
      graceS: () => settings.boardGraceS,
      wsUrlFor: (id, account) => `${tcpBase(account) ?? urls.socket}/v1/sessions/${id}/serial`,
      clientsOf: (id) => ports.clientsOf(id),
    }),
    browserKind({
      cdpUrl: (s: BrowserRecord) => {
        const base = s.host ? null : tcpBase(s.account);
        return base ? `${base}/v1/browsers/${s.id}/cdp` : urls.cdp(s.id, s.cdp_token);
      },
      clientsOf: (id) => browsers.clientsOf(id) + remote.browsers.clientsOf(id),
      queueTimeoutMs: () => settings.browsers.queue_timeout_s * 1000,
      now,
    }),
    sandboxKind({ url: (s) => urls.sandbox(s), now }),
  ];
  const isFinal = (s: CoreRecord) => kinds.find((k) => k.kind === s.kind)?.lifecycle.final.includes(s.state as never) ?? s.ended_at !== null;
  const nextDeadline = (s: CoreRecord) => {
    const at = (kinds.find((k) => k.kind === s.kind)?.deadlines(s as never) ?? []).map((d) => d.at);
    return at.length ? Math.min(...at) : null;
  };
  const storeLatency = new Histogram();
  const core: SessionCore = new SessionCore({
    clock,
    store: timedStore(store ?? coordinator?.storeFor({ isFinal, nextDeadline }) ?? new JournalStore({ stateDir: paths.stateDir, log, isFinal }), (op, t) => storeLatency.observe(op, t)),
    ...(coordinator ? { coordinator: coordinator.name } : {}),
    kinds,
    providers: { board: boards, browser: browsers, sandbox: sandboxes },
    remote,
    tiers: () => withJoinTier(settings.tierTables),
    ownerAccount: () => settings.account,
    log,
  });
  core.on('event', (e) => ports.notify(e));
  // Allocations: each session enters its kind's claimed state once.
  const allocations = new Map<string, number>();
  core.on('event', (e) => {
    if (e.type !== 'state') return;
    const state = 'state' in e.session ? e.session.state : e.session.status; // a browser's view says `status` (the seed's shape)
    if (kinds.some((k) => k.kind === e.session.kind && k.claimed === state)) allocations.set(e.session.kind, (allocations.get(e.session.kind) ?? 0) + 1);
  });
  // Flash progress goes out with the core's own events: to every console of the session and to GET /v1/events.
  const publish = (e: FlashEvent) => core.emit('event', e);
  const flashes = new FlashJobs({ ports, boards, registry, actions, clock, log, publish, graceS: () => settings.boardGraceS, tmpDir: paths.stateDir });
  // Jobs that run on another daemon and are followed here: a mirrored session's host's, a joined host's.
  const followed = new FollowedFlash({ boards, publish, clock, log });
  const mirrorFlash = new MirrorFlash({ hosts, followed, isLive: (id) => core.get(id)?.ended_at === null, clock, log });
  const joinedFlash = new JoinedFlash({ hosts: joined, followed, log });
  core.on('event', (e) => {
    if (e.type === 'ended') joinedFlash.ended(e.session_id, e.reason);
  });
  const flashing = (id: string) => flashes.latest(id)?.state === 'running' || followed.running(id);
  const power = new SessionPower({ registry, actions, boards, flashing, clock, log });
  const joinedPower = new JoinedPower({ hosts: joined, boards, flashing });
  const sandboxSessions = new SandboxSessions(core, sandboxes);
  // A host that joins again may still run browsers and sandboxes this coordinator has ended (while it was away, or in
  // a restart), and sandboxes it idled or put to sleep meanwhile.
  joined.on('joined', (host) => {
    const live = (id: string) => core.get(id)?.ended_at === null;
    browsers.joined?.reconcile(host, live).catch((err: Error) => log(`host ${host}: could not check its browsers: ${err.message}`));
    const record = (id: string) => core.get(id) as SandboxRecord | undefined;
    sandboxes.joined?.reconcile(host, record, (s) => core.isLive(s)).catch((err: Error) => log(`host ${host}: could not check its sandboxes: ${err.message}`));
  });
  joined.on('left', (host) => sandboxes.joined?.left(host));
  joined.on('lost', (host, heard) => sandboxes.joined?.lost(host, heard));
  return { registry, boardSet, joined, browserHosts, hostsStatus: () => joined.status(), transcripts, ports, hosts, browserHost, boards, browsers, remote, remoteSandboxes, sandboxes, sandboxSessions, core, names, metrics: { storeLatency, allocations }, restore, flashes, mirrorFlash, joinedFlash, power, joinedPower };
}

export type DaemonParts = ReturnType<typeof buildParts>;

/** A bad `boards` list in config.json must not keep the daemon from starting: it starts without those entries. */
function validEntries(entries: BoardEntryConfig[], log: (message: string) => void): BoardEntryConfig[] {
  try {
    checkEntries(entries);
    return entries;
  } catch (err) {
    log(`config: ignoring the boards list: ${(err as Error).message}. Fix it with \`fbay boards remove\` / \`fbay boards add\`.`);
    return [];
  }
}
