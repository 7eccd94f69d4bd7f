// Test and bench helper: a Web Serial SerialPort on top of an fbay port handle, so esptool-js runs unchanged in Node.

/**
 * What esptool-js's Transport uses of Web Serial: open/close, readable/writable streams, setSignals, getInfo, and the
 * optional in-place setBaudRate (without it, esptool-js closes and reopens the port to change the rate).
 */
export class WebSerialPort {
  /** @param {() => Promise<import('../../src/transport/serial/port.js').SerialPortHandle>} openPort */
  constructor(openPort) {
    this.openPort = openPort;
    this.port = null;
    this.readable = null;
    this.writable = null;
  }

  getInfo() {
    return {};
  }

  async open({ baudRate }) {
    const port = await this.openPort();
    await port.control.setBaud(baudRate);
    this.port = port;
    const stream = port.stream;
    let onData = null;
    let onClose = null;
    this.readable = new ReadableStream({
      start(controller) {
        onData = (chunk) => controller.enqueue(new Uint8Array(chunk));
        onClose = () => {
          try {
            controller.close();
          } catch {
            // already cancelled
          }
        };
        stream.on('data', onData);
        stream.on('close', onClose);
      },
      cancel() {
        stream.off('data', onData);
        stream.off('close', onClose);
      },
    });
    this.writable = new WritableStream({
      write: (chunk) => new Promise((resolve, reject) => stream.write(Buffer.from(chunk), (err) => (err ? reject(err) : resolve()))),
    });
  }

  async setSignals({ dataTerminalReady, requestToSend }) {
    const change = {};
    if (dataTerminalReady !== undefined) change.dtr = dataTerminalReady;
    if (requestToSend !== undefined) change.rts = requestToSend;
    await this.port.control.setSignals(change);
  }

  async setBaudRate(baudRate) {
    await this.port.control.setBaud(baudRate);
  }

  async close() {
    const port = this.port;
    this.port = null;
    this.readable = null;
    this.writable = null;
    await port?.close();
  }
}
