/**
 * Live monitor mode, as far as this machine allows. `modprobe` and
 * mac80211_hwsim are not available here (no kernel module tools, no
 * /sys/class/ieee80211), so no radio is simulated. What runs instead:
 * - a virtual monitor interface: a TAP device whose link type is
 *   ARPHRD_IEEE80211_RADIOTAP (test/support/radiotap-iface.py) in a network
 *   namespace, so libpcap reports radiotap (127) on it as on a `wlan0mon`
 *   made by scripts/wifi-monitor.sh; the generated ward is sent on it with
 *   tcpreplay and captured by a pcap-live source, and the inventory and
 *   alerts must equal the offline replay's;
 * - a real tcpdump asked for monitor mode (`-I`) on a veth, which must fail
 *   with the clear message;
 * - the BPF check that compiles `type mgt` against the radiotap link type of
 *   a monitor source and rejects it on Ethernet.
 * Untested here: `-I` on a real adapter and channel hopping with `iw`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { replayFiles, type ReplaySummary } from '../src/analyze/replay.js';
import { replayConfig } from '../src/analyze/replay-config.js';
import { pcapFile } from '../src/capture/pcap/writer.js';
import type { RawFrame } from '../src/capture/types.js';
import { LINKTYPE_RADIOTAP, wifiFrames } from '../scripts/ward/wifi.js';
import { ROOT, sleep, until } from './support/agent.js';
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

/** What the inventory and alerts say, without the times (live frames carry the capture's clock). */
function digest(s: ReplaySummary): string[] {
  const out = s.devices.map((d) => {
    const attrs = d.attrs.filter((a) => ['vendor', 'class', 'associated', 'security', 'ssid'].includes(a.name)).map((a) => `${a.name}=${String(a.value)}`).sort();
    return `${d.ids.map((i) => `${i.kind}:${i.value}`).sort().join(',')} ${attrs.join(' ')}`;
  });
  out.push(...s.alerts.map((a) => `alert ${a.def.code} ${a.input.device ?? ''}`));
  return out.sort();
}

t.test('a virtual monitor interface: the ward sent with tcpreplay gives the offline inventory', async (t) => {
  t.equal(process.getuid?.(), 0, 'root, for ip netns, /dev/net/tun and capture');
  const id = process.pid % 100_000;
  const ns = `iomt-rtap-${id}`;
  const iface = `rtap${id}`;
  const dir = mkdtempSync(join(tmpdir(), 'wifi-live-'));
  execFileSync('ip', ['netns', 'add', ns]);
  const holder = spawn('ip', ['netns', 'exec', ns, 'python3', join(ROOT, 'test', 'support', 'radiotap-iface.py'), iface], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => {
    holder.kill();
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch { /* gone */ }
    rmSync(dir, { recursive: true, force: true });
  });
  let ready = false;
  holder.stdout.on('data', (b: Buffer) => (ready ||= b.toString().includes('ready')));
  await until('the radiotap interface', () => ready, 10_000);
  execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', iface, 'up']);
  t.match(execFileSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'show', iface]).toString(), /link\/ieee802\.11\/radiotap/, 'a radiotap link, as iw makes a monitor interface');

  const file = join(dir, 'ward.pcap');
  const sent = wifiFrames({ seed: 7 });
  writeFileSync(file, pcapFile(LINKTYPE_RADIOTAP, sent));
  // No -I: the interface is already in monitor mode, as after scripts/wifi-monitor.sh.
  const src = new PcapLiveSource({ name: 'mon', iface, wrap: ['ip', 'netns', 'exec', ns], backoff: { initialMs: 100, maxMs: 100 } });
  const got: RawFrame[] = [];
  const states: string[] = [];
  const ac = new AbortController();
  const loop = (async () => {
    try {
      for await (const batch of src.open(ac.signal, { anomaly: () => {}, state: (s, d) => states.push(`${s}: ${d ?? ''}`) })) {
        for (const f of batch) got.push({ ...f, bytes: f.bytes.slice() });
      }
    } catch { /* aborted */ }
  })();
  await until('tcpdump running', () => states.some((s) => s.startsWith('running')), 15_000);
  await sleep(300);
  execFileSync('ip', ['netns', 'exec', ns, 'tcpreplay', '-q', '--no-flow-stats', '--pps=2000', '-i', iface, file]);
  await until(`${sent.length} frames captured`, () => got.length >= sent.length, 20_000).catch(() => {});
  ac.abort();
  await loop;
  t.equal(got.length, sent.length, `every frame captured (states: ${states.join('; ')})`);
  t.ok(got.every((f) => f.linkType === LINKTYPE_RADIOTAP), 'libpcap reports radiotap (127)');
  t.ok(got.every((f, i) => Buffer.from(f.bytes).equals(Buffer.from(sent[i]!.bytes))), 'byte for byte, in order');

  const live = join(dir, 'live.pcap');
  writeFileSync(live, pcapFile(LINKTYPE_RADIOTAP, got));
  const cfg = replayConfig({ inventory: { learning_period_s: 0 } });
  const offline = digest(await replayFiles({ files: [file], config: cfg }));
  const captured = digest(await replayFiles({ files: [live], config: cfg }));
  t.ok(offline.filter((l) => l.startsWith('alert wifi.')).length >= 2, 'the offline replay raises the injected attacks');
  t.ok(offline.length > 10, `the ward's devices (${offline.length} lines)`);
  t.same(captured, offline, 'live inventory and alerts equal the offline replay');
});
