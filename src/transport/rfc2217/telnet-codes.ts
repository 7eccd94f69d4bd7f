// The byte values of Telnet (RFC 854/855), the options an RFC 2217 port speaks, and the COM-PORT-OPTION commands.

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

export type Verb = typeof WILL | typeof WONT | typeof DO | typeof DONT;

export const isVerb = (b: number): b is Verb => b >= WILL && b <= DONT;

/** Telnet options this port cares about; every other option is refused. */
export const BINARY = 0;
export const ECHO = 1;
export const SGA = 3;
export const COM_PORT_OPTION = 44;

/** COM-PORT-OPTION commands, client to server; the server's answer to command N is N + SERVER_OFFSET. */
export const CPO = {
  SIGNATURE: 0,
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  NOTIFY_LINESTATE: 6,
  NOTIFY_MODEMSTATE: 7,
  FLOWCONTROL_SUSPEND: 8,
  FLOWCONTROL_RESUME: 9,
  SET_LINESTATE_MASK: 10,
  SET_MODEMSTATE_MASK: 11,
  PURGE_DATA: 12,
} as const;

export const SERVER_OFFSET = 100;

/** SET-CONTROL values. */
export const CONTROL = {
  REQ_FLOW: 0,
  FLOW_NONE: 1,
  FLOW_XONXOFF: 2,
  FLOW_HARDWARE: 3,
  REQ_BREAK: 4,
  BREAK_ON: 5,
  BREAK_OFF: 6,
  REQ_DTR: 7,
  DTR_ON: 8,
  DTR_OFF: 9,
  REQ_RTS: 10,
  RTS_ON: 11,
  RTS_OFF: 12,
  REQ_FLOW_IN: 13,
  FLOW_IN_NONE: 14,
  FLOW_IN_XONXOFF: 15,
  FLOW_IN_HARDWARE: 16,
  FLOW_DCD: 17,
  FLOW_IN_DTR: 18,
  FLOW_DSR: 19,
} as const;

/** PURGE-DATA values: the access server's receive buffer (toward the client), its transmit buffer (toward the port), both. */
export const PURGE = { RECEIVE: 1, TRANSMIT: 2, BOTH: 3 } as const;

/** LINESTATE bits reported by NOTIFY-LINESTATE. */
export const LINESTATE = { TRANSFER_SHIFT_EMPTY: 64, TRANSFER_HOLDING_EMPTY: 32 } as const;
