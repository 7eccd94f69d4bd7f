// Sessions on another fbay host, mirrored here under the host's id — board and browser sessions alike, one provider.
import { randomUUID } from 'node:crypto';
import type { CreateSessionRequest } from '../../../transport/protocol/api.js';
import type { CreateBrowserRequest } from '../../../transport/protocol/browser-api.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { RemoteHosts } from '../../remote/remote-hosts.js';
import type { SessionPorts } from '../../serial/session-ports.js';
import { Provider, type Admission, type Admitted } from '../../sessions/provider.js';
import type { CoreRecord } from '../../sessions/record.js';
import type { BoardRecord } from '../board/board-record.js';
import type { BrowserRecord } from '../browser/browser-record.js';
import { RemoteBoards } from './remote-boards.js';
import { RemoteBrowsers } from './remote-browsers.js';

export interface RemoteProviderDeps {
  hosts: RemoteHosts;
  ports: SessionPorts;
  now(): number;
  log(message: string): void;
}

export class RemoteProvider extends Provider {
  readonly boards: RemoteBoards;
  readonly browsers: RemoteBrowsers;

  constructor(private readonly deps: RemoteProviderDeps) {
    super();
    const emit = this.emit.bind(this) as never;
    this.boards = new RemoteBoards(deps.ports, emit, deps.now, deps.log);
    this.browsers = new RemoteBrowsers(emit, deps.now, deps.log);
  }

  async admit({ request, idempotencyKey }: Admission): Promise<Admitted> {
    const { host, kind, ...req } = request as { host: string; kind: string };
    const client = this.deps.hosts.client(host);
    // One key for every retry of this create, here and on the host.
    const key = idempotencyKey ?? randomUUID();
    if (kind === 'board') return this.boards.admit(client, req as CreateSessionRequest, key);
    if (kind === 'browser') return this.browsers.admit(client, req as CreateBrowserRequest, key);
    throw new ApiError('invalid_request', `${kind} sessions cannot be created on a remote host through this daemon yet.`);
  }

  noResource(): ApiError {
    return new ApiError('upstream_unavailable', 'The remote host has no room for it.');
  }

  start(s: CoreRecord): Promise<Partial<CoreRecord>> {
    const client = this.deps.hosts.client(s.host!);
    return s.kind === 'board' ? this.boards.open(client, s as BoardRecord) : this.browsers.start(client, s as BrowserRecord);
  }

  async stop(s: CoreRecord, reason: string): Promise<Partial<CoreRecord>> {
    if (s.kind === 'browser') return this.browsers.stop(s as BrowserRecord, reason);
    let client = null;
    try {
      client = this.deps.hosts.client(s.host!);
    } catch {
      // The remote was removed from config: nothing to tell it.
    }
    return this.boards.stop(client, s as BoardRecord);
  }

  /** After a restart: a mirrored board reopens its line; a browser mirror could not outlive the daemon. */
  override resume(s: CoreRecord): void {
    if (s.kind !== 'board') return;
    let client;
    try {
      client = this.deps.hosts.client(s.host!);
    } catch (err) {
      this.emit('end', s.id, 'upstream_lost', this.deps.now());
      return void this.deps.log(`session ${s.id}: ${(err as Error).message}`);
    }
    this.boards.open(client, s as BoardRecord).then(
      () => {
        if (s.state === 'allocating') this.emit('update', s.id, {}, 'idle');
      },
      () => this.emit('end', s.id, 'upstream_lost', this.deps.now()),
    );
  }
}
