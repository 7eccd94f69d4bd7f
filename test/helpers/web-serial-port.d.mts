import type { SerialPortHandle } from '../../src/transport/serial/port.js';

export declare class WebSerialPort {
  constructor(openPort: () => Promise<SerialPortHandle>);
  port: SerialPortHandle | null;
  readable: ReadableStream<Uint8Array> | null;
  writable: WritableStream<Uint8Array> | null;
  getInfo(): Record<string, never>;
  open(options: { baudRate: number }): Promise<void>;
  setSignals(signals: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void>;
  setBaudRate(baudRate: number): Promise<void>;
  close(): Promise<void>;
}
