// `--json` output: the API object exactly as the daemon returned it, alone on stdout.
import type { Io } from '../context.js';

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}
