import { describe, expect, it } from 'vitest';
import type { PortAction } from '../../../src/transport/rfc2217/com-port.js';
import { Rfc2217Server } from '../../../src/transport/rfc2217/rfc2217-server.js';
import { TelnetDecoder } from '../../../src/transport/rfc2217/telnet-decoder.js';
import { negotiation, subnegotiation } from '../../../src/transport/rfc2217/telnet-encode.js';
import { BINARY, COM_PORT_OPTION, CONTROL, CPO, DO, DONT, ECHO, IAC, SGA, WILL, WONT } from '../../../src/transport/rfc2217/telnet-codes.js';

/** A server with what it sent decoded back into events, and what it asked of the port. */
function harness() {
  const sent: Array<[string, ...number[]]> = [];
  const data: number[] = [];
  const reader = new TelnetDecoder({
    data: (b) => data.push(...b),
    negotiate: (verb, option) => sent.push(['neg', verb, option]),
    subnegotiation: (option, payload) => sent.push(['sb', option, ...payload]),
    command: () => {},
    malformed: (what) => {
      throw new Error(`server sent garbage: ${what}`);
    },
  });
  const written: Buffer[] = [];
  const actions: PortAction[] = [];
  const logs: string[] = [];
  const server = new Rfc2217Server((bytes) => reader.push(bytes), { write: (b) => written.push(b), act: (a) => actions.push(a) }, {
    signature: 'fbay test',
    log: (line) => logs.push(line),
  });
  const cpo = (...payload: number[]) => server.receive(subnegotiation(COM_PORT_OPTION, Buffer.of(...payload)));
  return { server, sent, data, written, actions, logs, cpo };
}

describe('Rfc2217Server negotiation', () => {
  it('opens asking for binary, SGA and COM-PORT, accepts what pyserial offers and refuses ECHO and unknown options', () => {
    const h = harness();
    h.server.start();
    expect(h.sent).toEqual([
      ['neg', WILL, BINARY],
      ['neg', WILL, SGA],
      ['neg', DO, BINARY],
      ['neg', DO, SGA],
      ['neg', DO, COM_PORT_OPTION],
    ]);
    h.sent.length = 0;
    // What pyserial's client sends on open, then its answers to our opening.
    for (const [verb, option] of [[DO, ECHO], [WILL, SGA], [DO, SGA], [WILL, COM_PORT_OPTION], [DO, COM_PORT_OPTION], [DO, BINARY], [WILL, BINARY], [DO, 31], [WILL, 24]] as const) {
      h.server.receive(negotiation(verb, option));
    }
    expect(h.sent).toEqual([
      ['neg', WONT, ECHO],
      // COM-PORT agreed: the first modem-state notification, so pyserial's cts/dsr have a value.
      ['sb', COM_PORT_OPTION, CPO.NOTIFY_MODEMSTATE + 100, 0],
      ['neg', WILL, COM_PORT_OPTION], // the client's DO for our side, which we had not offered
      ['neg', WONT, 31],
      ['neg', DONT, 24],
    ]);
  });

  it('answers each change once and never loops: a repeated DO is not answered, a DONT after agreement is', () => {
    const h = harness();
    h.server.receive(negotiation(DO, SGA));
    h.server.receive(negotiation(DO, SGA));
    h.server.receive(negotiation(DONT, SGA));
    h.server.receive(negotiation(DONT, SGA));
    expect(h.sent).toEqual([['neg', WILL, SGA], ['neg', WONT, SGA]]);
  });
});

