/**
 * The vulns analyzer: deltas only for devices whose result changed (an
 * identity change, a feed change), a ranking that is explained and stable,
 * the store kept in step, and passive indicators raising their alerts and
 * attaching their CVEs.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsafValidator, readFeedDir, type Feed } from '../../identify/advisories/index.js';
import { VulnsAnalyzer, type InventoryFeedback } from './index.js';
import { BatchSink } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import type { DeviceRecord } from '../inventory/record.js';
import type { Identifier } from '../../telemetry/ident.js';
import type { VulnsDeltaBody, VulnsRankingBody } from '../../telemetry/kinds.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { concat, ethernet, ipv4, rawFrame, tcp, udp } from '../../../test/builders/frames.js';
import { csafDir, csafFiles, deviceWith } from '../../../test/support/feeds.js';
import { dnsCompressionAbuse } from './indicators.js';

const validator = new CsafValidator();

class FakeInventory implements InventoryFeedback {
  private listener: ((c: readonly DeviceRecord[], r: readonly Identifier[]) => void) | undefined;
  constructor(public list: DeviceRecord[]) {}
  records(): DeviceRecord[] {
    return this.list;
  }
  watch(l: (c: readonly DeviceRecord[], r: readonly Identifier[]) => void): void {
    this.listener = l;
  }
  delta(changed: DeviceRecord[], removed: Identifier[] = []): void {
    this.listener?.(changed, removed);
  }
}

const pump = (fw: string) => deviceWith('00:00:5e:00:53:01', [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', fw], ['class', 'infusion-pump', 'classes', 'rules']]);
const monitor = deviceWith('00:00:5e:00:53:02', [['vendor', 'Philips'], ['model', 'IntelliVue MX450'], ['software', 'M.00'], ['class', 'patient-monitor', 'classes', 'rules']], { peers: [{ kind: 'ipv4', value: '52.1.2.3' }] });
const printer = deviceWith('00:00:5e:00:53:03', [['vendor', 'Zebra Technologies'], ['model', 'ZD421']]);
const carelink = deviceWith('00:00:5e:00:53:04', [['vendor', 'Medtronic'], ['model', 'MyCareLink 24950']]);

function harness(feed: Feed, devices: DeviceRecord[]) {
  const inv = new FakeInventory(devices);
  const a = new VulnsAnalyzer({ maxDevices: 100, rankingSize: 10, maxMatchesPerDevice: 8 }, inv);
  a.setFeed(feed);
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const tick = () => {
    a.onTick(0, sink);
    return sink.drain();
  };
  return { a, inv, sink, tick };
}

const deltas = (d: ReturnType<ReturnType<typeof harness>['tick']>): VulnsDeltaBody[] => d.messages.filter((m) => m.kind === 'vulns-delta').map((m) => m.body as VulnsDeltaBody);
const ranking = (d: ReturnType<ReturnType<typeof harness>['tick']>): VulnsRankingBody | undefined => d.messages.find((m) => m.kind === 'vulns-ranking')?.body as VulnsRankingBody | undefined;

t.test('first tick: every matching device, ranked and explained; then nothing until something changes', async (t) => {
  t.ok(csafFiles().length > 0);
  const feed = await readFeedDir(csafDir(), validator);
  const h = harness(feed, [pump('012U000061'), monitor, printer, carelink]);
  const first = h.tick();
  const d = deltas(first);
  t.equal(d.length, 1);
  t.same(d[0]!.devices.map((x) => x.device), ['mac:00:00:5e:00:53:01', 'mac:00:00:5e:00:53:02', 'mac:00:00:5e:00:53:04'], 'the printer matches nothing');
  t.same(d[0]!.cleared, []);
  t.equal(d[0]!.feed, feed.digest);
  const p = d[0]!.devices[0]!;
  t.same(p.factors.map((f) => [f.name, f.weight]), [['severity', 50], ['exposure', 25], ['criticality', 25]], 'every factor and weight is in the output');
  t.equal(p.score, p.factors.reduce((s, f) => s + f.points, 0), 'the score is the sum of its factors');
  t.match(p.factors[0]!.detail, /^CVSS 9\.0 CVE-2021-3388\d \(ICSMA-21-294-01, range match\)$/);
  t.equal(p.factors[2]!.detail, 'class infusion-pump');
  t.equal(p.matches[0]!.remediation, 'vendor_fix');
  t.same(first.ops.filter((o) => o.type === 'put').map((o) => o.key).sort(), d[0]!.devices.map((x) => x.device), 'each result is stored');
  const r = ranking(first)!;
  t.same(r.entries.map((e) => [e.rank, e.device]), [[1, 'mac:00:00:5e:00:53:01'], [2, 'mac:00:00:5e:00:53:02'], [3, 'mac:00:00:5e:00:53:04']]);
  t.match(r.entries[0]!.reasons, [/^severity \d+\/50: /, /^exposure \d+\/25: /, /^criticality 25\/25: class infusion-pump$/, /^ICSMA-21-294-01 /]);
  t.match(r.entries[0]!.remediation, /^vendor_fix: B\. Braun has released software updates/);
  t.same(deltas(h.tick()), [], 'nothing changed, nothing published');
  // Stable: a second analyzer over the same inputs ranks alike.
  const again = harness(feed, [carelink, printer, monitor, pump('012U000061')]);
  t.same(ranking(again.tick())!.entries, r.entries, 'the ranking does not depend on input order');
});

t.test('an identity change re-correlates that device only; activity alone does not', async (t) => {
  const feed = await readFeedDir(csafDir(), validator);
  const h = harness(feed, [pump('012U000061'), monitor]);
  h.tick();
  h.inv.delta([{ ...monitor, frames: 999, lastSeen: monitor.lastSeen + 50 }]);
  t.same(deltas(h.tick()), [], 'more frames is no identity change');
  h.inv.delta([pump('012U000093')]);
  const d = deltas(h.tick());
  t.same(d.map((x) => [x.devices.map((y) => y.device), x.cleared]), [[[], ['mac:00:00:5e:00:53:01']]], 'the patched pump is cleared, the monitor untouched');
  h.inv.delta([], [{ kind: 'mac', value: '00:00:5e:00:53:02' }]);
  t.same(deltas(h.tick()).map((x) => x.cleared), [['mac:00:00:5e:00:53:02']], 'a device gone from the inventory is cleared');
});

t.test('a feed change publishes only the devices it changes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vulns-feed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of csafFiles().filter((f) => f !== 'icsma-18-219-01.json')) copyFileSync(join(csafDir(), f), join(dir, f));
  const h = harness(await readFeedDir(dir, validator), [pump('012U000061'), monitor, carelink]);
  t.same(deltas(h.tick())[0]!.devices.map((x) => x.device), ['mac:00:00:5e:00:53:01', 'mac:00:00:5e:00:53:02'], 'no MyCareLink advisory yet');
  copyFileSync(join(csafDir(), 'icsma-18-219-01.json'), join(dir, 'icsma-18-219-01.json'));
  const kev = { catalogVersion: '2026.11.30', dateReleased: '2026-11-30T00:00:00Z', count: 1, vulnerabilities: [{ cveID: 'CVE-2021-33885', dateAdded: '2026-11-30', knownRansomwareCampaignUse: 'Unknown' }] };
  writeFileSync(join(dir, 'kev.json'), JSON.stringify(kev));
  h.a.setFeed(await readFeedDir(dir, validator));
  const d = deltas(h.tick());
  t.same(d.flatMap((x) => x.devices.map((y) => y.device)), ['mac:00:00:5e:00:53:01', 'mac:00:00:5e:00:53:04'], 'the MyCareLink is new, the pump is in KEV now; the monitor is unchanged');
  t.match(d[0]!.devices[0]!.factors[0]!.detail, /; in KEV: CVE-2021-33885$/);
});

t.test('restored results: unchanged devices are not republished after a restart; stale ones are cleared', async (t) => {
  const feed = await readFeedDir(csafDir(), validator);
  const h = harness(feed, [pump('012U000061'), monitor]);
  const stored = h.tick().ops.filter((o) => o.type === 'put').map((o) => [o.key, o.value] as const);
  const h2 = harness(feed, [pump('012U000061')]);
  h2.a.restore([...stored, ['junk', { nope: 1 }]]);
  t.equal(h2.a.counters.restore_rejected, 1);
  const d = deltas(h2.tick());
  t.same(d.map((x) => [x.devices.length, x.cleared]), [[0, ['mac:00:00:5e:00:53:02']]]);
});

t.test('passive indicators raise their alerts and attach their CVEs', async (t) => {
  const feed = await readFeedDir(csafDir(), validator);
  const h = harness(feed, []);
  const dec = defaultFrameDecoder();
  const frame = (b: Uint8Array) => dec.decode({ ...rawFrame(b), tsSec: 1_767_600_000 });
  const eth = (src: string, dst: string, ip: Uint8Array) => ethernet({ src, dst, type: 0x0800 }, ip);
  // Contec CMS8000 → 202.114.4.119 (ICSMA-25-030-01).
  h.a.onFrame(frame(eth('00:00:5e:00:53:10', '00:00:5e:00:53:fe', ipv4({ src: '10.1.0.10', dst: '202.114.4.119', proto: 17 }, udp({ sport: 5000, dport: 515 }, new Uint8Array(4))))), h.sink);
  // URG with urgent pointer 0 towards a device.
  h.a.onFrame(frame(eth('00:00:5e:00:53:fe', '00:00:5e:00:53:11', ipv4({ src: '10.1.0.99', dst: '10.1.0.11', proto: 6 }, tcp({ sport: 4444, dport: 80, flags: 0x30 }, new Uint8Array(1))))), h.sink);
  // Two loose source routes (RFC 791 option 0x83, length 7), then end of options.
  const lsrr = new Uint8Array([0x83, 7, 4, 10, 1, 0, 1, 0x83, 7, 4, 10, 1, 0, 2, 0, 0]);
  h.a.onFrame(frame(eth('00:00:5e:00:53:fe', '00:00:5e:00:53:12', ipv4({ src: '10.1.0.99', dst: '10.1.0.12', proto: 17, options: lsrr }, udp({ sport: 1, dport: 2 }, new Uint8Array(0))))), h.sink);
  // A DNS response whose question name points at itself (offset 12).
  const dns = concat(new Uint8Array([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]), new Uint8Array([0xc0, 12, 0, 1, 0, 1]));
  h.a.onFrame(frame(eth('00:00:5e:00:53:fe', '00:00:5e:00:53:13', ipv4({ src: '10.1.0.53', dst: '10.1.0.13', proto: 17 }, udp({ sport: 53, dport: 3333 }, dns)))), h.sink);
  // A fragmented IP-in-IP packet.
  h.a.onFrame(frame(eth('00:00:5e:00:53:fe', '00:00:5e:00:53:14', ipv4({ src: '10.1.0.99', dst: '10.1.0.14', proto: 4, flags: 1 }, new Uint8Array(24)))), h.sink);
  // Ordinary traffic raises nothing.
  h.a.onFrame(frame(eth('00:00:5e:00:53:fe', '00:00:5e:00:53:15', ipv4({ src: '10.1.0.99', dst: '10.1.0.15', proto: 6 }, tcp({ sport: 4444, dport: 80 }, new Uint8Array(1))))), h.sink);
  const out = h.tick();
  t.same(out.alerts.map((a) => [a.def.code, a.input.device]), [
    ['vulns.contec_cms8000_backdoor', 'mac:00:00:5e:00:53:10'],
    ['vulns.urgent11_tcp_urgent_pointer', 'mac:00:00:5e:00:53:11'],
    ['vulns.urgent11_ip_options', 'mac:00:00:5e:00:53:12'],
    ['vulns.namewreck_dns_compression', 'mac:00:00:5e:00:53:13'],
    ['vulns.ripple20_ip_tunnel_fragment', 'mac:00:00:5e:00:53:14'],
  ]);
  t.equal(out.alerts[0]!.input.facts?.cves, 'CVE-2025-0626,CVE-2025-0683');
  const d = deltas(out)[0]!;
  t.same(d.devices.map((x) => [x.device, x.matches.map((m) => m.indicator)]), [
    ['mac:00:00:5e:00:53:10', ['vulns.contec_cms8000_backdoor']],
    ['mac:00:00:5e:00:53:11', ['vulns.urgent11_tcp_urgent_pointer']],
    ['mac:00:00:5e:00:53:12', ['vulns.urgent11_ip_options']],
    ['mac:00:00:5e:00:53:13', ['vulns.namewreck_dns_compression']],
    ['mac:00:00:5e:00:53:14', ['vulns.ripple20_ip_tunnel_fragment']],
  ]);
  t.same(d.devices[0]!.matches[0]!.cves, ['CVE-2025-0626', 'CVE-2025-0683']);
  t.match(d.devices[0]!.factors[0]!.detail, /^passive indicator for CVE-2025-0626/);
});

t.test('DNS compression: pointers back are fine, forward and reserved labels are not', async (t) => {
  const hdr = new Uint8Array([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]);
  const ok = concat(hdr, new Uint8Array([3, 0x77, 0x77, 0x77, 0, 0, 1, 0, 1]));
  t.equal(dnsCompressionAbuse(ok, 0, ok.length), undefined);
  const fwd = concat(hdr, new Uint8Array([0xc0, 40, 0, 1, 0, 1]));
  t.equal(dnsCompressionAbuse(fwd, 0, fwd.length), 'pointer at 12 to 40, not before its own name');
  const loop = concat(hdr, new Uint8Array([1, 0x61, 0xc0, 12, 0, 1, 0, 1]));
  t.equal(dnsCompressionAbuse(loop, 0, loop.length), 'pointer at 14 to 12, not before its own name', 'a loop back into its own name');
  const header = concat(hdr, new Uint8Array([0xc0, 2, 0, 1, 0, 1]));
  t.equal(dnsCompressionAbuse(header, 0, header.length), 'pointer at 12 into the header (2)');
  // Two questions, the second pointing back at the first: what compression is for.
  const two = concat(new Uint8Array([0, 1, 0x81, 0x80, 0, 2, 0, 0, 0, 0, 0, 0]), new Uint8Array([1, 0x61, 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1]));
  t.equal(dnsCompressionAbuse(two, 0, two.length), undefined);
  const reserved = concat(hdr, new Uint8Array([0x40, 0, 1, 0, 1]));
  t.equal(dnsCompressionAbuse(reserved, 0, reserved.length), 'reserved label type 0x40 at 12');
  t.equal(dnsCompressionAbuse(hdr.subarray(0, 11), 0, 11), undefined, 'shorter than a header: nothing to judge');
});
