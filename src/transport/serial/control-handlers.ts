// Client control messages on the serial WebSocket, each mapped to the port operation it asks for.
import type { SerialControl } from './port.js';
import type { ClientMessage, ClientMessageType } from '../protocol/ws-messages.js';

type Handlers = { [K in ClientMessageType]: (control: SerialControl, m: Extract<ClientMessage, { type: K }>) => Promise<void> };

export const controlHandlers: Handlers = {
  reset: (control, m) => control.reset(m.mode),
  signals: (control, m) => control.setSignals({ ...(m.dtr === undefined ? {} : { dtr: m.dtr }), ...(m.rts === undefined ? {} : { rts: m.rts }) }),
  baud: (control, m) => control.setBaud(m.rate),
  break: (control) => control.sendBreak(),
};

export function dispatchControl(control: SerialControl, message: ClientMessage): Promise<void> {
  const handler = controlHandlers[message.type] as (control: SerialControl, m: ClientMessage) => Promise<void>;
  return handler(control, message);
}

export const CONTROL_HELP =
  'Text frames must be JSON control messages: {"type":"reset","mode":"hard"|"bootloader"}, ' +
  '{"type":"signals","dtr":true|false,"rts":true|false}, {"type":"baud","rate":115200} or {"type":"break"}; ' +
  'send serial bytes as binary frames.';
