// WS /v1/hosts/connect: a board host's one connection to this coordinator, with a host key (a user's key is refused).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Clock } from '../../shared/clock.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { API } from '../../transport/protocol/paths.js';
import { MAX_FRAME_BYTES } from '../../transport/tunnel/frames.js';
import { hostOf } from '../auth/authenticate.js';
import { refuseUpgrade } from '../http/server.js';
import { LOCAL_ACCOUNT } from '../sessions/core-base.js';
import { HostLink } from './host-link.js';
import type { JoinedHosts } from './joined-hosts.js';

export function isHostTunnelPath(url: string | undefined): boolean {
  return new URL(url ?? '/', 'http://fbay').pathname === API.hostsConnect;
}

export class HostTunnel {
  // ws enforces the frame bound before anything is parsed: a larger frame closes the tunnel (1009).
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  constructor(
    private readonly hosts: JoinedHosts,
    private readonly clock: Clock,
    private readonly log: (message: string) => void,
  ) {}

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, principal: string): void {
    const name = hostOf(principal);
    if (name === null) {
      const why =
        principal === LOCAL_ACCOUNT
          ? 'The host tunnel is for board hosts reaching this coordinator over TCP with a host key, not for its Unix socket.'
          : `A user key cannot register a host: this key is the account '${principal}'.`;
      return refuseUpgrade(socket, new ApiError('forbidden', why, { next: 'Make a host key on the coordinator with `fbay keys create --host NAME`, then run `fbay daemon start --join URL --key KEY` on the host.' }));
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.hosts.accept(new HostLink(ws, name, this.clock, this.hosts.heartbeatMs, this.log)));
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
