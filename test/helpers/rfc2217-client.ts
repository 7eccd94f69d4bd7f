// Test helper: a minimal RFC 2217 client on a real TCP socket, built on fbay's Telnet codec. It sends SET-CONTROL
// without waiting for answers (as a Web Serial adapter for esptool-js would), and records what the server says.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { TelnetDecoder } from '../../src/transport/rfc2217/telnet-decoder.js';
import { escapeIac, negotiation, subnegotiation } from '../../src/transport/rfc2217/telnet-encode.js';
import { COM_PORT_OPTION, CPO, DO, WILL, type Verb } from '../../src/transport/rfc2217/telnet-codes.js';

export interface Rfc2217TestClient {
  socket: Socket;
  /** Data bytes from the board so far (unescaped). */
  data(): Buffer;
  /** COM-PORT-OPTION answers and notifications so far: [command, ...value]. */
  answers: number[][];
  negotiations: Array<[Verb, number]>;
  /** Resolves when `done()` holds, checked now and after every packet; rejects when the socket closes first. */
  until(done: () => boolean, what?: string): Promise<void>;
  /** Waits for output matching the regex (latin1, from `from` on). */
  expect(regex: RegExp, from?: number): Promise<string>;
  write(data: Buffer | string): void;
  raw(bytes: Buffer): void;
  cpo(command: number, ...value: number[]): void;
  baud(rate: number): void;
  close(): Promise<void>;
}

/** Connects, negotiates as pyserial does (WILL/DO COM-PORT, binary both ways) and resolves once the server agreed. */
export async function rfc2217Connect(url: string): Promise<Rfc2217TestClient> {
  const { hostname, port } = new URL(url.replace(/^rfc2217:/, 'http:'));
  const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), noDelay: true });
  const chunks: Buffer[] = [];
  const answers: number[][] = [];
  const negotiations: Array<[Verb, number]> = [];
  const waiters = new Set<{ done: () => boolean; resolve: () => void; reject: (e: Error) => void; what: string }>();
  const check = () => {
    for (const w of [...waiters]) if (w.done()) (waiters.delete(w), w.resolve());
  };
  const decoder = new TelnetDecoder({
    data: (b) => chunks.push(Buffer.from(b)),
    negotiate: (verb, option) => negotiations.push([verb, option]),
    subnegotiation: (option, payload) => option === COM_PORT_OPTION && answers.push([...payload]),
    command: () => undefined,
    malformed: (what) => {
      throw new Error(`the bridge sent a malformed Telnet sequence: ${what}`);
    },
  });
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    check();
  });
  socket.on('close', () => {
    closed = true;
    for (const w of [...waiters]) w.reject(new Error(`the bridge closed the connection while waiting for ${w.what}; got ${Buffer.concat(chunks).toString('latin1')}`));
    waiters.clear();
  });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const client: Rfc2217TestClient = {
    socket,
    data: () => Buffer.concat(chunks),
    answers,
    negotiations,
    until: (done, what = 'a condition') =>
      new Promise<void>((resolve, reject) => {
        if (done()) return resolve();
        if (closed) return reject(new Error(`closed before ${what}`));
        waiters.add({ done, resolve, reject, what });
      }),
    expect: async (regex, from = 0) => {
      let m: RegExpExecArray | null = null;
      await client.until(() => (m = regex.exec(client.data().subarray(from).toString('latin1'))) !== null, String(regex));
      return m![0];
    },
    write: (data) => socket.write(escapeIac(Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1'))),
    raw: (bytes) => socket.write(bytes),
    cpo: (command, ...value) => socket.write(subnegotiation(COM_PORT_OPTION, Buffer.of(command, ...value))),
    baud: (rate) => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(rate);
      client.cpo(CPO.SET_BAUDRATE, ...b);
    },
    close: async () => {
      if (closed) return;
      socket.end();
      await once(socket, 'close');
    },
  };
  socket.write(Buffer.concat([negotiation(WILL, COM_PORT_OPTION), negotiation(DO, COM_PORT_OPTION)]));
  // The server's DO COM-PORT (its answer to our WILL, or its own opening) means it speaks RFC 2217.
  await client.until(() => negotiations.some(([v, o]) => v === DO && o === COM_PORT_OPTION), 'DO COM-PORT-OPTION');
  return client;
}
