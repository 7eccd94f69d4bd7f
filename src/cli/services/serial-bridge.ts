// `fbay serial bridge`: the session's serial line served as a local RFC 2217 port or a pty, in the foreground until
// Ctrl-C or the end of the session; and the same bridge started for the length of `fbay exec --bridge`.
import type { Session } from '../../transport/protocol/api.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import { VERSION } from '../../shared/version.js';
import { UserError } from '../../shared/user-error.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { interrupted } from '../client/daemon-errors.js';
import { BoardLink } from '../bridge/board-link.js';
import { isLoopback, type ListenAddress } from '../bridge/listen-address.js';
import { PTY_LIMITS, PtyBridge } from '../bridge/pty-bridge.js';
import { Rfc2217Listener } from '../bridge/rfc2217-listener.js';
import { endedWhileAttached } from '../console/ending.js';
import { lostConnection } from './serial-expect.js';
import { openSerial, targetSession, wsUrlOf } from './serial-session.js';

export type BridgeMode = { rfc2217: ListenAddress } | { pty: string };
export type BridgeEndpoint = { url: string } | { pty: string };

/** How a bridge stopped by itself: the session ended (the daemon said so), or the connection to the daemon broke. */
export type BridgeEnd = { kind: 'ended'; session: Session } | { kind: 'lost'; error: UserError };

export interface RunningBridge {
  endpoint: BridgeEndpoint;
  /** Settles when the bridge stops by itself; close() does not settle it. */
  ended: Promise<BridgeEnd>;
  close(): Promise<void>;
}

export interface BridgeOptions {
  /** One line for stderr: clients coming and going, refused settings, warnings from the daemon. */
  log: (line: string) => void;
  signal?: AbortSignal | undefined;
}

/** Connects to the session's serial line and starts serving it; resolves once clients can connect. */
export async function startBridge(session: Session, mode: BridgeMode, options: BridgeOptions): Promise<RunningBridge> {
  wsUrlOf(session); // an ended or waiting session says so before anything listens
  const connection = await openSerial(session, { signal: options.signal });
  const link = new BoardLink(connection);
  const ended = new Promise<BridgeEnd>((resolve) => {
    link.on('closed', ({ code, reason, ended: last }) => {
      if (last?.type === 'ended') resolve({ kind: 'ended', session: last.session });
      else resolve({ kind: 'lost', error: lostConnection(code, reason) });
    });
  });
  link.on('message', (m) => relayMessage(m, session.id, options.log));
  let serving: { close(): Promise<void> };
  let endpoint: BridgeEndpoint;
  try {
    if ('pty' in mode) {
      const pty = await PtyBridge.open({ path: mode.pty, link, log: options.log });
      options.log(PTY_LIMITS);
      serving = pty;
      endpoint = { pty: pty.path };
    } else {
      const signature = `fbay ${VERSION}: session ${session.id}, board ${session.board_id ?? session.board_type}`;
      const listener = await Rfc2217Listener.listen({ address: mode.rfc2217, link, signature, log: options.log });
      if (!isLoopback(mode.rfc2217.host)) {
        options.log(`listening on ${mode.rfc2217.host}: anyone who can reach it can use the board (RFC 2217 has no authentication).`);
      }
      serving = listener;
      endpoint = { url: listener.url };
    }
  } catch (err) {
    await link.close();
    throw err;
  }
  return {
    endpoint,
    ended,
    close: async () => {
      await serving.close();
      await link.close();
    },
  };
}

/**
 * The foreground command: serves until Ctrl-C (rejects with `interrupted`, exit 130) or until the session ends
 * (resolves with the line to print when the user ended it, else rejects with the end's error, as the console does).
 */
export async function serveBridge(
  client: DaemonClient,
  id: string | undefined,
  mode: BridgeMode,
  options: BridgeOptions & { ready: (endpoint: BridgeEndpoint, session: Session) => void },
): Promise<string> {
  const session = await targetSession(client, id);
  const bridge = await startBridge(session, mode, options);
  options.ready(bridge.endpoint, session);
  const signal = options.signal;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const outcome = await Promise.race([bridge.ended, aborted]);
  await bridge.close();
  if (outcome === 'aborted') throw interrupted();
  if (outcome.kind === 'lost') throw outcome.error;
  const end = endedWhileAttached(outcome.session);
  if (end instanceof UserError) throw end;
  return end.message;
}

function relayMessage(m: ServerMessage, id: string, log: (line: string) => void): void {
  if (m.type === 'error') log(`the daemon says: ${m.error}`);
  else if (m.type === 'gap') log(`${m.lost_bytes} bytes of board output were lost (the bridge fell behind).`);
  else if (m.type === 'warning') log(`session ${id}: ${m.kind.replace('_', ' ')}, ${m.seconds_left}s left.`);
}
