// Work a daemon starts once it is serving, not before: a start is not held up by it. The warm browsers wait a
// second more, so that the first requests after a start (or a daemon that lives for one command) have the cores.
import type { DaemonParts } from '../compose.js';
import type { DaemonSettings } from '../settings.js';

export const AFTER_START_MS = 1000;

export function afterStart(parts: Pick<DaemonParts, 'sandboxes' | 'browserHost'>, settings: DaemonSettings): void {
  const { sandboxes, browserHost } = parts;
  // The sandbox host probes (bubblewrap and Bun, as child processes, off the event loop) and brings back the
  // sandboxes the restore resumed, at once: the first sandbox request waits for it.
  void sandboxes.ready();
  // The warm browsers: launching Chromium takes a core for ~0.3 s. A browser created before then starts cold.
  setTimeout(() => void browserHost.setWarm(settings.browsers.warm), AFTER_START_MS).unref();
}
