/**
 * A network namespace joined to the root namespace by a veth pair, for live
 * capture tests: frames sent on `outside` (tcpreplay) arrive on `inside`,
 * where the capture runs (`ip netns exec <ns> ...`). Removed at teardown.
 */
import { execFileSync } from 'node:child_process';

export interface VethNamespace {
  readonly ns: string;
  /** Stays in the root namespace; send here. */
  readonly outside: string;
  /** Moved into the namespace; capture here. */
  readonly inside: string;
}

/** `ns` names the namespace `iomt-<ns>-<pid>`; the veth ends are `<veth><pid>a` and `<veth><pid>b` (15 characters at most). */
export function vethNamespace(t: { teardown(fn: () => void): void }, ns: string, veth: string): VethNamespace {
  const id = process.pid % 10_000_000;
  const n: VethNamespace = { ns: `iomt-${ns}-${id}`, outside: `${veth}${id}a`, inside: `${veth}${id}b` };
  t.teardown(() => {
    for (const args of [['link', 'del', n.outside], ['netns', 'del', n.ns]]) {
      try {
        execFileSync('ip', args, { stdio: 'ignore' });
      } catch { /* already gone */ }
    }
  });
  execFileSync('ip', ['netns', 'add', n.ns]);
  execFileSync('ip', ['link', 'add', n.outside, 'type', 'veth', 'peer', 'name', n.inside]);
  execFileSync('ip', ['link', 'set', n.inside, 'netns', n.ns]);
  execFileSync('ip', ['link', 'set', n.outside, 'up']);
  execFileSync('ip', ['netns', 'exec', n.ns, 'ip', 'link', 'set', n.inside, 'up']);
  return n;
}
