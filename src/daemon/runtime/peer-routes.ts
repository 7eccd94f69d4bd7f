// On a coordinator: which requests go to the coordinator that runs their session — every route under a session or a
// browser except the session itself (shown, changed and ended through the store anywhere), and their WebSockets.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../../transport/protocol/errors.js';
import type { ApiRequest, Route } from '../http/router.js';
import { refuseUpgrade } from '../http/server.js';
import type { CreateElsewhere } from '../api/sessions.js';
import type { SessionCore } from '../sessions/session-core.js';
import { FORWARDED_HEADER, PeerForward, type ForwardOptions, type PeerDirectory } from './peer-forward.js';

const UNDER_A_SESSION = /^\/v1\/(sessions|browsers)\/:id\/./;
const SESSION_SOCKETS = /^\/v1\/(?:sessions\/([^/?]+)\/(?:serial|ports\/\d+)|browsers\/([^/?]+)\/(?:cdp|screencast))\/?(?:\?|$)/;

/** What it reads of the fleet: coordinators' URLs, and where a free board of a type is. */
export interface PeerFleet extends PeerDirectory {
  coordinatorWithFree(type: string, except?: readonly string[]): Promise<string | null>;
  coordinatorWithType(type: string, except?: readonly string[]): Promise<string | null>;
  coordinatorOfBoard(id: string): Promise<string | null>;
  coordinatorWithRoom(kind: 'sandbox' | 'browser', except?: readonly string[]): Promise<string | null>;
}

type Upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, account: string) => void;
type CreateBody = { board_type?: string; board_id?: string; wait_s?: number };

export class PeerRoutes implements CreateElsewhere {
  private readonly forward: PeerForward;
  private readonly fleet: PeerFleet;

  constructor(
    private readonly core: SessionCore,
    coordinator: { name: string; fleet: PeerFleet },
    /** Whether this coordinator has boards of a type (its own or its joined hosts'), busy or not. */
    private readonly offersType: (type: string) => boolean = () => true,
  ) {
    this.fleet = coordinator.fleet;
    this.forward = new PeerForward(coordinator.name, coordinator.fleet);
  }

  /** The routes, those under a session first asking whether another coordinator runs it. */
  routes(routes: Route[]): Route[] {
    return routes.map((route) =>
      !UNDER_A_SESSION.test(route.path)
        ? route
        : {
            ...route,
            handler: async (ctx) => {
              const owner = await this.ownerElsewhere(ctx.req, ctx.account, ctx.params.id);
              if (owner === null) return route.handler(ctx);
              await this.forward.http(ctx.req, ctx.res, owner, `Session ${ctx.params.id} runs`, { asksForBody: route.asksForBody });
              return 'streaming';
            },
          },
    );
  }

  /** The upgrade handler, a session's WebSocket going to the coordinator that runs the session. */
  upgrades(inner: Upgrade): Upgrade {
    return (req, socket, head, account) => {
      const m = SESSION_SOCKETS.exec(req.url ?? '');
      const id = m ? safeDecode(m[1] ?? m[2]!) : undefined;
      if (id === undefined) return inner(req, socket, head, account);
      this.ownerElsewhere(req, account, id).then(
        (owner) => (owner === null ? inner(req, socket, head, account) : void this.forward.upgrade(req, socket, head, owner, `Session ${id} runs`)),
        (err: unknown) => (err instanceof ApiError ? refuseUpgrade(socket, err) : socket.destroy()),
      );
    };
  }

  /**
   * A board create this coordinator could not serve, passed to the coordinator that can, which makes and runs the
   * session (shown, attached to and ended through any coordinator after): by type, when no board of the type is free
   * here, to one with a free one; by id, for a board this coordinator does not have, to the one that offers it (which
   * answers busy, or queues a `wait_s`, as for its own clients). True when passed on; false: the refusal stands.
   */
  async refused(ctx: ApiRequest, body: CreateBody, refusal: unknown): Promise<boolean> {
    if (!this.passable(ctx) || !(refusal instanceof ApiError)) return false;
    const byId = body.board_id !== undefined && refusal.code === 'not_found';
    const byType = body.board_id === undefined && body.board_type !== undefined && refusal.code === 'no_board_available';
    if (byId) {
      const owner = await this.fleet.coordinatorOfBoard(body.board_id!).catch(() => null);
      if (owner === null) return false;
      await this.forward.http(ctx.req, ctx.res, owner, `Board ${body.board_id} is offered`, { json: body });
      return true;
    }
    if (!byType) return false;
    return this.byType(ctx, body, (except) => this.fleet.coordinatorWithFree(body.board_type!, except), `The free ${body.board_type} board found for this create is`);
  }

