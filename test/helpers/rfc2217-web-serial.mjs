// Test and bench helper: a Web Serial SerialPort that is an RFC 2217 client on TCP (fbay's built Telnet codec), so
// esptool-js runs unchanged against `fbay serial bridge --rfc2217`. SET-CONTROL is sent without waiting for an
// answer, as a browser's port would change its lines, so a reset sequence keeps its timing.
import { connect } from 'node:net';
import { once } from 'node:events';
import { TelnetDecoder } from '../../dist/transport/rfc2217/telnet-decoder.js';
import { escapeIac, negotiation, subnegotiation } from '../../dist/transport/rfc2217/telnet-encode.js';
import { COM_PORT_OPTION, CONTROL, CPO, DO, WILL } from '../../dist/transport/rfc2217/telnet-codes.js';

export class Rfc2217WebSerialPort {
  /** @param {string} url rfc2217://HOST:PORT */
  constructor(url) {
    this.url = url;
    this.socket = null;
    this.readable = null;
    this.writable = null;
  }

  getInfo() {
    return {};
  }

  async open({ baudRate }) {
    const { hostname, port } = new URL(this.url.replace(/^rfc2217:/, 'http:'));
    const socket = connect({ host: hostname, port: Number(port), noDelay: true });
    await once(socket, 'connect');
    this.socket = socket;
    let controller = null;
    let agreed;
    const comPort = new Promise((resolve) => (agreed = resolve));
    const decoder = new TelnetDecoder({
      data: (bytes) => controller?.enqueue(new Uint8Array(bytes)),
      negotiate: (verb, option) => verb === DO && option === COM_PORT_OPTION && agreed(),
      subnegotiation: () => undefined,
      command: () => undefined,
      malformed: (what) => controller?.error(new Error(`the bridge sent a malformed Telnet sequence: ${what}`)),
    });
    this.readable = new ReadableStream({
      start(c) {
        controller = c;
        socket.on('data', (chunk) => decoder.push(chunk));
        socket.on('close', () => {
          try {
            c.close();
          } catch {
            // already cancelled
          }
        });
      },
      cancel() {
        controller = null;
      },
    });
    this.writable = new WritableStream({
      write: (chunk) => new Promise((resolve, reject) => socket.write(escapeIac(Buffer.from(chunk)), (err) => (err ? reject(err) : resolve()))),
    });
    socket.write(Buffer.concat([negotiation(WILL, COM_PORT_OPTION), negotiation(DO, COM_PORT_OPTION)]));
    await comPort;
    await this.setBaudRate(baudRate);
  }

  #cpo(command, ...value) {
    this.socket.write(subnegotiation(COM_PORT_OPTION, Buffer.of(command, ...value)));
  }

  async setSignals({ dataTerminalReady, requestToSend }) {
    if (dataTerminalReady !== undefined) this.#cpo(CPO.SET_CONTROL, dataTerminalReady ? CONTROL.DTR_ON : CONTROL.DTR_OFF);
    if (requestToSend !== undefined) this.#cpo(CPO.SET_CONTROL, requestToSend ? CONTROL.RTS_ON : CONTROL.RTS_OFF);
  }

  async setBaudRate(baudRate) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(baudRate);
    this.#cpo(CPO.SET_BAUDRATE, ...b);
  }

  async close() {
    const socket = this.socket;
    this.socket = null;
    this.readable = null;
    this.writable = null;
    if (!socket || socket.destroyed) return;
    socket.end();
    await once(socket, 'close');
  }
}
