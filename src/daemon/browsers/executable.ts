// Finds the Chromium to run: `browsers.executable` from config, else the first known name on PATH.
import { accessSync, constants, openSync, readSync, closeSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ApiError } from '../../transport/protocol/errors.js';

export const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'];
/** Debian's /usr/bin/chromium is a shell wrapper around this binary; running it directly saves a shell and its flags. */
export const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';
export const INSTALL_HINT =
  'Install Chromium (Debian/Ubuntu: `sudo apt-get install -y --no-install-recommends chromium`), or point fbay at one with `fbay config set browsers.executable /path/to/chrome`.';

export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isScript(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}

/** The browser to launch, or an ApiError that says how to install one. */
export function findBrowser(configured: string | null, env: NodeJS.ProcessEnv = process.env, debianBinary = DEBIAN_CHROMIUM): string {
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw new ApiError('upstream_unavailable', `browsers.executable is ${configured}, but there is no executable file there.`, {
      next: 'Fix it with `fbay config set browsers.executable /path/to/chrome`, or `fbay config set browsers.executable none` to search PATH.',
    });
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of BROWSER_NAMES) {
      const path = join(dir, name);
      if (!isExecutable(path)) continue;
      return isScript(path) && isExecutable(debianBinary) ? debianBinary : path;
    }
  }
  throw new ApiError('upstream_unavailable', `No Chromium or Chrome found on this host (looked for ${BROWSER_NAMES.join(', ')} on PATH).`, {
    next: INSTALL_HINT,
  });
}
