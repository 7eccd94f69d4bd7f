// Which WebSocket endpoint an upgrade is for (the host tunnel, a CDP client, a live view), else a serial console.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Upgrader {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer, account: string): void;
}

export function routeUpgrades(routes: ReadonlyArray<[(url: string | undefined) => boolean, Upgrader]>, fallback: Upgrader) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer, account: string): void =>
    (routes.find(([matches]) => matches(req.url))?.[1] ?? fallback).handle(req, socket, head, account);
}
