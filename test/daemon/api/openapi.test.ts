// The contract is generated from the schemas: the daemon serves it, and the committed copy must be the same.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let d: DaemonProcess;
beforeAll(async () => {
  h = makeHome();
  d = await spawnDaemon(h.home);
});
afterAll(async () => {
  await stopDaemon(d);
  h.cleanup();
});

describe('GET /v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document with the request schemas the handlers use', async () => {
    const doc = (await api(h.socket, 'GET', '/v1/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/v1/sessions'].post.requestBody.content['application/json'].schema;
    // A board session's body or a sandbox's: the route takes either.
    expect(create.anyOf).toEqual([
      expect.objectContaining({ type: 'object', additionalProperties: false, properties: expect.objectContaining({ board_type: expect.objectContaining({ type: 'string' }), idle_timeout_s: expect.objectContaining({ type: 'integer', minimum: 1 }) }) }),
      expect.objectContaining({ type: 'object', additionalProperties: false, properties: expect.objectContaining({ kind: expect.objectContaining({ const: 'sandbox' }), ttl: expect.objectContaining({ type: 'number' }), limits: expect.objectContaining({ type: 'object' }) }) }),
    ]);
    expect(doc.paths['/v1/sessions/{id}'].patch).toBeDefined();
    expect(doc.paths['/v1/browsers'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['id', 'wait', 'timeout_ms']));
  });

  it('matches docs/openapi.json (run `npm run openapi` after changing a route or schema)', async () => {
    const served = (await api(h.socket, 'GET', '/v1/openapi.json')).body;
    const committed = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(served).toEqual(committed);
  });
});
