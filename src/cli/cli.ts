// Builds the commander program and runs it, turning every outcome into an exit code (DESIGN.md §6).
import { Command, CommanderError } from 'commander';
import { VERSION } from '../shared/version.js';
import { assertHomeUsable } from '../shared/paths.js';
import { UserError } from '../shared/user-error.js';
import { EXIT } from '../transport/protocol/errors.js';
import { registerCommands } from './commands/index.js';
import type { CliContext } from './context.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('fbay')
    .description('Reserve a development board for exclusive use, talk to it, give it back.')
    .option('-V, --version', 'print the fbay version (with --json: {"version": …})')
    .option('--json', 'print API objects as JSON on stdout (errors stay on stderr)')
    .option('--remote <name>', "the host to act on: a remote's name (fbay remote list), or 'local'")
    .configureOutput({ writeOut: (text) => ctx.io.out(text), writeErr: (text) => ctx.io.err(text) })
    .showSuggestionAfterError(true)
    // Throw instead of exiting, so usage errors become exit 2 here and tests can run the program in-process.
    .exitOverride()
    .hook('preAction', (_program, action) => {
      assertHomeUsable(ctx.env);
      const remote = action.optsWithGlobals<{ remote?: string }>().remote;
      if (remote !== undefined) ctx.remote = remote;
    });
  // Not commander's .version(): that prints plain text even with --json, which may come before or after it.
  program.on('option:version', () => {
    const json = ((program as unknown as { rawArgs?: string[] }).rawArgs ?? []).includes('--json'); // set by parse(), untyped
    ctx.io.out(json ? `${JSON.stringify({ version: VERSION })}\n` : `${VERSION}\n`);
    throw new CommanderError(0, 'commander.version', VERSION);
  });
  registerCommands(program, ctx);
  return program;
}

export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return report(err, ctx);
  }
}

/** Prints an error as `error:` + `hint:` on stderr and returns its exit code. */
export function report(err: unknown, ctx: CliContext): number {
  if (err instanceof CommanderError) {
    // Help and --version "exit" through here with 0; everything else is a usage error commander already printed.
    if (err.exitCode === 0) return EXIT.ok;
    // A group run without a subcommand has just printed its help: no hint needed.
    if (err.code !== 'commander.help') ctx.io.err('hint: add --help to the command to see its usage.\n');
    return EXIT.usage;
  }
  if (err instanceof UserError) {
    if (err.exit === EXIT.interrupted) return EXIT.interrupted;
    // No message: only the exit status to pass on (a sandbox command's own, which said what it had to say).
    if (err.message === '') return err.exit;
    ctx.io.err(`error: ${err.message}\n`);
    if (err.next) ctx.io.err(`hint: ${err.next}\n`);
    return err.exit;
  }
  if (ctx.signal.aborted) return EXIT.interrupted;
  const message = err instanceof Error ? err.message : String(err);
  ctx.io.err(`error: ${message}\n`);
  if (ctx.env.FBAY_DEBUG && err instanceof Error && err.stack) ctx.io.err(`${err.stack}\n`);
  ctx.io.err('hint: this is a bug in fbay; please report it with the command you ran (FBAY_DEBUG=1 shows the stack).\n');
  return EXIT.error;
}
