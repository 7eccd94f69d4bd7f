import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/cli.js';
import { allCommands, commandTree } from '../../../src/cli/completion/command-tree.js';
import { EXIT } from '../../../src/transport/protocol/errors.js';
import { captureIo, run } from '../helpers/io.js';

const COMPLETIONS = fileURLToPath(new URL('../../../completions/', import.meta.url));

const tree = () => commandTree(buildProgram({ io: captureIo(), env: {}, signal: new AbortController().signal }));

async function script(shell: string): Promise<string> {
  const r = await run(['completion', shell], {});
  expect(r.code).toBe(0);
  return r.stdout;
}

/** A stand-in `fbay` on PATH for the script's daemon questions: canned JSON, and a record of how it was called. */
let bin: string;
const SESSIONS = { sessions: [{ id: 'ses_AAAAAAAAAAAAAAAAAAAAAAAA', metadata: { id: 'not-a-session' } }, { id: 'ses_BBBBBBBBBBBBBBBBBBBBBBBB', metadata: {} }] };
const BOARDS = {
  boards: [
    { id: 'virtual-1', type: 'virtual', serial: { path: '/dev/x' } },
    { id: 'virtual-2', type: 'virtual', serial: { path: '/dev/y' } },
    { id: 'lab-s3', type: 'esp32-s3', serial: { path: '/dev/z' } },
  ],
};
beforeAll(async () => {
  bin = mkdtempSync('/tmp/fbay-comp-');
  writeFileSync(join(bin, 'sessions.json'), `${JSON.stringify(SESSIONS, null, 2)}\n`);
  writeFileSync(join(bin, 'boards.json'), `${JSON.stringify(BOARDS, null, 2)}\n`);
  writeFileSync(
    join(bin, 'fbay'),
    `#!/bin/sh\necho "FBAY_NO_AUTOSTART=$FBAY_NO_AUTOSTART $*" >> "${bin}/calls"\ncase "$*" in\n  *'session list'*) cat "${bin}/sessions.json" ;;\n  *boards*) cat "${bin}/boards.json" ;;\nesac\n`,
  );
  chmodSync(join(bin, 'fbay'), 0o755);
  writeFileSync(join(bin, 'fbay.bash'), await script('bash'));
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** Sources the bash script and asks it to complete the words (the last one is the word under the cursor). */
function complete(...words: string[]): string[] {
  const out = execFileSync(
    'bash',
    ['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _fbay; printf "%s\\n" "${COMPREPLY[@]}"', 'bash', join(bin, 'fbay.bash'), ...words],
    { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('fbay completion bash', () => {
  it('completes every command and subcommand of the real tree', () => {
    for (const command of allCommands(tree())) {
      if (command.subcommands.length === 0) continue;
      const names = command.subcommands.map((s) => s.path.at(-1)!);
      expect(complete('fbay', ...command.path, '')).toEqual(names);
    }
    expect(complete('fbay', 'se')).toEqual(['session', 'serial']);
    expect(complete('fbay', '--json', 'session', 'cr')).toEqual(['create']);
  });

  it("completes a command's flags, the program's --json among them", () => {
    expect(complete('fbay', 'session', 'create', '--b')).toEqual(['--board', '--board-id']);
    const consoleFlags = complete('fbay', 'console', '--');
    expect(consoleFlags).toEqual(expect.arrayContaining(['--since', '--replay', '--help', '--json']));
    expect(consoleFlags).not.toContain('--board');
    expect(complete('fbay', '-')).toEqual(expect.arrayContaining(['-V', '--version', '--json', '-h', '--help']));
  });

  it('completes fixed values of flags, with the value after a space or an =', () => {
    expect(complete('fbay', 'session', 'wait', '--state', '')).toEqual(['pending', 'allocating', 'idle', 'active', 'flashing', 'ended']);
    expect(complete('fbay', 'serial', 'send', '--eol', 'c')).toEqual(['cr', 'crlf']);
    expect(complete('fbay', 'serial', 'send', '--eol', '=', 'l')).toEqual(['lf']);
    expect(complete('fbay', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(complete('fbay', 'session', 'list', '--kind', '')).toEqual(['board', 'browser', 'sandbox']);
    expect(complete('fbay', 'sandbox', 'create', '--idem')).toEqual(['--idempotency-key']);
    expect(complete('fbay', 'sandbox', 'logs', '--f')).toEqual(['--follow']);
  });

  it('asks the daemon (never starting one) for session ids, board types and board ids', () => {
    rmSync(join(bin, 'calls'), { force: true });
    expect(complete('fbay', 'console', '')).toEqual(['ses_AAAAAAAAAAAAAAAAAAAAAAAA', 'ses_BBBBBBBBBBBBBBBBBBBBBBBB']);
    expect(complete('fbay', 'session', 'end', 'ses_B')).toEqual(['ses_BBBBBBBBBBBBBBBBBBBBBBBB']);
    expect(complete('fbay', 'session', 'create', '--board', '')).toEqual(['esp32-s3', 'virtual']);
    expect(complete('fbay', 'exec', '--board-id', 'v')).toEqual(['virtual-1', 'virtual-2']);
    expect(complete('fbay', 'boards', 'remove', 'l')).toEqual(['lab-s3']);
    const calls = readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.startsWith('FBAY_NO_AUTOSTART=1 --json '))).toBe(true);
  });

  it('skips flags and their values to find the command and the argument being completed', () => {
    expect(complete('fbay', 'console', '--since', '0', '')).toEqual(['ses_AAAAAAAAAAAAAAAAAAAAAAAA', 'ses_BBBBBBBBBBBBBBBBBBBBBBBB']);
    expect(complete('fbay', 'serial', 'send', 'ses_AAAAAAAAAAAAAAAAAAAAAAAA', '')).toEqual([]); // TEXT: free text
    expect(complete('fbay', 'exec', '--board', 'virtual', '--', 'ech')).toContain('echo');
  });
});

describe('fbay completion zsh|fish', () => {
  it('generates a zsh script that registers _fbay and carries the same tables', async () => {
    const zsh = await script('zsh');
    expect(zsh.startsWith('#compdef fbay\n')).toBe(true);
    expect(zsh).toContain('compdef _fbay fbay');
    expect(zsh).toContain("'session') echo 'create list show update end wait' ;;");
    expect(zsh).toContain("'session create|--board') echo 'board-types' ;;");
    expect(zsh).toContain('FBAY_NO_AUTOSTART=1 command fbay --json');
    expect(zsh).not.toMatch(/local path\b/); // $path is zsh's PATH
  });

  it('generates a fish script with a completion, and its description, for every command and flag', async () => {
    const fish = await script('fish');
    for (const command of allCommands(tree())) {
      const at = `-n '__fbay_at \\'${command.path.join(' ')}\\''`;
      for (const sub of command.subcommands) expect(fish).toContain(`complete -c fbay ${at} -f -a '${sub.path.at(-1)}' -d `);
      for (const option of command.options) {
        const long = option.flags.find((f) => f.startsWith('--'));
        if (long) expect(fish).toContain(`-l ${long.slice(2)}`);
      }
    }
    expect(fish).toContain("-l board -r -f -a '(__fbay_board_types)'");
    expect(fish).toContain("complete -c fbay -n '__fbay_arg \\'console\\' 0' -f -a '(__fbay_sessions)'");
  });

  it('refuses a shell it does not know (exit 2)', async () => {
    const r = await run(['completion', 'tcsh'], {});
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain("command-argument value 'tcsh' is invalid for argument 'shell'");
  });

  it('the scripts under completions/ are the ones the commands generate now', async () => {
    for (const [shell, file] of [['bash', 'fbay.bash'], ['zsh', '_fbay'], ['fish', 'fbay.fish']] as const) {
      const committed = readFileSync(join(COMPLETIONS, file), 'utf8');
      expect(committed, `completions/${file} is out of date: run \`npm run build && node completions/generate.mjs\``).toBe(await script(shell));
    }
  });
});
