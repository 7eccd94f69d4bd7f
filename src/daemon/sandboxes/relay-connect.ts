// Opens a byte stream to 127.0.0.1:PORT inside a sandbox's network namespace, through its agent's relay socket.
import { connect, type Socket } from 'node:net';
import type { Clock } from '../../shared/clock.js';
import { ApiError } from '../../transport/protocol/errors.js';

const ANSWER_MAX = 64;
const CONNECT_TIMEOUT_MS = 5000;

/**
 * The agent answers `OK` once it reached the port, or `ERR CODE`; a frozen or dead agent answers nothing, so
 * the wait is bounded (and the caller thaws the sandbox before asking).
 */
export function relayConnect(socketPath: string, port: number, clock: Clock): Promise<Socket> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return Promise.reject(new ApiError('invalid_request', `Port ${port} is not a TCP port (1–65535).`));
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = Buffer.alloc(0);
    const fail = (message: string): void => {
      clock.clearTimeout(timer);
      socket.destroy();
      reject(new ApiError('upstream_unavailable', message));
    };
    const timer = clock.setTimeout(() => fail(`Nothing in the sandbox answered on port ${port} within ${CONNECT_TIMEOUT_MS / 1000} s.`), CONNECT_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      answer = Buffer.concat([answer, chunk]);
      const nl = answer.indexOf(10);
      if (nl < 0) {
        if (answer.length > ANSWER_MAX) fail("The sandbox's relay gave an answer fbay does not understand.");
        return;
      }
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      const line = answer.subarray(0, nl).toString('latin1');
      if (line !== 'OK') {
        const code = line.startsWith('ERR ') ? line.slice(4, 40) : 'unknown';
        return fail(
          code === 'ECONNREFUSED'
            ? `Nothing in the sandbox listens on port ${port}; start the web app there (it gets $PORT) and try again.`
            : `The sandbox's relay could not reach port ${port} (${code}).`,
        );
      }
      clock.clearTimeout(timer);
      socket.pause();
      const rest = answer.subarray(nl + 1);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const onError = (err: Error): void => fail(`The sandbox's relay is not reachable: ${err.message}.`);
    const onClose = (): void => fail("The sandbox's relay closed the connection before answering.");
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once('connect', () => socket.write(`${port}\n`));
  });
}
