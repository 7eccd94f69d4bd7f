// POST /v1/sessions/{id}/exec: files written first, then the code or command, answered with its result — or, with
// `stream: true`, as Server-Sent Events (stdout and stderr chunks as they come, a heartbeat, one final `result`).
// A client that goes away takes its exec with it: nothing runs on for nobody until its timeout.
import { StringDecoder } from 'node:string_decoder';
import type { Clock, TimerHandle } from '../../shared/clock.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { SANDBOX_HEARTBEAT_MS, type ExecStreamEvent } from '../../transport/protocol/sandbox-api.js';
import { parseWith } from '../../transport/protocol/schema-kit.js';
import { ExecBody } from '../../transport/protocol/schemas/sandboxes.js';
import { MAX_BODY_BYTES, readJson } from '../http/body.js';
import type { ApiRequest, JsonReply } from '../http/router.js';
import { checkExecTimeout } from '../providers/sandbox/sandbox-admission.js';
import type { SandboxSessions } from '../providers/sandbox/sandbox-sessions.js';
import type { ExecFile, ExecRequest, Sandbox } from '../sandboxes/index.js';
import { toHost } from './sandbox-forward.js';

export interface ExecDeps {
  sessions: SandboxSessions;
  clock: Clock;
}

function decodeFiles(files: ExecBody['files']): ExecFile[] {
  return (files ?? []).map((f) => ({ path: f.path, content: f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : f.content }));
}

function write(r: ApiRequest, e: ExecStreamEvent): void {
  r.res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
}

export async function runExec(r: ApiRequest, id: string, { sessions, clock }: ExecDeps): Promise<JsonReply | 'streaming'> {
  const s = sessions.live(r.account, id);
  // Files ride in the body: it may be as large as the plan's file limit (base64 adds a third), plus the rest.
  const raw = await readJson(r.req, MAX_BODY_BYTES + Math.ceil((s.limits.max_file_bytes * 4) / 3));
  const req = parseWith(ExecBody, raw);
  if (sessions.joinedOf(s)) return onHost(r, id, req, sessions);
  const files = decodeFiles(req.files);
  if (req.background) {
    const { box } = await sessions.use(r.account, id);
    for (const f of files) box.files.write(f.path, typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
    const started = await box.startBackground({
      ...(req.code !== undefined ? { code: req.code } : {}),
      ...(req.command !== undefined ? { command: req.command } : {}),
      ...(req.language ? { language: req.language } : {}),
      ...(req.env ? { env: req.env } : {}),
      ...(req.restart ? { restart: req.restart } : {}),
    });
    return { status: 201, body: started };
  }
  const plan = sessions.planOf(r.account);
  const exec: ExecRequest = {
    ...(req.code !== undefined ? { code: req.code } : {}),
    ...(req.command !== undefined ? { command: req.command } : {}),
    ...(req.language ? { language: req.language } : {}),
    ...(req.env ? { env: req.env } : {}),
    files,
    timeout_s: checkExecTimeout(req.timeout_s, s.limits, plan),
  };
  const abort = new AbortController();
  r.res.on('close', () => !r.res.writableFinished && abort.abort());
  exec.signal = abort.signal;
  if (!req.stream) return { status: 200, body: await sessions.hold(r.account, id, (box) => box.exec(exec)) };
  await sessions.hold(r.account, id, (box) => stream(r, box, exec, clock));
  return 'streaming';
}

/** On a joined host: checked against the plan here, then passed there (held here while it runs, as it is there). */
async function onHost(r: ApiRequest, id: string, req: ExecBody, sessions: SandboxSessions): Promise<'streaming'> {
  const s = sessions.live(r.account, id);
  const checked = req.background ? req : { ...req, timeout_s: checkExecTimeout(req.timeout_s, s.limits, sessions.planOf(r.account)) };
  const body = Buffer.from(JSON.stringify(checked));
  if (req.background) {
    sessions.touch(s);
    await sessions.awake(s);
    return toHost(r, s, sessions, body);
  }
  return sessions.held(r.account, id, async (held) => {
    await sessions.awake(held);
    return toHost(r, held, sessions, body);
  });
}

/** The exec as SSE: headers once the sandbox is running, then chunks, heartbeats, and the result (or an error). */
async function stream(r: ApiRequest, box: Sandbox, exec: ExecRequest, clock: Clock): Promise<void> {
  r.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  r.req.socket.setTimeout(0);
  const t0 = clock.now();
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  let beat: TimerHandle | null = null;
  const heartbeat = () => {
    write(r, { type: 'heartbeat', elapsed_ms: clock.now() - t0 });
    beat = clock.setTimeout(heartbeat, SANDBOX_HEARTBEAT_MS);
  };
  beat = clock.setTimeout(heartbeat, SANDBOX_HEARTBEAT_MS);
  try {
    const result = await box.exec({
      ...exec,
      stream: ({ stream: which, data }) => {
        const text = decoders[which].write(data);
        if (text) write(r, { type: which, data: text });
      },
    });
    for (const which of ['stdout', 'stderr'] as const) {
      const rest = decoders[which].end();
      if (rest) write(r, { type: which, data: rest });
    }
    write(r, { type: 'result', result });
  } catch (err) {
    const e = err instanceof ApiError ? err : new ApiError('internal_error', `The exec failed: ${(err as Error).message}.`);
    write(r, { type: 'error', error: e.message, code: e.code });
  } finally {
    if (beat) clock.clearTimeout(beat);
    r.res.end();
  }
}
