/**
 * Unit tests of the inventory: how frames become devices, the learning
 * period, the bounded table, deltas, snapshots and restore; and the IEEE
 * registry lookups it takes its vendors from.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryAnalyzer, type DeviceRecord, type InventoryOptions } from './index.js';
import { deviceAddresses, deviceAttr, deviceId } from '../../telemetry/device.js';
import { identifierKey, type Identifier } from '../../telemetry/ident.js';
import { BatchSink, type Drained, type PendingMessage } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { OuiRegistry } from '../../identify/oui.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW } from '../../decode/routes.js';
import { arp, ethernet, ipv4, ipv6, rawFrame, sll, sll2, tcp, udp, type Bytes } from '../../../test/builders/frames.js';

const BASE: InventoryOptions = { maxDevices: 1000, learningPeriodS: 0, deltaIntervalS: 0, maxIpsPerDevice: 4 };

/** A hand-written registry in the IEEE CSV layout, one entry per width (and one under a locally administered prefix). */
const REGISTRY: Record<string, string> = {
  'oui.csv': [
    'Registry,Assignment,Organization Name,Organization Address',
    'MA-L,001122,"Ward Devices, Inc.","1 Quay St, Leeds GB"',
    'MA-L,021122,Never Used Because Locally Administered,',
    'MA-L,00D0EF,"Quote ""Q"" Medical",',
    'MA-L,XYZ123,Not Hex,',
    'MA-L,0011,Too Short,',
  ].join('\n'),
  'mam.csv': ['Registry,Assignment,Organization Name,Organization Address', 'MA-M,0011223,Infusion Pumps GmbH,Berlin DE'].join('\r\n'),
  'oui36.csv': ['Registry,Assignment,Organization Name,Organization Address', 'MA-S,001122334,Tiny Monitor Co,'].join('\n'),
};

const tmp = mkdtempSync(join(tmpdir(), 'inventory-test-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const registryPath = mkdtempSync(join(tmp, 'reg-'));
for (const [file, text] of Object.entries(REGISTRY)) writeFileSync(join(registryPath, file), text + '\n');
/** No oui.csv here, so the registry falls back to the oui-data package. */
const emptyPath = mkdtempSync(join(tmp, 'none-'));

/** A registry over the hand-written files (each instance loads them on first lookup). */
function smallRegistry(): OuiRegistry {
  return new OuiRegistry(registryPath);
}

interface FeedOpts {
  t?: number;
  nsec?: number;
  linkType?: number;
  origLen?: number;
  source?: string;
}

function harness(opts: Partial<InventoryOptions> = {}, oui: OuiRegistry = smallRegistry()) {
  const inv = new InventoryAnalyzer({ ...BASE, ...opts }, oui);
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 300, maxPerMinute: 100_000 });
  const sink = new BatchSink(gate);
  const dec = defaultFrameDecoder();
  const feed = (bytes: Bytes, o: FeedOpts = {}): void => {
    const raw = { ...rawFrame(bytes, o.linkType ?? LINKTYPE_ETHERNET, o.origLen ?? bytes.length, o.source ?? 'eth0'), tsSec: o.t ?? 0, tsNsec: o.nsec ?? 0 };
    inv.onFrame(dec.decode(raw), sink);
  };
  const get = (key: string): DeviceRecord | undefined => inv.records().find((r) => deviceId(r) === key);
  const keys = (): string[] => inv.records().map(deviceId).sort();
  return { inv, gate, sink, dec, feed, get, keys };
}

