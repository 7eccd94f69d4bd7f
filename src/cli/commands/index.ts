// The command registry: every command group, declared up front; their actions load what they need on first use.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerAccount } from './account.js';
import { registerBoards } from './boards.js';
import { registerBrowser } from './browser.js';
import { registerCompletion } from './completion.js';
import { registerConfig } from './config.js';
import { registerConsole } from './console.js';
import { registerDaemon } from './daemon.js';
import { registerExec } from './exec.js';
import { registerFlash } from './flash.js';
import { registerPower } from './power.js';
import { registerKeys } from './keys.js';
import { registerRemote } from './remote.js';
import { registerReset } from './reset.js';
import { registerSandbox } from './sandbox.js';
import { registerSerial } from './serial.js';
import { registerSession } from './session.js';
import { registerUi } from './ui.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  registerSession(program, ctx);
  registerSerial(program, ctx);
  registerReset(program, ctx);
  registerFlash(program, ctx);
  registerPower(program, ctx);
  registerConsole(program, ctx);
  registerExec(program, ctx);
  registerBoards(program, ctx);
  registerBrowser(program, ctx);
  registerSandbox(program, ctx);
  registerAccount(program, ctx);
  registerDaemon(program, ctx);
  registerConfig(program, ctx);
  registerCompletion(program, ctx);
  registerKeys(program, ctx);
  registerRemote(program, ctx);
  registerUi(program, ctx);
}
