// `fbay sandbox ps|logs|kill`: a sandbox's background processes, their output read by byte offset, and killing one.
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import { API } from '../../transport/protocol/paths.js';
import type { SandboxProcess, SandboxProcessOutput } from '../../transport/protocol/sandbox-api.js';
import type { DaemonClient } from '../client/daemon-client.js';

const usage = (message: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', next: 'See the pids with `fbay sandbox ps`.' });

/** `[ID] PID` (and --since N) → numbers, refused with the value quoted. */
export function parseProcessOperands(operands: readonly string[], since = '0'): { id: string | undefined; pid: number; since: number } {
  if (operands.length < 1 || operands.length > 2) throw usage(`Give a pid, after the sandbox id if you name one; got '${operands.join(' ')}'.`);
  const [id, argv] = operands.length === 2 ? [operands[0], operands.slice(1)] : [undefined, [...operands]];
  if (!/^\d{1,9}$/.test(argv[0]!)) throw usage(`'${argv[0]}' is not a process id.`);
  if (!/^\d{1,15}$/.test(since)) throw usage(`--since must be a byte offset (a whole number, 0 or more); got '${since}'.`);
  return { id, pid: Number(argv[0]), since: Number(since) };
}

export async function listProcesses(client: DaemonClient, id: string): Promise<SandboxProcess[]> {
  return (await client.get<{ processes: SandboxProcess[] }>(API.processes(encodeURIComponent(id)))).processes;
}

/** `base64` where bytes matter (following: a read may end inside a character); utf8 text otherwise. */
export function processOutput(client: DaemonClient, id: string, pid: number, since: number, encoding: 'utf8' | 'base64' = 'utf8'): Promise<SandboxProcessOutput> {
  const path = API.processOutput(encodeURIComponent(id), pid, since);
  return client.get<SandboxProcessOutput>(encoding === 'utf8' ? path : `${path}&encoding=${encoding}`);
}

export function killProcess(client: DaemonClient, id: string, pid: number): Promise<SandboxProcess> {
  return client.delete<SandboxProcess>(API.process(encodeURIComponent(id), pid));
}
