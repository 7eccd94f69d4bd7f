// The command tree as POSIX shell `case` tables, shared by the bash and zsh scripts: what follows a command path.
import { allCommands, shellQuote, type CommandSpec, type ValueSource } from './command-tree.js';

/** A value source as one word the drivers switch on: `sessions`, `files`, `words:a b c`… */
export function sourceWord(source: ValueSource): string {
  return source.kind === 'words' ? `words:${source.words.join(' ')}` : source.kind;
}

const key = (spec: CommandSpec) => shellQuote(spec.path.join(' '));
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function table(name: string, comment: string, cases: string[]): string {
  return [`# ${comment}`, `${name}() {`, '  case "$1" in', ...cases, '  esac', '}'].join('\n');
}

/** Prefix for helper names: `_fbay` in bash/zsh. */
export function shTables(root: CommandSpec, prefix: string): string {
  const commands = allCommands(root);
  const subs = commands
    .filter((c) => c.subcommands.length > 0)
    .map((c) => `    ${key(c)}) echo ${shellQuote(c.subcommands.map((s) => s.path.at(-1)).join(' '))} ;;`);
  const options = commands.map((c) => `    ${key(c)}) echo ${shellQuote(c.options.flatMap((o) => o.flags).join(' '))} ;;`);
  const valued = commands
    .filter((c) => c.options.some((o) => o.takesValue))
    .map((c) => `    ${key(c)}) echo ${shellQuote(c.options.filter((o) => o.takesValue).flatMap((o) => o.flags).join(' '))} ;;`);
  const optionSources = commands.flatMap((c) =>
    c.options
      .filter((o) => o.takesValue && o.values.kind !== 'none')
      .map((o) => `    ${o.flags.map((f) => shellQuote(`${c.path.join(' ')}|${f}`)).join('|')}) echo ${shellQuote(sourceWord(o.values))} ;;`),
  );
  const argSources = commands.flatMap((c) =>
    c.args.flatMap((a, i) => {
      if (a.values.kind === 'none') return [];
      const at = `${c.path.join(' ')}|`;
      const first = `    ${shellQuote(`${at}${i}`)}) echo ${shellQuote(sourceWord(a.values))} ;;`;
      if (!a.variadic) return [first];
      // The words after a command to run are its arguments: files, as a shell offers them.
      const rest = a.values.kind === 'commands' ? { kind: 'files' as const } : a.values;
      return [first, `    ${shellQuote(at)}*) echo ${shellQuote(sourceWord(rest))} ;;`];
    }),
  );
  const described = commands.map((c) => {
    const lines = [
      ...c.subcommands.map((s) => `${s.path.at(-1)}:${oneLine(s.description)}`),
      ...c.options.flatMap((o) => o.flags.map((f) => `${f}:${oneLine(o.description)}`)),
    ];
    return `    ${key(c)}) printf '%s\\n' ${lines.map(shellQuote).join(' ')} ;;`;
  });
  return [
    table(`${prefix}_subcommands`, 'Subcommands of a command path.', subs),
    table(`${prefix}_options`, 'Every option of a command path.', options),
    table(`${prefix}_value_options`, 'The options of a command path that take a value.', valued),
    table(`${prefix}_option_source`, 'Where the value of an option comes from ($1: "PATH|FLAG").', optionSources),
    table(`${prefix}_arg_source`, 'Where the Nth positional argument comes from ($1: "PATH|N").', argSources),
    table(`${prefix}_described`, 'Subcommands and options with their descriptions, one "word:description" a line.', described),
  ].join('\n\n');
}

/** The daemon's words, asked only when it already runs: FBAY_NO_AUTOSTART=1 keeps a TAB from starting one. */
export function shDynamic(prefix: string): string {
  return [
    `${prefix}_ask() { FBAY_NO_AUTOSTART=1 command fbay --json "$@" 2>/dev/null; }`,
    `${prefix}_sessions() { ${prefix}_ask session list | sed -n 's/^      "id": "\\(ses_[A-Za-z0-9]*\\)",*$/\\1/p'; }`,
    `${prefix}_board_types() { ${prefix}_ask boards | sed -n 's/^      "type": "\\([^"]*\\)",*$/\\1/p' | sort -u; }`,
    `${prefix}_board_ids() { ${prefix}_ask boards | sed -n 's/^      "id": "\\([^"]*\\)",*$/\\1/p'; }`,
  ].join('\n');
}

/**
 * The walk over the words before the cursor, in the subset of shell that bash and zsh share: sets `cmdpath` (the
 * command path so far) and `nargs` (positional arguments seen), skipping options and their values. `$1`: how many
 * words precede the cursor; the words are read with `${prefix}_word N` (0 is `fbay`).
 */
export function shWalk(prefix: string): string {
  return `${prefix}_walk() {
  local n="$1" i=1 word next
  cmdpath="" nargs=0 after_dd=0
  while [ "$i" -lt "$n" ]; do
    word="$(${prefix}_word "$i")"
    if [ "$after_dd" = 1 ]; then
      nargs=$((nargs + 1))
    elif [ "$word" = "--" ]; then
      after_dd=1
    elif [ "\${word#-}" != "$word" ]; then
      case " $(${prefix}_value_options "$cmdpath") " in
        *" $word "*)
          i=$((i + 1))
          # bash splits --opt=value into three words: the '=' and the value are skipped together.
          next="$(${prefix}_word "$i")"
          if [ "$next" = "=" ]; then i=$((i + 1)); fi ;;
      esac
    elif [ "$nargs" = 0 ] && case " $(${prefix}_subcommands "$cmdpath") " in *" $word "*) true ;; *) false ;; esac; then
      cmdpath="\${cmdpath:+$cmdpath }$word"
    else
      nargs=$((nargs + 1))
    fi
    i=$((i + 1))
  done
}`;
}