const UDP = udp({ sport: 5000, dport: 5001 }, new Uint8Array(4));
const A = '00:11:22:33:44:55';
const B = '00:11:22:30:00:01';
const C = '00:11:22:40:00:02';
const V4 = (src: string, dst = '10.0.0.254'): Bytes => ipv4({ src, dst, proto: 17 }, UDP);
const V6 = (src: string, dst = '2001:db8::fe'): Bytes => ipv6({ src, dst, next: 17 }, UDP);
const eth4 = (mac: string, ip = '10.0.0.1'): Bytes => ethernet({ src: mac, dst: '00:11:22:00:00:fe', type: 0x0800 }, V4(ip));
const eth6 = (mac: string, ip: string): Bytes => ethernet({ src: mac, dst: '00:11:22:00:00:fe', type: 0x86dd }, V6(ip));
const macAt = (i: number): string => `00:aa:00:${[i >> 16, i >> 8, i].map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':')}`;

function msgs(d: Drained, kind: 'inventory-delta' | 'inventory-snapshot'): PendingMessage[] {
  return d.messages.filter((m) => m.kind === kind);
}

interface DeltaBody {
  devices: DeviceRecord[];
  removed: Identifier[];
}
const removedKeys = (b: DeltaBody | undefined): string[] => (b?.removed ?? []).map(identifierKey);
interface SnapshotBody {
  devices: DeviceRecord[];
  part: number;
  parts: number;
}

