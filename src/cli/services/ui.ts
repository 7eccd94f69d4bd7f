// `fbay ui`: asks the daemon for the loopback dashboard and a one-time login link, then opens the browser when there is
// one to open (a display, not over SSH, not in CI).
import { spawn } from 'node:child_process';
import { ConfigStore } from '../../shared/config-store.js';
import { resolvePaths } from '../../shared/paths.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { daemonClient } from '../client/connect.js';
import type { CliContext } from '../context.js';

export interface UiLogin {
  /** The one-time login link: good once, for 10 minutes. */
  url: string;
  dashboard: string;
  port: number;
  expires_at: string;
}

export interface UiResult extends UiLogin {
  /** Why the browser was not opened, or null when it was. */
  not_opened: string | null;
}

export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65535) {
    throw new UserError(`--port must be a port number from 0 to 65535 (0 = any free port); got '${text}'.`, { exit: EXIT.usage, code: 'usage' });
  }
  return n;
}

/** Why not to open a browser here, or null: a browser would open on a screen nobody is looking at, or nowhere. */
export function whyNotOpen(env: NodeJS.ProcessEnv): string | null {
  if (env.CI) return 'CI is set';
  if (env.SSH_CONNECTION || env.SSH_TTY) return 'this is an SSH session';
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY / WAYLAND_DISPLAY)';
  return null;
}

export async function openUi(ctx: CliContext, flags: { port?: number; open: boolean }): Promise<UiResult> {
  const port = flags.port ?? new ConfigStore(resolvePaths(ctx.env)).read().ui?.port;
  const login = await daemonClient(ctx).post<UiLogin>('/v1/ui/login', port === undefined ? {} : { port });
  const reason = flags.open ? whyNotOpen(ctx.env) : '--no-open was given';
  if (reason) return { ...login, not_opened: reason };
  const opened = await openBrowser(login.url);
  return { ...login, not_opened: opened };
}

/** xdg-open, detached, its output dropped; resolves with why it failed, or null. */
function openBrowser(url: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn('xdg-open', [url], { detached: true, stdio: 'ignore' });
    child.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ENOENT' ? 'xdg-open is not installed' : `xdg-open failed: ${err.message}`));
    child.once('spawn', () => {
      child.unref();
      resolve(null);
    });
  });
}
