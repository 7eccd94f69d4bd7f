// `fbay completion bash|zsh|fish`: prints a completion script generated from the real command tree.
import { Argument, type Command } from 'commander';
import { wantsJson, type CliContext } from '../context.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

export function registerCompletion(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nInstall:\n' +
        '  bash  echo \'source <(fbay completion bash)\' >> ~/.bashrc\n' +
        '  zsh   fbay completion zsh > "${fpath[1]}/_fbay"   (then start a new shell)\n' +
        '  fish  fbay completion fish > ~/.config/fish/completions/fbay.fish\n',
    )
    .action(async (shell: 'bash' | 'zsh' | 'fish', _flags: unknown, cmd: Command) => {
      if (wantsJson(cmd)) {
        throw new UserError('--json does not apply to `fbay completion`: it prints a shell script.', { exit: EXIT.usage, code: 'usage', next: `Run \`fbay completion ${shell}\` without --json.` });
      }
      const { completionScript } = await import('../completion/index.js');
      // The program this command belongs to: every command registered anywhere is in its tree.
      ctx.io.out(completionScript(shell, cmd.parent!));
    });
}
