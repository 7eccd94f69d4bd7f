// The sandbox provider's surface for the session core: the host, a sandbox, the web relay, and their types.
export { SandboxHost, DEFAULT_LIMITS } from './sandbox-host.js';
export type { Sandbox } from './sandbox.js';
export { createWebRelay, parseRelayHost, DEFAULT_APP_PORT, TOKEN as RELAY_TOKEN, type WebRelayDeps } from './web-relay.js';
export { DEFAULT_SETTINGS } from './sandbox-types.js';
export type * from './sandbox-types.js';
export type { FileEntry } from './workspace-files.js';
