// The resume gate: a target held by both the daemon and the client runs only once both have set it up.
import { describe, expect, it } from 'vitest';
import { ResumeGate } from '../../../src/daemon/browsers/resume-gate.js';

const attached = (sessionId: string, targetId: string, waitingForDebugger = true) =>
  Buffer.from(JSON.stringify({ method: 'Target.attachedToTarget', params: { sessionId, targetInfo: { targetId, type: 'page' }, waitingForDebugger } }));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ResumeGate', () => {
  it('without a client holding the target, the daemon resumes it itself', () => {
    const gate = new ResumeGate();
    let resumed = 0;
    gate.release('T1', () => resumed++);
    expect(resumed).toBe(1);
    // A client that attached without holding it changes nothing.
    gate.observe(attached('C2', 'T2', false));
    gate.release('T2', () => resumed++);
    expect(resumed).toBe(2);
  });

  it('holds the client’s resume, and what follows it on that session, until the daemon’s setup is done', async () => {
    const gate = new ResumeGate();
    const setup = deferred();
    const sent: string[] = [];
    const send = (b: Buffer) => sent.push(b.toString());
    gate.observe(attached('C1', 'T1'));
    gate.settingUp('T1', setup.promise);
    expect(gate.intercept('C1', 'Runtime.runIfWaitingForDebugger', Buffer.from('resume'), send)).toBe(true);
    expect(gate.intercept('C1', 'Runtime.evaluate', Buffer.from('evaluate'), send)).toBe(true);
    expect(gate.intercept('C9', 'Runtime.evaluate', Buffer.from('other session'), send)).toBe(false);
    const settled = setup.promise.then(() => gate.release('T1', () => sent.push('daemon resume')));
    expect(sent).toEqual([]);
    setup.resolve();
    await settled;
    await tick();
    // Both resumes go, only after both setups: the client's had been sent, the daemon's follows its setup.
    expect(sent.sort()).toEqual(['daemon resume', 'evaluate', 'resume']);
    expect(gate.intercept('C1', 'Runtime.evaluate', Buffer.from('later'), send)).toBe(false);
  });

  it('when the daemon is done first, its resume waits for the client’s', () => {
    const gate = new ResumeGate();
    const sent: string[] = [];
    gate.observe(attached('C1', 'T1'));
    gate.settingUp('T1', Promise.resolve());
    gate.release('T1', () => sent.push('daemon resume'));
    expect(sent).toEqual([]);
    return Promise.resolve().then(() => {
      expect(gate.intercept('C1', 'Runtime.runIfWaitingForDebugger', Buffer.from('resume'), (b) => sent.push(b.toString()))).toBe(true);
      expect(sent).toEqual(['resume', 'daemon resume']);
    });
  });

  it('resumes on its own what waited for a client that left without resuming', () => {
    const gate = new ResumeGate();
    let resumed = false;
    gate.observe(attached('C1', 'T1'));
    gate.release('T1', () => (resumed = true));
    expect(resumed).toBe(false);
    gate.clientGone();
    expect(resumed).toBe(true);
  });

  it('drops what a departed client left waiting', async () => {
    const gate = new ResumeGate();
    const setup = deferred();
    const sent: string[] = [];
    gate.observe(attached('C1', 'T1'));
    gate.settingUp('T1', setup.promise);
    gate.intercept('C1', 'Runtime.runIfWaitingForDebugger', Buffer.from('resume'), (b) => sent.push(b.toString()));
    gate.clientGone();
    setup.resolve();
    await tick();
    expect(sent).toEqual([]);
  });

  it('ignores messages that are not auto-attach announcements', () => {
    const gate = new ResumeGate();
    gate.observe(Buffer.from('{"method":"Target.attachedToTargetX","params":{}}'));
    gate.observe(Buffer.from('{"id":1,"result":{}}'));
    let resumed = false;
    gate.release('T1', () => (resumed = true));
    expect(resumed).toBe(true);
  });
});
