/**
 * The sighting seam (sighting.ts): sources named by layer feed attributes,
 * facts and non-address identifiers into the one inventory, under its caps.
 */
import t from 'tap';
import { macNumber } from './table.js';
import { InventoryAnalyzer, type DeviceRecord, type Sighting, type SightingSource } from './index.js';
import { deviceAttr, deviceId } from '../../telemetry/device.js';
import { identifierKey, type Identifier } from '../../telemetry/ident.js';
import { BatchSink } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { OuiRegistry } from '../../identify/oui.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { LINKTYPE_ETHERNET } from '../../decode/routes.js';
import type { Layer } from '../../decode/types.js';
import type { UdpView } from '../../decode/udp/index.js';
import { ethernet, ipv4, rawFrame, udp } from '../../../test/builders/frames.js';
import { MAX_FACTS_PER_DEVICE, MAX_OTHER_IDS, MAX_VALUES_PER_FACT_KEY } from './sighting.js';
import { fromRecord, toRecord } from './convert.js';
import { SiteNetworks } from './sites.js';

const A = '00:11:22:33:44:55';

/** A source on UDP that says what the test's `plan` tells it to, keyed by destination port. */
function harness(plan: (port: number) => Sighting[], opts: { maxDevices?: number; maxEphemeral?: number; learningPeriodS?: number } = {}) {
  const src: SightingSource = {
    name: 'test',
    layers: ['udp'],
    extract(layer: Layer, _frame, emit) {
      for (const s of plan((layer as UdpView).dstPort)) emit(s);
    },
  };
  const inv = new InventoryAnalyzer(
    { maxDevices: opts.maxDevices ?? 100, learningPeriodS: opts.learningPeriodS ?? 0, deltaIntervalS: 0, maxIpsPerDevice: 4, maxEphemeral: opts.maxEphemeral ?? 10 },
    new OuiRegistry('/nonexistent'),
    [src],
  );
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 });
  const sink = new BatchSink(gate);
  const dec = defaultFrameDecoder();
  const feed = (port: number, mac = A, t = 0): void => {
    const bytes = ethernet({ src: mac, dst: '00:11:22:00:00:fe', type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 1, dport: port }, new Uint8Array(2))));
    inv.onFrame(dec.decode({ ...rawFrame(bytes, LINKTYPE_ETHERNET, bytes.length, 'eth0'), tsSec: t, tsNsec: 0 }), sink);
  };
  const get = (key: string): DeviceRecord | undefined => inv.records().find((r) => deviceId(r) === key);
  return { inv, sink, feed, get };
}

const obs = (value: string, confidence = 3) => ({ value, proto: 'dhcp', field: 'hostname', time: 0, confidence, source: 'eth0' });
const ble = (v: string): Identifier => ({ kind: 'ble', value: v, extra: 2 });

t.test('a sender sighting adds attributes and facts to the wired device', async (t) => {
  const h = harness(() => [{ subject: 'sender', attrs: [['hostname', obs('pump-7')]], facts: [{ key: 'dhcp.prl', value: '1,3,6' }] }]);
  h.feed(67);
  h.feed(67);
  const d = h.get(`mac:${A}`);
  t.equal(d && deviceAttr(d, 'hostname'), 'pump-7');
  t.same(h.inv.records().length, 1, 'no device is made for the sighting itself');
});

t.test('a named subject is created once, counted, alerted, and carries its other identifiers', async (t) => {
  const bssid: Identifier = { kind: 'bssid', value: '00:11:22:aa:bb:cc' };
  const h = harness((port) => (port === 1 ? [{ subject: bssid, also: [{ kind: 'mac', value: '00:11:22:aa:bb:cc' }, { kind: 'ipv4', value: '10.9.9.9' }] }] : []));
  h.feed(1);
  h.feed(1);
  const d = h.get(identifierKey(bssid));
  t.ok(d, 'the access point is a device');
  t.same(d?.ids.map(identifierKey), ['bssid:00:11:22:aa:bb:cc', 'mac:00:11:22:aa:bb:cc'], 'the MAC joins it, an IP never comes from a sighting');
  t.equal(d?.frames, 2, 'a named subject counts the frame too (Sighting.counts)');
  const alerts = h.sink.drain().alerts.filter((a) => a.def.code === 'inventory.new_device').map((a) => a.input.device);
  t.same(alerts.sort(), [identifierKey(bssid), `mac:${A}`].sort());
  // A wired frame from the AP's MAC now finds the AP, not a new device.
  h.feed(2, '00:11:22:aa:bb:cc');
  t.equal(h.inv.records().length, 2);
  t.equal(h.get(identifierKey(bssid))?.frames, 3);
});

t.test('ephemeral subjects live in their own capped pool and are never alerted', async (t) => {
  let n = 0;
  const h = harness(() => [{ subject: ble(`7a:00:00:00:00:${(n++ % 256).toString(16).padStart(2, '0')}`), ephemeral: true }], { maxEphemeral: 5 });
  for (let i = 0; i < 50; i++) h.feed(9);
  t.equal(h.inv.records().length, 1 + 5, 'the wired sender and the five newest private addresses');
  t.same(h.inv.gauges(), { devices: 6, ephemeral: 5 });
  t.equal(h.inv.counters.ephemeral_new, 50);
  t.equal(h.inv.counters.ephemeral_evicted, 45);
  t.equal(h.sink.drain().alerts.filter((a) => a.def.code === 'inventory.new_device').length, 1, 'only the wired sender');
});

