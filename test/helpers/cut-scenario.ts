// Test helper: a network cut between the client daemon and the host while the board keeps talking, then the check
// that the local console got every byte the board sent, in order, none twice.
import { expect } from 'vitest';
import { openSerial } from './daemon-process.js';
import { recorder, type TwoDaemons } from './two-daemons.js';

/** The flood a direct host client asks for during the cut: the board talks while the mirror's line is down. */
const FLOOD_BYTES = 256 * 1024;

export async function cutAndCheck(t: TwoDaemons, cutMs: number, fault: 'cut' | 'stall' = 'cut') {
  const s = (await t.lab('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 300 })).body;
  const local = await openSerial(t.client.home.socket, s.id);
  const rec = recorder(local);
  local.send(Buffer.from('echo before-the-cut\r'));
  await rec.until(() => rec.bytes().toString().includes('before-the-cut\r\nfbay-virtual> '));

  const direct = await t.hostSerial(s.id);
  let noticedAt = 0;
  const reconnecting = rec
    .until(() => rec.texts.some((m) => m.type === 'state' && m.link?.state === 'reconnecting'))
    .then(() => (noticedAt = Date.now()));
  const faultAt = Date.now();
  if (fault === 'cut') t.proxy.cut();
  else t.proxy.stall();
  direct.send(Buffer.from(`flood ${FLOOD_BYTES}\r`));
  // The fault lasts cutMs of wall time: that is the scenario under test, not a wait for a result.
  await new Promise((r) => setTimeout(r, cutMs));
  if (fault === 'cut') t.proxy.restore();
  else t.proxy.unstall();
  const restoredAt = Date.now();
  direct.close();

  await reconnecting;
  /** How long the local daemon took to notice the fault: at once for a cut, the heartbeat's bound for a stall. */
  const noticedAfterMs = noticedAt - faultAt;
  const hostBytes = await t.hostLog(s.id);
  await rec.until(() => rec.size >= hostBytes.length);
  const backAfterMs = Date.now() - restoredAt;
  expect(rec.bytes().equals(hostBytes)).toBe(true);
  return { session: s, backAfterMs, noticedAfterMs, rec, local };
}
