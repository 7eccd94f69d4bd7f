// What every command gets from the entry point: where to print, the environment, and the Ctrl-C signal.
import type { Command } from 'commander';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Raw bytes to stdout (a file read back); where absent, they are written as utf8 text through `out`. */
  bytes?(data: Buffer): void;
  /** Resolves once nobody reads stdout any more (`| head -1` has exited): a follow stops then. The entry point's own. */
  readerGone?(): Promise<void>;
}

export interface CliContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C; long waits listen to it and clean up before the CLI exits 130. */
  signal: AbortSignal;
  /** --remote NAME: the host the command is for (set from the global option before the action runs). */
  remote?: string;
  /** The daemon entry to spawn; defaults to dist/daemon/main.js next to this build. Tests point it at a fake. */
  daemonEntry?: string;
}

/** `--json` is a program option, so it works before or after the command name. */
export function wantsJson(cmd: Command): boolean {
  return cmd.optsWithGlobals<{ json?: boolean }>().json === true;
}

/** Inside `fbay exec` the command's own session is the default for every command taking an optional ID. */
export function sessionOrDefault(ctx: Pick<CliContext, 'env'>, given: string | undefined): string | undefined {
  return given ?? (ctx.env.FBAY_SESSION || undefined);
}
