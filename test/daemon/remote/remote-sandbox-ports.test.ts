// Finding a remote's sandbox by the host name of its URL: the default remote asked first, what was found kept, a
// name no remote has not asked about again for a while, several connections at once asking once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RemoteSandboxPorts } from '../../../src/daemon/remote/remote-sandbox-ports.js';
import type { RemoteHosts } from '../../../src/daemon/remote/remote-hosts.js';

const ID = 'ses_AbCdEfGhIjKlMnOpQrStUvWx';
const LABEL = 'ses-abcdefghijklmnopqrstuvwx';

function fakeHosts(sessions: Record<string, Array<{ id: string; url: string | null }>>) {
  const asked: string[] = [];
  const hosts = {
    names: () => Object.keys(sessions),
    get: async (remote: string, path: string) => {
      asked.push(`${remote} ${path}`);
      return { sessions: sessions[remote]!.map((s) => ({ ...s, kind: 'sandbox' })) };
    },
  } as unknown as RemoteHosts;
  return { hosts, asked };
}

afterEach(() => void vi.useRealTimers());

describe('RemoteSandboxPorts', () => {
  it('finds the sandbox a label names on a remote (the default asked first), with its secret, and keeps it', async () => {
    const { hosts, asked } = fakeHosts({ lab: [], edge: [{ id: ID, url: `http://${LABEL}.localhost:4100/?fbay_token=s3cret` }] });
    const ports = new RemoteSandboxPorts(hosts, () => 'edge');
    expect(await ports.find(LABEL)).toEqual({ remote: 'edge', id: ID, secret: 's3cret' });
    expect(await ports.find(LABEL)).toMatchObject({ id: ID });
    expect(asked).toEqual(['edge /v1/sessions?kind=sandbox']);
  });

  it('a name no remote has: null, not asked about again for 5 s; connections at once ask once', async () => {
    vi.useFakeTimers();
    const { hosts, asked } = fakeHosts({ lab: [{ id: 'ses_other00000000000000000000', url: null }], edge: [] });
    const ports = new RemoteSandboxPorts(hosts, () => null);
    expect(await Promise.all([ports.find(LABEL), ports.find(LABEL), ports.find(LABEL)])).toEqual([null, null, null]);
    expect(asked).toHaveLength(2);
    vi.advanceTimersByTime(4_000);
    expect(await ports.find(LABEL)).toBeNull();
    expect(asked).toHaveLength(2);
    vi.advanceTimersByTime(1_001);
    expect(await ports.find(LABEL)).toBeNull();
    expect(asked).toHaveLength(4);
  });

  it("gives a remote's URL on this daemon's web port once it listens", () => {
    const ports = new RemoteSandboxPorts(fakeHosts({}).hosts, () => null);
    const theirs = `http://3001-${LABEL}.localhost:4100/?fbay_token=s3cret`;
    expect(ports.localUrl(theirs)).toBe(theirs);
    ports.webPort = 5123;
    expect(ports.localUrl(theirs)).toBe(`http://3001-${LABEL}.localhost:5123/?fbay_token=s3cret`);
  });
});
