/**
 * Live monitor mode, as far as this machine allows. `modprobe` and
 * mac80211_hwsim are not available here (no kernel module tools, no
 * /sys/class/ieee80211), and a veth cannot carry radiotap as its link type,
 * so what runs is: a real tcpdump asked for monitor mode (`-I`) on a veth
 * (names prefixed `wifi`), which must fail with the clear message; and the
 * BPF check that compiles `type mgt` against the radiotap link type of a
 * monitor source and rejects it on Ethernet. The radiotap replay through
 * the same decoders and analyzers is covered by test/wifi-ward.test.ts.
 */
import t from 'tap';
import { PcapLiveSource, validateBpf } from '../src/capture/pcap-live/index.js';
import type { SourceEvents } from '../src/capture/types.js';
import { validateConfig } from '../src/config/index.js';
import { checkSources } from '../src/capture/index.js';
import { vethNamespace } from './support/netns.js';

t.test('BPF: type mgt compiles on a monitor (radiotap) source, not on Ethernet', async (t) => {
  t.equal(await validateBpf('type mgt subtype beacon', { linkType: 127 }), undefined);
  t.match(await validateBpf('type mgt', { linkType: 1 }), /802\.11|not|link/i);
});

t.test('a source configured as monitor on an interface without monitor mode fails with a clear message', async (t) => {
  t.equal(process.getuid?.(), 0, 'root, for ip netns and capture');
  const n = vethNamespace(t, 'wifi', 'wifi');
  const states: string[] = [];
  const events: SourceEvents = { anomaly: () => {}, state: (s, d) => states.push(`${s}: ${d ?? ''}`) };
  const src = new PcapLiveSource({ name: 'mon', iface: n.outside, monitor: true, filter: 'type mgt', backoff: { initialMs: 50, maxMs: 50 } });
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 3000);
  try {
    for await (const _ of src.open(ac.signal, events)) {
      if (states.some((s) => s.startsWith('retrying'))) break;
    }
  } catch {
    // aborted
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  const r = states.find((s) => s.startsWith('retrying')) ?? '';
  t.match(r, new RegExp(`interface "${n.outside}" does not support monitor mode`), r);
});

t.test('the config check compiles a monitor source\'s filter on radiotap', async (t) => {
  const c = validateConfig({ sensor: { id: 's', site: 'a', ward: 'b' }, sources: [{ type: 'pcap-live', name: 'mon', iface: 'wlan1mon', monitor: true, filter: 'type mgt' }] });
  t.same(await checkSources(c.sources), []);
  const e = validateConfig({ sensor: { id: 's', site: 'a', ward: 'b' }, sources: [{ type: 'pcap-live', name: 'eth', iface: 'eth0', filter: 'type mgt' }] });
  t.match((await checkSources(e.sources))[0], /not a valid BPF filter/);
});
