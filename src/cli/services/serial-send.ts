// `fbay serial send`: writes bytes to the board over the serial WebSocket and returns once the daemon has taken them all.
import { readFile } from 'node:fs/promises';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { currentOffset } from './serial-log.js';
import { openSerial, targetSession } from './serial-session.js';

export interface SendResult {
  session_id: string;
  bytes: number;
  /** Output offset before the bytes went out: `fbay serial expect --since OFFSET` sees every byte of the answer. */
  offset: number;
}

/** The bytes of --file F; `-` is standard input. */
export async function readPayloadFile(file: string, stdin: AsyncIterable<Buffer> = process.stdin): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`Could not read --file '${file}' (${code ?? (err as Error).message}).`, {
      next: 'Check the path; use --file - to send standard input.',
      cause: err,
    });
  }
}

export async function sendToSession(
  client: DaemonClient,
  id: string | undefined,
  bytes: Buffer,
  signal?: AbortSignal,
): Promise<SendResult> {
  const session = await targetSession(client, id, 'fbay serial send ID TEXT');
  const offset = await currentOffset(client, session.id);
  const connection = await openSerial(session, { signal });
  let refusal: string | null = null;
  let refusalCode: string | null = null;
  let closedBy: { code: number; reason: string } | null = null;
  // Output that comes back meanwhile is not ours to print: only the daemon's complaints and its close matter.
  connection.listen((event) => {
    if (event.type === 'closed') closedBy = event;
    else if (event.type !== 'message') return;
    else if (event.message.type === 'error') ({ error: refusal, code: refusalCode } = event.message);
    else if (event.message.type === 'ended') refusal = `the session ended (${event.message.reason})`;
  });
  const onAbort = () => connection.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  let failed = false;
  try {
    await connection.write(bytes);
    // The daemon handles frames in order: once it has answered our close, it has written every byte to the port.
    await connection.end();
  } catch {
    // A write fails only when the connection is gone; why is told below, once it has closed.
    failed = true;
    connection.destroy();
    await connection.end();
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (signal?.aborted) throw interrupted();
  const closed = closedBy as { code: number; reason: string } | null;
  if (failed || refusal !== null || (closed && closed.code !== 1000)) {
    const why = refusal ?? `the connection closed: ${closed ? `${closed.code} ${closed.reason}`.trim() : 'no reason given'}`;
    const message = `Session ${session.id} did not take all ${bytes.length} bytes: ${why}`;
    // A flash holds the line for a while: that is a conflict to wait out, not a fault to look into.
    if (refusalCode === 'flash_in_progress') {
      throw new UserError(message, { exit: EXIT.conflict, code: refusalCode, next: `Wait for the flash to end (\`fbay flash --status ${session.id}\`), then send again.` });
    }
    throw new UserError(message, { next: `See \`fbay session show ${session.id}\` and \`fbay daemon logs\`.` });
  }
  return { session_id: session.id, bytes: bytes.length, offset };
}