t.test('which frames make which devices, with which IPs', async (t) => {
  type Row = [name: string, bytes: Bytes, linkType: number, expected: Record<string, readonly string[]>];
  const rows: Row[] = [
    ['Ethernet IPv4 sender', eth4(A, '10.0.0.1'), LINKTYPE_ETHERNET, { [`mac:${A}`]: ['10.0.0.1'] }],
    ['Ethernet IPv6 sender', eth6(A, '2001:db8::1'), LINKTYPE_ETHERNET, { [`mac:${A}`]: ['2001:db8::1'] }],
    ['SLL sender', sll({ protocol: 0x0800, addr: B }, V4('10.0.0.2')), LINKTYPE_LINUX_SLL, { [`mac:${B}`]: ['10.0.0.2'] }],
    ['SLL2 sender', sll2({ protocol: 0x0800, addr: C }, V4('10.0.0.3')), LINKTYPE_LINUX_SLL2, { [`mac:${C}`]: ['10.0.0.3'] }],
    ['broadcast sender', eth4('ff:ff:ff:ff:ff:ff'), LINKTYPE_ETHERNET, {}],
    ['multicast sender', eth4('01:00:5e:00:00:01'), LINKTYPE_ETHERNET, {}],
    ['all-zero sender', eth4('00:00:00:00:00:00'), LINKTYPE_ETHERNET, {}],
    ['SLL multicast sender', sll({ protocol: 0x0800, addr: '33:33:00:00:00:01' }, V4('10.0.0.2')), LINKTYPE_LINUX_SLL, {}],
    ['SLL2 all-zero sender', sll2({ protocol: 0x0800, addr: '00:00:00:00:00:00' }, V4('10.0.0.2')), LINKTYPE_LINUX_SLL2, {}],
    ['raw IPv4, local', V4('10.0.0.7'), LINKTYPE_RAW, { 'ipv4:10.0.0.7': ['10.0.0.7'] }],
    ['raw IPv6, unique local', V6('fd00::7'), LINKTYPE_RAW, { 'ipv6:fd00::7': ['fd00::7'] }],
    ['raw IPv4, remote: a peer, not a device', V4('192.0.2.7'), LINKTYPE_RAW, {}],
    ['raw IPv6, remote: a peer, not a device', V6('2001:db8::7'), LINKTYPE_RAW, {}],
    ['raw IPv4 from 0.0.0.0', V4('0.0.0.0'), LINKTYPE_RAW, {}],
    ['raw IPv4 from multicast', V4('224.0.0.251'), LINKTYPE_RAW, {}],
    ['raw IPv4 from broadcast', V4('255.255.255.255'), LINKTYPE_RAW, {}],
    ['raw IPv6 from ::', V6('::'), LINKTYPE_RAW, {}],
    ['raw IPv6 from multicast', V6('ff02::1'), LINKTYPE_RAW, {}],
    ['Ethernet DHCP from 0.0.0.0: device, no IP', eth4(A, '0.0.0.0'), LINKTYPE_ETHERNET, { [`mac:${A}`]: [] }],
    ['Ethernet IPv4 multicast source: device, no IP', eth4(A, '239.1.1.1'), LINKTYPE_ETHERNET, { [`mac:${A}`]: [] }],
    ['Ethernet IPv6 from :: (DAD): device, no IP', eth6(A, '::'), LINKTYPE_ETHERNET, { [`mac:${A}`]: [] }],
    [
      'ARP whose sender is the frame sender',
      ethernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, arp({ op: 1, senderMac: A, senderIp: '10.0.0.9', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.1' })),
      LINKTYPE_ETHERNET,
      { [`mac:${A}`]: ['10.0.0.9'] },
    ],
    [
      'ARP whose sender is another MAC (proxy or spoofed)',
      ethernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, arp({ op: 2, senderMac: B, senderIp: '10.0.0.9', targetMac: A, targetIp: '10.0.0.1' })),
      LINKTYPE_ETHERNET,
      { [`mac:${A}`]: [] },
    ],
    [
      'ARP probe from 0.0.0.0',
      ethernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, arp({ op: 1, senderMac: A, senderIp: '0.0.0.0', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.9' })),
      LINKTYPE_ETHERNET,
      { [`mac:${A}`]: [] },
    ],
    [
      'truncated ARP',
      ethernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, arp({ op: 1, senderMac: A, senderIp: '10.0.0.9', targetMac: '00:00:00:00:00:00', targetIp: '10.0.0.1' }).subarray(0, 20)),
      LINKTYPE_ETHERNET,
      { [`mac:${A}`]: [] },
    ],
    ['TCP inside IPv4 inside Ethernet', ethernet({ src: A, dst: B, type: 0x0800 }, ipv4({ src: '10.1.1.1', dst: '10.1.1.2', proto: 6 }, tcp({ sport: 1, dport: 104 }, new Uint8Array(0)))), LINKTYPE_ETHERNET, { [`mac:${A}`]: ['10.1.1.1'] }],
  ];
  for (const [name, bytes, linkType, expected] of rows) {
    const h = harness();
    h.feed(bytes, { linkType });
    const got: Record<string, readonly string[]> = {};
    for (const r of h.inv.records()) got[deviceId(r)] = deviceAddresses(r);
    t.same(got, expected, name);
  }
});

t.test('a frame is counted once, with its length on the wire, and remembers its sources', async (t) => {
  const h = harness();
  h.feed(eth4(A), { t: 100, nsec: 5, source: 'span0' });
  h.feed(eth4(A).subarray(0, 40), { t: 101, nsec: 0, origLen: 1514, source: 'span1' });
  h.feed(eth4(A), { t: 99, nsec: 0, source: 'span0' });
  h.feed(eth4(A), { t: 101, nsec: 7, source: 'span0' });
  const r = h.get(`mac:${A}`);
  t.equal(r?.frames, 4);
  t.equal(r?.bytes, 3 * eth4(A).length + 1514, 'bytes count origLen, not the snapped length');
  t.same(r?.sources, ['span0', 'span1']);
  t.equal(r?.firstSeen, 100, 'first seen is the first frame');
  t.equal(r?.lastSeen, 101, 'an older frame (from a lagging source) does not move last seen back');
  t.equal(h.inv.size, 1);

  const many = harness();
  for (let i = 0; i < 12; i++) many.feed(eth4(A), { source: `s${i}` });
  t.same(many.get(`mac:${A}`)?.sources, ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'], 'at most 8 sources');
});

t.test('max_ips_per_device bounds the IPs of one device', async (t) => {
  const h = harness({ maxIpsPerDevice: 3 });
  const sent = ['10.0.0.1', '10.0.0.1', '10.0.0.2', '2001:db8::1', '10.0.0.3', '2001:db8::2', '10.0.0.4'];
  for (const ip of sent) h.feed(ip.includes(':') ? eth6(A, ip) : eth4(A, ip));
  t.same(deviceAddresses(h.get(`mac:${A}`)!), ['10.0.0.1', '10.0.0.2', '2001:db8::1'], 'the first three distinct, v4 listed before v6');
  t.equal(h.get(`mac:${A}`)?.frames, sent.length, 'frames are still counted');
});

t.test('learning period: new_device only after it, once, with the vendor', async (t) => {
  const h = harness({ learningPeriodS: 60 });
  const alerts = (): string[] => h.sink.drain().alerts.filter((a) => a.input.code === 'inventory.new_device').map((a) => a.input.device);
  h.feed(eth4('00:11:22:00:00:01'), { t: 1000 });
  h.feed(eth4('00:11:22:00:00:02'), { t: 1059 });
  t.same(alerts(), [], 'nothing during learning');
  h.feed(eth4(A), { t: 1060, source: 'ward3' });
  h.feed(eth4(A), { t: 1061 });
  h.feed(eth4('00:11:22:00:00:02'), { t: 1062 });
  const d = h.sink.drain();
  const fresh = d.alerts.filter((a) => a.input.code === 'inventory.new_device');
  t.equal(fresh.length, 1, 'exactly one, for the device first seen after learning');
  t.equal(fresh[0]?.input.device, `mac:${A}`);
  t.same(fresh[0]?.input.facts, { source: 'ward3', vendor: 'Tiny Monitor Co' });
  t.equal(h.sink.counters.get('inventory.devices_new'), 3);

  h.feed(eth4('02:11:22:33:44:55'), { t: 1070 });
  const la = h.sink.drain().alerts[0];
  t.same(la?.input.facts, { source: 'eth0' }, 'a locally administered MAC has no vendor fact');

  // The learning start is stored on a tick and survives a restart.
  h.inv.onTick(1100, h.sink);
  const ops = h.sink.drain().ops;
  const stored = ops.filter((o) => o.type === 'put').map((o) => [o.key, o.value] as const);
  t.same(stored.find(([k]) => k === '!learning_start'), ['!learning_start', 1000]);
  const again = harness({ learningPeriodS: 60 });
  again.inv.restore(stored.filter(([k]) => k === '!learning_start'));
  again.feed(eth4(B), { t: 1030 });
  t.same(again.sink.drain().alerts, [], 'still learning: the restored start counts, not the first frame after restart');
  again.feed(eth4(C), { t: 1065 });
  t.same(again.sink.drain().alerts.map((a) => a.input.device), [`mac:${C}`], 'learning ended 60 s after the restored start');
  again.inv.onTick(1100, again.sink);
  t.notOk(again.sink.drain().ops.some((o) => o.key === '!learning_start'), 'a restored start is not stored again');

  const fresh2 = harness({ learningPeriodS: 60 });
  fresh2.feed(eth4(C), { t: 1065 });
  t.same(fresh2.sink.drain().alerts, [], 'without the restore the same frame would start learning');
});

t.test('a bounded table under a flood of random MACs', async (t) => {
  const h = harness({ maxDevices: 16, maxIpsPerDevice: 2 });
  // A fixed-seed xorshift: the same 10 000 unicast MACs every run.
  let s = 0x9e3779b9;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const seen = new Set<string>();
  const flood: string[] = [];
  while (flood.length < 10_000) {
    const a = rnd();
    const b = rnd();
    const bytes = [(a >>> 24) & 0xfc, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, (b >>> 8) & 0xff, b & 0xff];
    if (bytes.every((x) => x === 0)) continue;
    const mac = bytes.map((x) => x.toString(16).padStart(2, '0')).join(':');
    if (seen.has(mac) || mac === A) continue;
    seen.add(mac);
    flood.push(mac);
  }
  const steady = `mac:${A}`;
  let maxSize = 0;
  let steadyLost = 0;
  const removed = new Set<string>();
  const deleted = new Set<string>();
  let alerts = 0;
  let foldedIn = 0;
  const PER_TICK = 10;
  for (let tick = 0; tick < flood.length / PER_TICK; tick++) {
    const now = 1000 + tick;
    h.feed(eth4(A), { t: now });
    for (let i = 0; i < PER_TICK; i++) {
      h.feed(eth4(flood[tick * PER_TICK + i]!, '10.9.0.1'), { t: now });
      maxSize = Math.max(maxSize, h.inv.size);
    }
    if (h.get(steady) === undefined) steadyLost++;
    h.inv.onTick(now, h.sink);
    const d = h.sink.drain();
    for (const m of msgs(d, 'inventory-delta')) for (const k of removedKeys(m.body as unknown as DeltaBody)) removed.add(k);
    for (const o of d.ops) if (o.type === 'del') deleted.add(o.key);
    for (const a of d.alerts) {
      if (a.input.code !== 'inventory.table_full') continue;
      alerts++;
      foldedIn += a.count;
    }
  }
  t.ok(maxSize <= 16, `size stayed <= 16 (max ${maxSize})`);
  t.equal(h.inv.size, 16);
  t.equal(steadyLost, 0, 'a device that sends every tick is never evicted');
  const evicted = flood.length + 1 - 16;
  t.equal(h.inv.counters.devices_evicted, evicted);
  t.equal(h.sink.counters.get('inventory.devices_evicted'), evicted);
  t.ok(alerts >= 1 && alerts <= 5, `table_full raised, folded by the gate (${alerts} messages for ${evicted} evictions)`);
  t.equal(alerts + h.gate.counters.suppressed, evicted, 'every eviction is an alert or a repeat folded by the gate');
  t.ok(foldedIn > alerts && foldedIn <= evicted, `published counts carry the folded repeats (${foldedIn})`);
  t.equal(removed.size, evicted, 'every evicted key is in some delta');
  t.same([...removed].sort(), [...deleted].sort(), 'and deleted from the store');
  t.notOk(removed.has(steady));
  for (const k of h.keys()) t.notOk(removed.has(k), `${k} is live, so it was not removed`);
});

t.test('eviction takes the least recently seen; deltas carry it', async (t) => {
  const h = harness({ maxDevices: 4 });
  for (let i = 0; i < 4; i++) h.feed(eth4(macAt(i)), { t: 10 + i });
  h.inv.onTick(20, h.sink);
  h.sink.drain();
  // Device 0 is heard again in a later tick, so device 1 is now the least recently seen.
  h.feed(eth4(macAt(0)), { t: 21 });
  h.feed(eth4(macAt(4)), { t: 22 });
  h.feed(eth4(macAt(5)), { t: 22 });
  h.inv.onTick(23, h.sink);
  const d = h.sink.drain();
  const delta = msgs(d, 'inventory-delta').map((m) => m.body as unknown as DeltaBody);
  t.equal(delta.length, 1);
  t.same(removedKeys(delta[0]), [`mac:${macAt(1)}`, `mac:${macAt(2)}`]);
  t.same(delta[0]?.devices.map(deviceId).sort(), [0, 4, 5].map((i) => `mac:${macAt(i)}`).sort());
  t.same(d.ops.filter((o) => o.type === 'del').map((o) => o.key), removedKeys(delta[0]));
  t.same(h.keys(), [0, 3, 4, 5].map((i) => `mac:${macAt(i)}`).sort());
});

t.test('a device evicted and heard again before the delta is not reported removed', async (t) => {
  const h = harness({ maxDevices: 2 });
  h.feed(eth4(macAt(0)), { t: 1 });
  h.feed(eth4(macAt(1)), { t: 1 });
  h.inv.onTick(1, h.sink);
  h.sink.drain();
  h.feed(eth4(macAt(2)), { t: 2 }); // evicts 0
  h.feed(eth4(macAt(0)), { t: 2 }); // evicts 1, 0 is back
  h.inv.onTick(2, h.sink);
  const d = h.sink.drain();
  const delta = msgs(d, 'inventory-delta')[0]?.body as unknown as DeltaBody;
  t.same(removedKeys(delta), [`mac:${macAt(1)}`]);
  t.same(delta.devices.map(deviceId).sort(), [`mac:${macAt(0)}`, `mac:${macAt(2)}`]);
  const last = new Map<string, string>();
  for (const o of d.ops) last.set(o.key, o.type);
  t.equal(last.get(`mac:${macAt(0)}`), 'put', 'the store keeps the device that came back');
  t.equal(last.get(`mac:${macAt(1)}`), 'del');
});

t.test('deltas: only what changed, on the delta interval', async (t) => {
  const h = harness({ deltaIntervalS: 10 });
  h.feed(eth4(A), { t: 100 });
  h.feed(eth4(B), { t: 100 });
  h.inv.onTick(100, h.sink);
  let d = h.sink.drain();
  let deltas = msgs(d, 'inventory-delta');
  t.equal(deltas.length, 1);
  t.same((deltas[0]?.body as unknown as DeltaBody).devices.map(deviceId).sort(), [`mac:${A}`, `mac:${B}`].sort());
  t.same(removedKeys(deltas[0]?.body as unknown as DeltaBody), []);
  const puts = d.ops.filter((o) => o.type === 'put' && o.key !== '!learning_start');
  t.same(puts.map((o) => [o.area, o.key]).sort(), [['devices', `mac:${A}`], ['devices', `mac:${B}`]].sort());
  t.same(puts.find((o) => o.key === `mac:${A}`)?.value, h.get(`mac:${A}`), 'the stored record is the published one');

  h.inv.onTick(105, h.sink);
  t.equal(h.sink.pending, 0, 'nothing changed: nothing published or stored');
  h.feed(eth4(B), { t: 106 });
  h.inv.onTick(107, h.sink);
  t.equal(h.sink.pending, 0, 'a change waits for the interval');
  h.inv.onTick(110, h.sink);
  d = h.sink.drain();
  deltas = msgs(d, 'inventory-delta');
  t.same(deltas.map((m) => (m.body as unknown as DeltaBody).devices.map(deviceId)), [[`mac:${B}`]], 'only the changed device');
  t.same(d.ops.map((o) => o.key), [`mac:${B}`]);
  t.equal((deltas[0]?.body as unknown as DeltaBody).devices[0]?.frames, 2);
  h.inv.onTick(120, h.sink);
  t.equal(h.sink.pending, 0, 'nothing changed since: no empty delta');
});

t.test('snapshot parts', async (t) => {
  const rows: [devices: number, chunk: number | undefined, parts: number][] = [
    [0, 10, 1],
    [1, 10, 1],
    [10, 10, 1],
    [45, 10, 5],
    [250, undefined, 2],
  ];
  for (const [n, chunk, parts] of rows) {
    const h = harness(chunk === undefined ? {} : { snapshotChunk: chunk });
    for (let i = 0; i < n; i++) h.feed(eth4(macAt(i)), { t: i });
    h.inv.snapshot(h.sink);
    const snaps = msgs(h.sink.drain(), 'inventory-snapshot').map((m) => m.body as unknown as SnapshotBody);
    const label = `${n} devices, chunk ${chunk ?? 'default'}`;
    t.same(snaps.map((s) => [s.part, s.parts]), Array.from({ length: parts }, (_, p) => [p, parts]), `${label}: parts 0..${parts - 1}`);
    t.ok(snaps.every((s) => s.devices.length <= (chunk ?? 200)), `${label}: no part over the chunk`);
    t.same(snaps.flatMap((s) => s.devices.map(deviceId)).sort(), h.keys(), `${label}: every device once`);
  }
});

t.test('restore round-trips records()', async (t) => {
  const h = harness({ maxIpsPerDevice: 4 });
  h.feed(eth4(A, '10.0.0.1'), { t: 100, nsec: 1, source: 'a' });
  h.feed(eth6(A, '2001:db8::1'), { t: 200, nsec: 2, source: 'b' });
  h.feed(eth4('02:00:00:00:00:09', '10.0.0.9'), { t: 150, origLen: 9000 });
  h.feed(V4('10.0.0.77'), { t: 160, linkType: LINKTYPE_RAW });
  h.feed(V6('fd00::7'), { t: 170, linkType: LINKTYPE_RAW });
  h.feed(eth4(C, '10.0.0.3'), { t: 50 });
  const before = h.inv.records();
  t.equal(before.length, 5);
  t.equal(deviceAttr(h.get(`mac:${A}`)!, 'vendor'), 'Tiny Monitor Co');
  // Through structuredClone, as a store would hand back a copy.
  const after = harness();
  after.inv.restore(before.map((r) => [deviceId(r), structuredClone(r)] as const));
  t.equal(after.inv.counters.restore_rejected, 0);
  t.same(after.inv.records(), [...before].sort((a, b) => a.lastSeen - b.lastSeen), 'same records, least recently seen first');
  // Restored devices are live: frames add to them instead of creating new ones.
  after.feed(eth4(A, '10.0.0.1'), { t: 300 });
  after.feed(V4('10.0.0.77'), { t: 300, linkType: LINKTYPE_RAW });
  after.feed(V6('fd00::7'), { t: 300, linkType: LINKTYPE_RAW });
  t.equal(after.inv.size, 5);
  t.equal(after.get(`mac:${A}`)?.frames, 3);
  t.equal(after.get('ipv4:10.0.0.77')?.frames, 2);
  t.equal(after.get('ipv6:fd00::7')?.frames, 2);
  t.equal(after.sink.counters.get('inventory.devices_new'), undefined, 'no device was created again');
});

t.test('restore rejects garbage and counts it', async (t) => {
  const good: DeviceRecord = {
    ids: [{ kind: 'mac', value: A }, { kind: 'ipv4', value: '10.0.0.1' }],
    attrs: [{ name: 'vendor', value: 'Tiny Monitor Co', proto: 'oui', field: 'mac', time: 1, confidence: 2, source: 'eth0' }],
    firstSeen: 1, lastSeen: 2, frames: 1, bytes: 60, sources: ['eth0'],
  };
  const key = `mac:${A}`;
  const rows: [name: string, key: string, value: unknown][] = [
    ['null', key, null],
    ['a number', key, 42],
    ['a string', key, 'mac:00:11:22:33:44:55'],
    ['an empty object', key, {}],
    ['frames missing', key, { ...good, frames: undefined }],
    ['ids not an array', key, { ...good, ids: 'mac:00:11:22:33:44:55' }],
    ['no identifier', key, { ...good, ids: [] }],
    ['key differs from the store key', 'mac:00:11:22:33:44:66', good],
    ['unknown identifier kind', key, { ...good, ids: [{ kind: 'dev', value: '1' }] }],
    ['MAC not hex', 'mac:zz:11:22:33:44:55', { ...good, ids: [{ kind: 'mac', value: 'zz:11:22:33:44:55' }] }],
    ['IPv4 octet over 255', 'ipv4:300.1.1.1', { ...good, ids: [{ kind: 'ipv4', value: '300.1.1.1' }] }],
    ['an IP that is not one', key, { ...good, ids: [good.ids[0], { kind: 'ipv6', value: 'not-an-ip' }] }],
    ['times not numbers', key, { ...good, firstSeen: 'a' }],
    ['frames not finite', key, { ...good, frames: Number.NaN }],
    ['an attribute outside the list', key, { ...good, attrs: [{ ...good.attrs[0], name: 'patient' }] }],
    ['an attribute without evidence', key, { ...good, attrs: [{ name: 'vendor', value: 'x' }] }],
    ['a remote address as a device (schema 1 made these)', 'ipv4:192.0.2.7', { ...good, ids: [{ kind: 'ipv4', value: '192.0.2.7' }] }],
  ];
  for (const [name, k, value] of rows) {
    const h = harness();
    h.inv.restore([[k, value]]);
    t.equal(h.inv.counters.restore_rejected, 1, `${name}: rejected`);
    t.equal(h.inv.size, 0, `${name}: nothing restored`);
  }
  const h = harness();
  h.inv.restore([[key, good], ['!learning_start', 5]]);
  t.equal(h.inv.counters.restore_rejected, 0, 'the good record is accepted');
  t.same(h.inv.records(), [good]);
});

t.test('restore keeps the table within max_devices', async (t) => {
  const records: DeviceRecord[] = Array.from({ length: 6 }, (_, i) => ({
    ids: [{ kind: 'mac', value: macAt(i) }], attrs: [], firstSeen: i, lastSeen: 100 - i, frames: 1, bytes: 60, sources: [],
  }));
  const h = harness({ maxDevices: 4 });
  h.inv.restore(records.map((r) => [deviceId(r), r]));
  t.equal(h.inv.size, 4);
  t.same(h.keys(), [0, 1, 2, 3].map((i) => `mac:${macAt(i)}`).sort(), 'the most recently seen are kept');
  t.equal(h.inv.counters.devices_evicted, 2, 'the rest are counted as evicted');
});

t.test('OUI registry: Debian ieee-data, the oui-data fallback, longest prefix, locally administered', async (t) => {
  const debian = new OuiRegistry();
  t.equal(debian.source.origin, 'ieee-data:/usr/share/ieee-data');
  t.ok(debian.source.entries > 30_000, `${debian.source.entries} entries`);
  const fallback = new OuiRegistry(emptyPath);
  t.equal(fallback.source.origin, 'npm:oui-data');
  t.ok(fallback.source.entries > 20_000, `${fallback.source.entries} entries`);

  const mac = (s: string): number => parseInt(s.replaceAll(':', ''), 16);
  // 00:D0:EF is IGT in the IEEE MA-L registry (both sources carry it).
  t.equal(debian.lookup(mac('00:d0:ef:01:02:03')), 'IGT');
  t.equal(fallback.lookup(mac('00:d0:ef:01:02:03')), 'IGT');
  t.equal(fallback.lookup(mac('02:d0:ef:01:02:03')), undefined, 'locally administered: no vendor from the fallback either');

  const small = smallRegistry();
  const rows: [string, string | undefined][] = [
    ['00:11:22:33:44:55', 'Tiny Monitor Co'], // MA-S 001122334 beats MA-M and MA-L
    ['00:11:22:33:4f:ff', 'Tiny Monitor Co'],
    ['00:11:22:33:50:00', 'Infusion Pumps GmbH'], // outside the MA-S block, inside the MA-M one
    ['00:11:22:3f:ff:ff', 'Infusion Pumps GmbH'],
    ['00:11:22:40:00:00', 'Ward Devices, Inc.'], // MA-L only; quoted comma
    ['00:d0:ef:00:00:01', 'Quote "Q" Medical'], // doubled quote
    ['00:11:23:00:00:00', undefined],
    ['02:11:22:33:44:55', undefined], // locally administered, although 021122 is listed
  ];
  for (const [m, vendor] of rows) t.equal(small.lookup(mac(m)), vendor, `${m} -> ${vendor ?? 'none'}`);
  t.equal(small.source.entries, 5, 'rows with a bad assignment are skipped');
  t.equal(small.source.origin, `ieee-data:${registryPath}`);

  const h = harness({}, small);
  h.feed(eth4('02:11:22:33:44:55'));
  h.feed(eth4(B));
  t.equal(deviceAttr(h.get('mac:02:11:22:33:44:55')!, 'vendor'), undefined, 'locally administered MAC: no vendor in the record');
  t.equal(deviceAttr(h.get(`mac:${B}`)!, 'vendor'), 'Infusion Pumps GmbH');
});