  /**
   * Passes a create by type to the coordinator `find` names, and to the next if that one refuses the connection (it
   * died, and its heartbeat has not run out yet): the create did not reach it. False once none is left.
   */
  private async byType(ctx: ApiRequest, body: object, find: (except: string[]) => Promise<string | null>, what: string, created?: ForwardOptions['created']): Promise<boolean> {
    const refused: string[] = [];
    for (;;) {
      const owner = await find(refused).catch(() => null);
      if (owner === null || refused.includes(owner)) return false;
      if ((await this.forward.http(ctx.req, ctx.res, owner, what, { json: body, orElse: true, ...(created ? { created } : {}) })) === 'answered') return true;
      refused.push(owner);
    }
  }

  /**
   * A create that waits for a type this coordinator has no board of would wait here for ever: it is queued on a
   * coordinator that has that type instead (one with a free board, if any). With none anywhere it waits here, for a
   * board that may be plugged in.
   */
  async waiting(ctx: ApiRequest, body: CreateBody): Promise<boolean> {
    if (!this.passable(ctx) || body.board_id !== undefined || body.board_type === undefined || !(body.wait_s ?? 0) || this.offersType(body.board_type)) return false;
    const type = body.board_type;
    return this.byType(ctx, body, (except) => this.fleet.coordinatorWithType(type, except), `The ${type} boards this create waits for are`);
  }

  /**
   * A sandbox or browser create this coordinator would run itself (no joined host of its own has room), passed to a
   * coordinator whose joined host has: hosts run them before coordinators do. False: it is made here.
   */
  async placed(ctx: ApiRequest, kind: 'sandbox' | 'browser', body: object): Promise<boolean> {
    if (!this.passable(ctx)) return false;
    // A browser is shown as this coordinator shows it: its cdpUrl is this one's, which passes the CDP socket on, as
    // the status polls that follow through here show it.
    const created = kind === 'browser' ? async (b: { id?: unknown }) => this.core.view(await this.core.lookup(ctx.account, String(b.id), 'browser')) : undefined;
    return this.byType(ctx, body, (except) => this.fleet.coordinatorWithRoom(kind, except), `The joined host with room for this ${kind} is`, created);
  }

  /** A create passed here by another coordinator is not passed on again; one over the owner's socket has no key to pass. */
  private passable(ctx: ApiRequest): boolean {
    return !ctx.req.headers[FORWARDED_HEADER] && ctx.req.headers.authorization !== undefined;
  }

  /** The coordinator that runs the account's session, if not this one; null: handled here (or refused by the route). */
  private async ownerElsewhere(req: IncomingMessage, account: string, id: string | undefined): Promise<string | null> {
    if (id === undefined) return null;
    // A session this coordinator runs is in its own records: no store read on every console, exec or log request.
    const known = this.core.get(id);
    if (known && this.core.runsHere(known)) return null;
    const s = await this.core.lookup(account, id).catch(() => null);
    if (!s?.coordinator || this.core.runsHere(s)) return null;
    // Passed here by another coordinator, yet not run here either: answered here as well as it can be, not passed on.
    if (req.headers[FORWARDED_HEADER]) return null;
    const keyed = req.headers.authorization !== undefined || new URL(req.url ?? '/', 'http://fbay').searchParams.has('token');
    if (!keyed) {
      throw new ApiError('session_conflict', `Session ${id} runs on coordinator ${s.coordinator}: reach it there, or here over TCP with an API key (the owner's socket carries none to pass on).`, {
        coordinator: s.coordinator,
      });
    }
    return s.coordinator;
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
