// Runs the CLI in-process and captures stdout as bytes: serial output is written raw, not as text.
import { runCli } from '../../../src/cli/cli.js';
import type { ByteIo } from '../../../src/cli/services/serial-output.js';

export interface ByteResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export async function runBytes(argv: string[], env: NodeJS.ProcessEnv, signal = new AbortController().signal): Promise<ByteResult> {
  const out: Buffer[] = [];
  let stderr = '';
  const io: ByteIo = {
    out: (text) => void out.push(Buffer.from(text, 'utf8')),
    err: (text) => void (stderr += text),
    bytes: (chunk) => void out.push(Buffer.from(chunk)),
  };
  const code = await runCli(argv, { io, env, signal });
  return { code, stdout: Buffer.concat(out), stderr };
}
