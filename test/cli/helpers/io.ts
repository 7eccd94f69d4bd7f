// Captures what the CLI prints, and runs it in-process the way bin/fbay would.
import { runCli } from '../../../src/cli/cli.js';
import type { CliContext, Io } from '../../../src/cli/context.js';

export interface Captured extends Io {
  stdout: string;
  stderr: string;
}

export function captureIo(): Captured {
  const io: Captured = {
    stdout: '',
    stderr: '',
    out: (text) => void (io.stdout += text),
    err: (text) => void (io.stderr += text),
  };
  return io;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
  extra: Partial<Omit<CliContext, 'io' | 'env'>> = {},
): Promise<RunResult> {
  const io = captureIo();
  const code = await runCli(argv, { io, env, signal: extra.signal ?? new AbortController().signal, ...extra });
  return { code, stdout: io.stdout, stderr: io.stderr };
}
