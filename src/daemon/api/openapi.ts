// GET /v1/openapi.json: the contract, generated from the route table and the schemas the handlers parse with.
import { toJsonSchema } from '@valibot/to-json-schema';
import type { GenericSchema } from 'valibot';
import { VERSION } from '../../shared/version.js';
import { ERROR_STATUS } from '../../transport/protocol/errors.js';
import { ROUTES } from '../../transport/protocol/paths.js';
import type { Route } from '../http/router.js';

type Json = Record<string, unknown>;

/** Schemas the converter cannot read on its own (custom checks) are described by their shape. */
function jsonSchema(schema: GenericSchema): Json {
  const out = toJsonSchema(schema, {
    errorMode: 'ignore',
    overrideSchema: (ctx) => (ctx.valibotSchema.type === 'custom' ? { type: 'object', additionalProperties: { type: 'string' }, description: 'string values, at most 16 KiB' } : undefined),
  }) as Json;
  delete out.$schema;
  return out;
}

function parameters(route: Route): Json[] {
  const path = [...route.path.matchAll(/[:*]([a-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = route.query ? (jsonSchema(route.query).properties as Record<string, Json> | undefined) ?? {} : {};
  return [...path, ...Object.entries(query).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))];
}

const errorBody = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: { type: 'string', description: 'A sentence a person can act on.' }, code: { type: 'string', enum: Object.keys(ERROR_STATUS) } },
};

export function openapiDocument(routes: readonly Route[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const sorted = [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  for (const route of sorted) {
    const path = route.path.replace(/[:*]([a-z_]+)/g, '{$1}');
    const op: Json = {
      summary: route.summary ?? '',
      responses: {
        [route.method === 'POST' && route.path !== ROUTES.daemonStop ? '201' : '200']: { description: 'OK', content: { 'application/json': {} } },
        default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    const params = parameters(route);
    if (params.length) op.parameters = params;
    if (route.body) op.requestBody = { required: false, content: { 'application/json': { schema: jsonSchema(route.body) } } };
    if (route.public) op.security = [];
    (paths[path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'fbay', version: VERSION, description: 'Reserve a board, a browser or a sandbox; talk to it; give it back.' },
    servers: [{ url: 'http://localhost:7070', description: 'a daemon started with --listen (the Unix socket serves the same API)' }],
    components: {
      schemas: { Error: errorBody },
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'key_… on TCP; none on the Unix socket' } },
    },
    security: [{ apiKey: [] }],
    paths,
  };
}

export function openapiRoutes(routes: () => readonly Route[]): Route[] {
  let cached: Json | null = null;
  return [
    {
      method: 'GET',
      path: ROUTES.openapi,
      public: true,
      summary: 'This document: the API as an OpenAPI 3.1 contract.',
      handler: () => ({ status: 200, body: (cached ??= openapiDocument(routes())) }),
    },
  ];
}