t.test('other identifiers are capped, and one moves to the device that shows it last', async (t) => {
  const ids = Array.from({ length: MAX_OTHER_IDS + 3 }, (_, i): Identifier => ({ kind: 'ieee802154Short', value: `0x00${i.toString(16).padStart(2, '0')}`, extra: 1 }));
  const x: Identifier = { kind: 'ieee802154', value: '0011223344556677' };
  const y: Identifier = { kind: 'ieee802154', value: '0011223344556688' };
  const h = harness((port) => (port === 1 ? [{ subject: x, also: ids }] : [{ subject: y, also: [ids[0]!] }]));
  h.feed(1);
  t.equal(h.get(identifierKey(x))?.ids.length, 1 + MAX_OTHER_IDS);
  h.feed(2);
  t.notOk(h.get(identifierKey(x))?.ids.some((i) => identifierKey(i) === identifierKey(ids[0]!)), 'moved away');
  t.ok(h.get(identifierKey(y))?.ids.some((i) => identifierKey(i) === identifierKey(ids[0]!)), 'moved here');
  t.equal(h.sink.counters.get('inventory.identifier_moved'), 1);
});

/** The working device's facts (internal: read through the table). */
function factsOf(h: ReturnType<typeof harness>, id = `mac:${A}`): { key: string; value: string }[] {
  const inv = h.inv as unknown as { table: { devices: Map<string, { facts: { key: string; value: string }[] }> } };
  return inv.table.devices.get(id)!.facts;
}

t.test('facts are bounded per key and per device, cut to length, and evictions are counted', async (t) => {
  let n = 0;
  const h = harness(() => [{ subject: 'sender', facts: [{ key: 'http.user_agent', value: `${n++}`.padEnd(500, 'x') }] }]);
  for (let i = 0; i < MAX_VALUES_PER_FACT_KEY + 10; i++) h.feed(80);
  const facts = factsOf(h);
  t.equal(facts.length, MAX_VALUES_PER_FACT_KEY, 'one key keeps its cap of values');
  t.ok(facts.every((f) => f.value.length === 128));
  t.ok(facts[0]!.value.startsWith('10x'), 'the oldest went first');
  t.equal(h.sink.counters.get('inventory.facts_evicted'), 10);

  let k = 0;
  const many = harness(() => [{ subject: 'sender', facts: [{ key: `k${k % 40}.x`, value: `${k++}` }] }]);
  for (let i = 0; i < 40; i++) many.feed(80);
  t.equal(factsOf(many).length, MAX_FACTS_PER_DEVICE, 'the device keeps its cap of facts');
  t.equal(factsOf(many)[0]!.key, 'k8.x', 'with one value per key, the oldest fact went first');
});

t.test('a chatty key gives way before a device\'s fingerprint does', async (t) => {
  let q = 0;
  const h = harness((port) =>
    port === 67
      ? [{ subject: 'sender', facts: [{ key: 'dhcp.prl', value: '1,3,6' }, { key: 'nbns.name', value: 'WS01<00>' }] }]
      : [{ subject: 'sender', facts: [{ key: 'dns.query', value: `q${q++}.example` }, { key: `port.server`, value: String(q) }] }],
  );
  h.feed(67);
  for (let i = 0; i < 100; i++) h.feed(53);
  const facts = factsOf(h);
  t.ok(facts.some((f) => f.key === 'dhcp.prl'), 'dhcp.prl kept');
  t.ok(facts.some((f) => f.key === 'nbns.name'), 'nbns.name kept');
  t.equal(facts.filter((f) => f.key === 'dns.query').length, MAX_VALUES_PER_FACT_KEY);
  t.equal(facts.filter((f) => f.key === 'dns.query').at(-1)!.value, 'q99.example', 'the newest query is there');
});

t.test('other identifiers survive the store round trip', async (t) => {
  const h = harness(() => [{ subject: ble('c0:00:00:00:00:01'), also: [{ kind: 'mac', value: '00:11:22:00:00:09' }] }]);
  h.feed(5);
  const r = h.get('ble:c0:00:00:00:00:01@2')!;
  const back = fromRecord(r, new SiteNetworks(undefined));
  t.ok(back);
  t.same(toRecord(back!).ids, r.ids);
});

t.test('a sighting with no device to apply to is counted', async (t) => {
  const h = harness(() => [{ subject: { kind: 'ipv4', value: '10.1.1.1' }, attrs: [['hostname', obs('x')]] }]);
  h.feed(5);
  t.equal(h.sink.counters.get('inventory.sightings_unattributed'), 1);
});

t.test('macNumber reads a MAC identifier as parseInt always did, quickly for the canonical form', async (t) => {
  const slow = (s: string): number => parseInt(s.replaceAll(':', ''), 16);
  for (const s of ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff', '02:aa:bb:cc:dd:01', 'F4:BD:9E:0D:28:14', 'f4:bd:9e:0d:28:1x', 'f4-bd-9e-0d-28-14', 'zz:bd:9e:0d:28:14', '00:11:22:33:44', '0011.2233.4455']) {
    t.same(macNumber(s), slow(s), s);
  }
  t.equal(macNumber('00:3a:98:20:00:01'), 0x003a98200001);
});
