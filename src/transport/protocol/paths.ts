// The API's paths, built the same way by the CLI, remote hosts and the daemon's router.

export const API = {
  health: '/v1/health',
  me: '/v1/auth/me',
  boards: '/v1/boards',
  board: (name: string) => `/v1/boards/${encodeURIComponent(name)}`,
  sessions: '/v1/sessions',
  session: (id: string) => `/v1/sessions/${id}`,
  serial: (id: string) => `/v1/sessions/${id}/serial`,
  log: (id: string) => `/v1/sessions/${id}/log`,
  reset: (id: string) => `/v1/sessions/${id}/reset`,
  exec: (id: string) => `/v1/sessions/${id}/exec`,
  /** A file or directory under /workspace: each path segment encoded, the slashes kept. */
  file: (id: string, path = '') => `/v1/sessions/${id}/files/${path.split('/').filter(Boolean).map(encodeURIComponent).join('/')}`,
  processes: (id: string) => `/v1/sessions/${id}/processes`,
  /** A sandbox's TCP port (WebSocket): one connection to 127.0.0.1:PORT inside it, its bytes as binary messages. */
  sandboxPort: (id: string, port: number) => `/v1/sessions/${id}/ports/${port}`,
  process: (id: string, pid: number) => `/v1/sessions/${id}/processes/${pid}`,
  processOutput: (id: string, pid: number, since = 0) => `/v1/sessions/${id}/processes/${pid}/output?since=${since}`,
  flash: (id: string) => `/v1/sessions/${id}/flash`,
  power: (id: string) => `/v1/sessions/${id}/power`,
  events: '/v1/events',
  browsers: '/v1/browsers',
  cdp: (id: string) => `/v1/browsers/${id}/cdp`,
  /** A browser session's live view (WebSocket): JPEG frames of its page as binary messages, the page's URL as text. */
  screencast: (id: string) => `/v1/browsers/${id}/screencast`,
  /** A browser session's artifact by its name (a screenshot's `screenshots/page-1.png` keeps its `/`). */
  artifact: (id: string, name: string) => `/v1/browsers/${id}/artifacts/${name.split('/').map(encodeURIComponent).join('/')}`,
  keys: '/v1/keys',
  key: (name: string) => `/v1/keys/${encodeURIComponent(name)}`,
  keyCredits: (name: string) => `/v1/keys/${encodeURIComponent(name)}/credits`,
  daemonStop: '/v1/daemon/stop',
  configReload: '/v1/config/reload',
  openapi: '/v1/openapi.json',
  /** A board host's tunnel (WebSocket, host key): `fbay daemon start --join`. */
  hostsConnect: '/v1/hosts/connect',
  /** The hosts joined to this coordinator (owner only), and this daemon's own join. */
  hosts: '/v1/hosts',
} as const;

/** Route patterns for the router (`:name` segments). */
export const ROUTES = {
  health: API.health,
  me: API.me,
  boards: API.boards,
  board: '/v1/boards/:name',
  sessions: API.sessions,
  session: '/v1/sessions/:id',
  log: '/v1/sessions/:id/log',
  reset: '/v1/sessions/:id/reset',
  exec: '/v1/sessions/:id/exec',
  files: '/v1/sessions/:id/files',
  file: '/v1/sessions/:id/files/*path',
  processes: '/v1/sessions/:id/processes',
  process: '/v1/sessions/:id/processes/:pid',
  processOutput: '/v1/sessions/:id/processes/:pid/output',
  flash: '/v1/sessions/:id/flash',
  power: '/v1/sessions/:id/power',
  events: API.events,
  browsers: API.browsers,
  artifact: '/v1/browsers/:id/artifacts/:name',
  screenshot: '/v1/browsers/:id/artifacts/screenshots/:file',
  keys: API.keys,
  key: '/v1/keys/:name',
  keyCredits: '/v1/keys/:name/credits',
  daemonStop: API.daemonStop,
  configReload: API.configReload,
  openapi: API.openapi,
  hosts: API.hosts,
} as const;
