#!/usr/bin/env node
// Writes fbay.bash, _fbay and fbay.fish here from the built CLI's command tree (run `npm run build` first).
// test/cli/commands/completion.test.ts fails when they are out of date with the commands.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../dist/cli/cli.js';
import { completionScript } from '../dist/cli/completion/index.js';

export const FILES = { bash: 'fbay.bash', zsh: '_fbay', fish: 'fbay.fish' };

const program = buildProgram({ io: { out: () => undefined, err: () => undefined }, env: {}, signal: new AbortController().signal });
for (const [shell, file] of Object.entries(FILES)) {
  writeFileSync(fileURLToPath(new URL(file, import.meta.url)), completionScript(shell, program));
  console.log(`completions/${file}`);
}