describe('Rfc2217Server COM-PORT-OPTION', () => {
  it('answers the port settings pyserial sends on open with the values it asked for', () => {
    const h = harness();
    h.cpo(CPO.SET_BAUDRATE, 0x00, 0x01, 0xc2, 0x00); // 115200
    h.cpo(CPO.SET_DATASIZE, 8);
    h.cpo(CPO.SET_PARITY, 1);
    h.cpo(CPO.SET_STOPSIZE, 1);
    h.cpo(CPO.SET_CONTROL, CONTROL.FLOW_NONE);
    h.cpo(CPO.SET_CONTROL, CONTROL.DTR_ON);
    h.cpo(CPO.SET_CONTROL, CONTROL.RTS_ON);
    h.cpo(CPO.PURGE_DATA, 1);
    h.cpo(CPO.PURGE_DATA, 2);
    expect(h.sent).toEqual([
      ['sb', COM_PORT_OPTION, 101, 0x00, 0x01, 0xc2, 0x00],
      ['sb', COM_PORT_OPTION, 102, 8],
      ['sb', COM_PORT_OPTION, 103, 1],
      ['sb', COM_PORT_OPTION, 104, 1],
      ['sb', COM_PORT_OPTION, 105, CONTROL.FLOW_NONE],
      ['sb', COM_PORT_OPTION, 105, CONTROL.DTR_ON],
      ['sb', COM_PORT_OPTION, 105, CONTROL.RTS_ON],
      ['sb', COM_PORT_OPTION, 112, 1],
      ['sb', COM_PORT_OPTION, 112, 2],
    ]);
    expect(h.actions).toEqual([
      { type: 'baud', rate: 115200 },
      { type: 'line', line: 'dtr', on: true },
      { type: 'line', line: 'rts', on: true },
      { type: 'purge', receive: true, transmit: false },
      { type: 'purge', receive: false, transmit: true },
    ]);
  });

  it('passes every DTR/RTS change on in order, repeated ones too (esptool sets DTR again after each RTS)', () => {
    const h = harness();
    for (const v of [CONTROL.DTR_OFF, CONTROL.RTS_ON, CONTROL.DTR_OFF, CONTROL.DTR_ON, CONTROL.RTS_OFF, CONTROL.DTR_ON, CONTROL.DTR_OFF]) h.cpo(CPO.SET_CONTROL, v);
    expect(h.actions).toEqual([
      { type: 'line', line: 'dtr', on: false },
      { type: 'line', line: 'rts', on: true },
      { type: 'line', line: 'dtr', on: false },
      { type: 'line', line: 'dtr', on: true },
      { type: 'line', line: 'rts', on: false },
      { type: 'line', line: 'dtr', on: true },
      { type: 'line', line: 'dtr', on: false },
    ]);
    h.sent.length = 0;
    h.cpo(CPO.SET_CONTROL, CONTROL.REQ_DTR);
    h.cpo(CPO.SET_CONTROL, CONTROL.REQ_RTS);
    expect(h.sent).toEqual([['sb', COM_PORT_OPTION, 105, CONTROL.DTR_OFF], ['sb', COM_PORT_OPTION, 105, CONTROL.RTS_OFF]]);
  });

  it('refuses what the line cannot do by answering the value in effect, and says so', () => {
    const h = harness();
    h.cpo(CPO.SET_DATASIZE, 7);
    h.cpo(CPO.SET_PARITY, 3);
    h.cpo(CPO.SET_STOPSIZE, 2);
    h.cpo(CPO.SET_CONTROL, CONTROL.FLOW_HARDWARE);
    h.cpo(CPO.SET_CONTROL, CONTROL.FLOW_IN_XONXOFF);
    h.cpo(CPO.SET_CONTROL, CONTROL.REQ_FLOW);
    expect(h.sent).toEqual([
      ['sb', COM_PORT_OPTION, 102, 8],
      ['sb', COM_PORT_OPTION, 103, 1],
      ['sb', COM_PORT_OPTION, 104, 1],
      ['sb', COM_PORT_OPTION, 105, CONTROL.FLOW_NONE],
      ['sb', COM_PORT_OPTION, 105, CONTROL.FLOW_IN_NONE],
      ['sb', COM_PORT_OPTION, 105, CONTROL.FLOW_NONE],
    ]);
    expect(h.actions.map((a) => a.type)).toEqual(['refused', 'refused', 'refused', 'refused', 'refused']);
    expect(h.actions[0]).toEqual({ type: 'refused', what: '7 data bits (the line is 8N1; data bits cannot change)' });
  });

  it('answers queries, masks, the signature and break; suspend and resume are acted on without an answer', () => {
    const h = harness();
    h.cpo(CPO.SET_BAUDRATE, 0, 0x0e, 0x10, 0x00); // 921600
    h.cpo(CPO.SET_BAUDRATE, 0, 0, 0, 0);
    h.cpo(CPO.SIGNATURE);
    h.cpo(CPO.SIGNATURE, ...Buffer.from('pyserial'));
    h.cpo(CPO.SET_LINESTATE_MASK, 0x10);
    h.cpo(CPO.SET_MODEMSTATE_MASK, 0xf0);
    h.cpo(CPO.NOTIFY_LINESTATE);
    h.cpo(CPO.NOTIFY_MODEMSTATE);
    h.cpo(CPO.SET_CONTROL, CONTROL.BREAK_ON);
    h.cpo(CPO.SET_CONTROL, CONTROL.REQ_BREAK);
    h.cpo(CPO.SET_CONTROL, CONTROL.BREAK_OFF);
    h.cpo(CPO.FLOWCONTROL_SUSPEND);
    h.cpo(CPO.FLOWCONTROL_RESUME);
    expect(h.sent).toEqual([
      ['sb', COM_PORT_OPTION, 101, 0, 0x0e, 0x10, 0x00],
      ['sb', COM_PORT_OPTION, 101, 0, 0x0e, 0x10, 0x00],
      ['sb', COM_PORT_OPTION, 100, ...Buffer.from('fbay test')],
      ['sb', COM_PORT_OPTION, 110, 0x10],
      ['sb', COM_PORT_OPTION, 111, 0xf0],
      ['sb', COM_PORT_OPTION, 106, 0x60],
      ['sb', COM_PORT_OPTION, 107, 0],
      ['sb', COM_PORT_OPTION, 105, CONTROL.BREAK_ON],
      ['sb', COM_PORT_OPTION, 105, CONTROL.BREAK_ON],
      ['sb', COM_PORT_OPTION, 105, CONTROL.BREAK_OFF],
    ]);
    expect(h.server.comPort.clientSignature).toBe('pyserial');
    expect(h.actions).toEqual([
      { type: 'baud', rate: 921600 },
      { type: 'break', on: true },
      { type: 'break', on: false },
      { type: 'suspend', on: true },
      { type: 'suspend', on: false },
    ]);
  });

  it('ignores short, unknown and foreign subnegotiations with a log line, and the data around them still flows', () => {
    const h = harness();
    h.server.receive(Buffer.from('a'));
    h.cpo(CPO.SET_BAUDRATE, 1, 2); // too short
    h.cpo(99);
    h.server.receive(subnegotiation(24, Buffer.of(1)));
    h.cpo(CPO.SET_CONTROL, 200);
    h.server.receive(Buffer.of(0x62, IAC, IAC, 0x63));
    expect(h.sent).toEqual([]);
    expect(h.actions).toEqual([]);
    expect(h.server.malformed).toBe(4);
    expect(h.logs).toHaveLength(4);
    expect(Buffer.concat(h.written)).toEqual(Buffer.of(0x61, 0x62, 0xff, 0x63));
  });

  it('escapes board output', () => {
    const h = harness();
    h.server.output(Buffer.of(1, 0xff, 2));
    expect(h.data).toEqual([1, 0xff, 2]);
  });
});
