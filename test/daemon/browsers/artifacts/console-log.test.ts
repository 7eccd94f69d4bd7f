import { describe, expect, it } from 'vitest';
import { ConsoleLog, MAX_CONSOLE_LINES, remoteText } from '../../../../src/daemon/browsers/artifacts/console-log.js';

const at = Date.parse('2030-01-01T00:00:00Z');

describe('ConsoleLog', () => {
  it('prints console calls, exceptions and log entries as timestamped lines with their page and source', () => {
    const log = new ConsoleLog(() => at);
    log.onEvent('page-1', 'Runtime.consoleAPICalled', {
      type: 'warning',
      timestamp: at + 1000,
      args: [{ type: 'string', value: 'disk' }, { type: 'number', value: 42 }, { type: 'object', description: 'Object' }, { type: 'number', unserializableValue: 'NaN' }],
      stackTrace: { callFrames: [{ url: 'http://127.0.0.1:9/', lineNumber: 4 }] },
    });
    log.onEvent('page-2', 'Runtime.exceptionThrown', { timestamp: at + 2000, exceptionDetails: { text: 'Uncaught', exception: { description: 'Error: boom\n    at x' } } });
    log.onEvent('page-1', 'Log.entryAdded', { entry: { source: 'network', level: 'error', text: 'Failed to load', timestamp: at + 3000, url: 'http://x/' } });
    expect(log.onEvent('page-1', 'Network.requestWillBeSent', {})).toBe(false);
    expect(log.text()).toBe(
      '2030-01-01T00:00:01.000Z page-1 warning: disk 42 Object NaN (http://127.0.0.1:9/:5)\n' +
        '2030-01-01T00:00:02.000Z page-2 exception: Error: boom\n        at x\n' +
        '2030-01-01T00:00:03.000Z page-1 network.error: Failed to load (http://x/)\n',
    );
  });

  it('stops storing past its limit and says how many lines it dropped', () => {
    const log = new ConsoleLog(() => at);
    for (let i = 0; i < MAX_CONSOLE_LINES + 3; i++) log.onEvent('p', 'Runtime.consoleAPICalled', { type: 'log', args: [] });
    expect(log.text().trimEnd().split('\n').at(-1)).toBe(`… 3 more lines not kept (limit ${MAX_CONSOLE_LINES})`);
  });

  it('renders values like console.log', () => {
    expect(remoteText({ type: 'object', value: { a: 1 } })).toBe('{"a":1}');
    expect(remoteText({ type: 'undefined' })).toBe('undefined');
  });
});
