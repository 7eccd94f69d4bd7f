// Where browser sessions keep their files under the daemon's state dir.
import { join } from 'node:path';

export interface BrowserDirs {
  root: string;
  /** Profiles (--user-data-dir) of running browsers, one directory per session; empty when none run. */
  run: string;
  /** One JSON file per running browser: its pid and profile, so a restarted daemon can reap it. */
  live: string;
  /** Artifacts, one directory per session. */
  sessions: string;
  journal: string;
}

export function browserDirs(stateDir: string): BrowserDirs {
  const root = join(stateDir, 'browsers');
  return {
    root,
    run: join(root, 'run'),
    live: join(root, 'live'),
    sessions: join(root, 'sessions'),
    journal: join(root, 'journal.jsonl'),
  };
}
