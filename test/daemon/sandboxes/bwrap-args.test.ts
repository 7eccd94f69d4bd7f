import { describe, expect, it } from 'vitest';
import { bwrapArgs, INSIDE } from '../../../src/daemon/sandboxes/bwrap-args.js';

const plan = { workspace: '/s/ws', runDir: '/s/run', bun: '/n/bun', agent: '/n/agent.js', tmpBytes: 1 << 20, hidden: ['/etc/fbay-keys', '/home/x/state'], setpriv: '/usr/bin/setpriv', resolvConf: null };

describe('bwrapArgs', () => {
  it('unshares every namespace, mounts only the system read-only plus the sandbox\'s own dirs', () => {
    const args = bwrapArgs(plan);
    for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--die-with-parent', '--new-session']) expect(args).toContain(flag);
    const binds = args.flatMap((a, i) => (a === '--bind' ? [`${args[i + 1]}→${args[i + 2]}`] : []));
    expect(binds).toEqual(['/s/run→/run/fbay', '/s/ws→/workspace']);
    expect(args.join(' ')).toContain('--ro-bind /usr /usr');
    expect(args.join(' ')).toContain('--ro-bind /n/bun /opt/fbay/bin/bun');
  });

  it('blanks out a hidden path that sits inside a system directory, and ignores the others', () => {
    const args = bwrapArgs({ ...plan, hidden: ['/etc/hostname', '/home/x/state'] });
    expect(args.join(' ')).toContain('--ro-bind /dev/null /etc/hostname');
    expect(args.join(' ')).not.toContain('/home/x/state');
  });

  it('as root, drops to uid 1000 with no capabilities before the agent runs', () => {
    const args = bwrapArgs(plan);
    const tail = args.slice(args.indexOf('--', args.indexOf('--chdir')) + 1);
    expect(tail).toEqual(['/opt/fbay/setpriv', `--reuid=${INSIDE.uid}`, `--regid=${INSIDE.gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--', INSIDE.bun, INSIDE.agent]);
    expect(bwrapArgs({ ...plan, setpriv: null }).slice(-2)).toEqual([INSIDE.bun, INSIDE.agent]);
  });
});
