// Orders the resumes of a new target that both the daemon and the client hold paused, so it runs only once both have
// set it up.
//
// Chromium pauses a new target for every session that auto-attaches with waitForDebuggerOnStart, and what one
// session's Runtime.runIfWaitingForDebugger releases is not always everything: a popup's first request goes out on
// any one resume (before the other session's routes or fingerprint are in place), while a tab the client created
// waits for both. So: the client's resume (and what follows it on that session) waits here until the daemon's setup
// is done, and the daemon's own resume waits until the client has sent its resume — or has left without one.

const ATTACHED_HEAD = '{"method":"Target.attachedToTarget"';

export class ResumeGate {
  /** The daemon's setups under way, by target id. */
  private readonly setups = new Map<string, Promise<void>>();
  /** The client's sessions to targets it holds paused and has not resumed: session id → target id. */
  private readonly clientSessions = new Map<string, string>();
  private readonly clientHolds = new Set<string>();
  /** The daemon's resumes waiting for the client's, by target id. */
  private readonly daemonResumes = new Map<string, () => void>();
  /** Client frames waiting for a setup, per client session, in order. */
  private readonly queues = new Map<string, Buffer[]>();

  /** A message on its way to the client: notes the targets the client auto-attached to, paused. */
  observe(message: Buffer): void {
    if (message.length < ATTACHED_HEAD.length || message.toString('latin1', 0, ATTACHED_HEAD.length) !== ATTACHED_HEAD) return;
    let params: Record<string, any>;
    try {
      params = (JSON.parse(message.toString('utf8')) as { params: Record<string, any> }).params;
    } catch {
      return;
    }
    const targetId = params?.targetInfo?.targetId;
    if (typeof params?.sessionId !== 'string' || typeof targetId !== 'string' || params.waitingForDebugger !== true) return;
    this.clientSessions.set(params.sessionId, targetId);
    this.clientHolds.add(targetId);
  }

  /** The daemon is setting `targetId` up; the client's resume of it waits for `done`. */
  settingUp(targetId: string, done: Promise<void>): void {
    this.setups.set(targetId, done);
    void done.finally(() => {
      if (this.setups.get(targetId) === done) this.setups.delete(targetId);
    });
  }

  /** The daemon's setup is done: its resume goes now, or once the client holding the target too has sent its own. */
  release(targetId: string, resume: () => void): void {
    if (this.clientHolds.has(targetId)) this.daemonResumes.set(targetId, resume);
    else resume();
  }

  /**
   * A frame from the client on `sessionId`: true when the gate took it, to send through `send` once the daemon's setup
   * of that target is done (a resume, and whatever follows it on that session, in order).
   */
  intercept(sessionId: string | null, method: string, data: Buffer, send: (data: Buffer) => void): boolean {
    if (sessionId === null) return false;
    const queue = this.queues.get(sessionId);
    if (queue) {
      queue.push(data);
      return true;
    }
    if (method !== 'Runtime.runIfWaitingForDebugger') return false;
    const targetId = this.clientSessions.get(sessionId);
    if (targetId === undefined) return false;
    this.clientSessions.delete(sessionId);
    this.clientHolds.delete(targetId);
    const setup = this.setups.get(targetId);
    if (!setup) {
      // The daemon was ready first and waited for this: the client's resume, then the daemon's.
      send(data);
      this.takeDaemonResume(targetId)?.();
      return true;
    }
    const waiting = [data];
    this.queues.set(sessionId, waiting);
    void setup.finally(() => {
      // A client that left meanwhile took its frames with it.
      if (this.queues.get(sessionId) !== waiting) return;
      this.queues.delete(sessionId);
      for (const frame of waiting) send(frame);
    });
    return true;
  }

  /** The client left: the daemon resumes what waited for the client's resume, as it would have without a client. */
  clientGone(): void {
    const resumes = [...this.daemonResumes.values()];
    this.daemonResumes.clear();
    this.clientHolds.clear();
    this.clientSessions.clear();
    this.queues.clear();
    for (const resume of resumes) resume();
  }

  private takeDaemonResume(targetId: string): (() => void) | undefined {
    const resume = this.daemonResumes.get(targetId);
    this.daemonResumes.delete(targetId);
    return resume;
  }
}
