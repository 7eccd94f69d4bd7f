// The API server's hook before each request: the session store answers the commits its writer thread finished there.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { createApiServer } from '../../../src/daemon/http/server.js';
import { Router } from '../../../src/daemon/http/router.js';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = null;
});

describe('createApiServer', () => {
  it('calls beforeRequest as each request is read, before its route runs', async () => {
    const seen: string[] = [];
    const router = new Router().add([{ method: 'GET', path: '/v1/x', handler: () => (seen.push('route'), { status: 200, body: { ok: true } }) }]);
    server = createApiServer({ router, accountFor: () => 'local', upgrade: () => undefined, log: () => undefined, beforeRequest: () => seen.push('before') });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const path of ['/v1/x', '/v1/x', '/v1/nowhere']) await (await fetch(base + path)).arrayBuffer();
    expect(seen).toEqual(['before', 'route', 'before', 'route', 'before']);
  });
});
