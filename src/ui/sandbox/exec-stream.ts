// Runs a command (or Bun code) in a sandbox with streamed output: POST …/exec with `stream: true`, the answer read
// as Server-Sent Events (stdout and stderr chunks as they come, heartbeats, one result). Aborting the signal ends
// the request, and the daemon kills the exec with it.
import type { ExecStreamEvent, SandboxLanguage } from '../../transport/protocol/sandbox-api.js';
import { API } from '../../transport/protocol/paths.js';
import { request } from '../api.js';
import { SseParser } from '../lib/sse.js';

export interface ExecInput {
  text: string;
  language: SandboxLanguage;
}

export async function execStream(sessionId: string, input: ExecInput, on: (e: ExecStreamEvent) => void, signal: AbortSignal): Promise<void> {
  const body = input.language === 'sh' ? { command: input.text, stream: true } : { code: input.text, language: input.language, stream: true };
  const res = await request('POST', API.exec(encodeURIComponent(sessionId)), body, { accept: 'text/event-stream' }, signal);
  const parser = new SseParser((_type, data) => {
    try {
      on(JSON.parse(data) as ExecStreamEvent);
    } catch {
      // not an event of ours
    }
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    parser.push(value);
  }
}
