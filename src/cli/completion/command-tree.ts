// The commander program as data for completion scripts: every command path, its subcommands, its options (and which
// take a value), its arguments, and where a value comes from (a fixed list, files, or the daemon: sessions, boards).
import type { Command, Option } from 'commander';
import { BOARD_SESSION_STATES, SESSION_KINDS } from '../../transport/protocol/api.js';
import { SANDBOX_LANGUAGES } from '../../transport/protocol/sandbox-api.js';

/** Where the words for a value come from. `sessions`, `board-types` and `board-ids` ask the daemon if it runs. */
export type ValueSource =
  | { kind: 'none' }
  | { kind: 'words'; words: readonly string[] }
  | { kind: 'files' }
  | { kind: 'commands' }
  | { kind: 'sessions' }
  | { kind: 'board-types' }
  | { kind: 'board-ids' };

export interface OptionSpec {
  /** `-h`, `--help`. */
  flags: string[];
  takesValue: boolean;
  values: ValueSource;
  description: string;
}

export interface ArgSpec {
  name: string;
  variadic: boolean;
  values: ValueSource;
}

export interface CommandSpec {
  /** Words after `fbay`, e.g. ['session', 'create']; [] for the program. */
  path: string[];
  description: string;
  subcommands: CommandSpec[];
  options: OptionSpec[];
  args: ArgSpec[];
}

const NONE: ValueSource = { kind: 'none' };
const words = (list: readonly string[]): ValueSource => ({ kind: 'words', words: list });

/** Option values by the option's long name; the rest are free text. */
const OPTION_VALUES: Record<string, ValueSource> = {
  '--board': { kind: 'board-types' },
  '--board-id': { kind: 'board-ids' },
  '--state': words(BOARD_SESSION_STATES),
  '--kind': words(SESSION_KINDS),
  '--eol': words(['none', 'cr', 'lf', 'crlf']),
  '--file': { kind: 'files' },
  '--path': { kind: 'files' },
  '--pty': { kind: 'files' },
  '--flags': words(['i', 'm', 's', 'u', 'v']),
  '--language': words(SANDBOX_LANGUAGES),
};

/** Argument values by the argument's name, then by `path name` where one name means different things. */
const ARG_VALUES: Record<string, ValueSource> = {
  id: { kind: 'sessions' },
  cmd: { kind: 'commands' },
  'boards remove name': { kind: 'board-ids' },
};

function optionSpec(option: Option): OptionSpec {
  const takesValue = option.required || option.optional;
  const choices = option.argChoices;
  return {
    flags: [option.short, option.long].filter((f): f is string => typeof f === 'string'),
    takesValue,
    values: !takesValue ? NONE : choices ? words(choices) : (OPTION_VALUES[option.long ?? ''] ?? NONE),
    description: option.description,
  };
}

function commandSpec(cmd: Command, path: string[]): CommandSpec {
  const help = cmd.createHelp();
  const subcommands = help
    .visibleCommands(cmd)
    .filter((sub) => sub.name() !== 'help')
    .map((sub) => commandSpec(sub, [...path, sub.name()]));
  const options = help.visibleOptions(cmd).map(optionSpec);
  const args = cmd.registeredArguments.map((arg) => ({
    name: arg.name(),
    variadic: arg.variadic,
    values: arg.argChoices ? words(arg.argChoices) : (ARG_VALUES[`${path.join(' ')} ${arg.name()}`] ?? ARG_VALUES[arg.name()] ?? NONE),
  }));
  return { path, description: cmd.description(), subcommands, options, args };
}

/** The whole tree, the program first; program options (--json…) are offered at every level, as commander takes them. */
export function commandTree(program: Command): CommandSpec {
  const root = commandSpec(program, []);
  const globals = root.options.filter((o) => !o.flags.some((f) => f === '--help' || f === '--version'));
  const addGlobals = (spec: CommandSpec): void => {
    if (spec.path.length > 0) {
      const have = new Set(spec.options.flatMap((o) => o.flags));
      spec.options.push(...globals.filter((g) => !g.flags.some((f) => have.has(f))));
    }
    spec.subcommands.forEach(addGlobals);
  };
  addGlobals(root);
  return root;
}

/** Every command of the tree, the program first, parents before children. */
export function allCommands(root: CommandSpec): CommandSpec[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

/** Words a shell script can put in single quotes as they are (descriptions are shown, never run). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
