/**
 * The class engine inside the inventory, end to end: frames built with the
 * builders, a test SightingSource that reads `key=value` lines from the UDP
 * payload (standing in for the DHCP, mDNS ... sources of wired-disc and
 * wired-app), the real IEEE registry for the vendor, ticks, the device
 * record with the class and its evidence, inventory.class_changed on a
 * swap, and the facts surviving a restart through a real LevelDB store.
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryAnalyzer, type DeviceRecord, type SightingSource } from './index.js';
import { deviceId } from '../../telemetry/device.js';
import { BatchSink } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { OuiRegistry } from '../../identify/oui.js';
import { ClassEngine } from '../../identify/engine.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { LINKTYPE_ETHERNET } from '../../decode/routes.js';
import type { Layer } from '../../decode/types.js';
import type { UdpView } from '../../decode/udp/index.js';
import { ethernet, ipv4, rawFrame, udp } from '../../../test/builders/frames.js';
import { Confidence } from './identity.js';
import { isDeviceRecord } from './record.js';
import { Store } from '../../store/store.js';
import { MAX_VALUES_PER_FACT_KEY } from './sighting.js';

const PUMP = 'f8:c6:78:00:00:01'; // IEEE registry: "Carefusion"
const WIN10 = '1,3,6,15,31,33,43,44,46,47,119,121,249,252';

/** Reads `key=value` lines from UDP port 6767 payloads; `hostname=` becomes the attribute, the rest facts. */
const lines: SightingSource = {
  name: 'lines',
  layers: ['udp'],
  extract(layer: Layer, _frame, emit) {
    const u = layer as UdpView;
    if (u.dstPort !== 6767) return;
    const text = new TextDecoder().decode(u.bytes.subarray(u.payloadOffset, u.payloadEnd));
    const facts: { key: string; value: string }[] = [];
    for (const l of text.split('\n')) {
      const i = l.indexOf('=');
      if (i <= 0) continue;
      const key = l.slice(0, i);
      const value = l.slice(i + 1);
      if (key === 'hostname') emit({ subject: 'sender', attrs: [['hostname', { value, proto: 'dhcp', field: 'option 12', time: 0, confidence: Confidence.strong, source: 'eth0' }]] });
      else facts.push({ key, value });
    }
    if (facts.length > 0) emit({ subject: 'sender', facts });
  },
};

function harness(engine?: ClassEngine) {
  const inv = new InventoryAnalyzer({ maxDevices: 100, learningPeriodS: 0, deltaIntervalS: 0, maxIpsPerDevice: 4 }, new OuiRegistry(), [lines], engine);
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const dec = defaultFrameDecoder();
  let ts = 1_700_000_000;
  const send = (mac: string, text: string): void => {
    const bytes = ethernet({ src: mac, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0800 }, ipv4({ src: '10.0.0.7', dst: '10.0.0.1', proto: 17 }, udp({ sport: 6768, dport: 6767 }, new TextEncoder().encode(text))));
    inv.onFrame(dec.decode({ ...rawFrame(bytes, LINKTYPE_ETHERNET, bytes.length, 'eth0'), tsSec: ts++, tsNsec: 0 }), sink);
  };
  const tick = (): void => inv.onTick(ts, sink);
  const get = (mac: string): DeviceRecord => inv.records().find((r) => deviceId(r) === `mac:${mac}`)!;
  const attr = (mac: string, name: string) => get(mac).attrs.find((a) => a.name === name);
  const alerts = () => sink.drain().alerts.filter((a) => a.input.code === 'inventory.class_changed');
  return { inv, sink, send, tick, get, attr, alerts };
}

const ALARIS = `dhcp.vendor_class=CareFusion Alaris\ndhcp.prl=1,3,6,12,15,28,42\nhostname=ALARIS-0412`;
const LAPTOP = `dhcp.vendor_class=MSFT 5.0\ndhcp.prl=${WIN10}\nhostname=LAPTOP-7`;

t.test('facts from frames become the class, with the rules as evidence, on the next tick', async (t) => {
  const h = harness();
  h.send(PUMP, ALARIS);
  t.equal(h.attr(PUMP, 'class'), undefined, 'nothing is classified per frame');
  t.equal(h.attr(PUMP, 'vendor')?.value, 'Carefusion', 'the vendor comes from the IEEE registry');
  h.tick();
  const c = h.attr(PUMP, 'class')!;
  t.match(c, { value: 'infusion-pump', proto: 'classify', confidence: 3, source: 'eth0' });
  t.same(c.field.split(','), ['bd.oui', 'bd.alaris.vendor_class', 'bd.alaris.hostname'], 'field: the rules behind the class');
  t.match(h.attr(PUMP, 'model'), { value: 'Alaris', proto: 'classify', field: 'bd.alaris.vendor_class' });
  t.match(h.attr(PUMP, 'os'), undefined, 'no OS rule fired');
  t.same(h.get(PUMP).facts, [{ key: 'dhcp.vendor_class', value: 'CareFusion Alaris' }, { key: 'dhcp.prl', value: '1,3,6,12,15,28,42' }], 'the facts are in the record');
  t.same(h.alerts(), [], 'the first classification raises nothing');
  t.equal(h.sink.counters.get('inventory.classified'), 1);
});

t.test('the engine runs once per tick per changed device, not per frame', async (t) => {
  let calls = 0;
  const engine = new ClassEngine();
  const orig = engine.classify.bind(engine);
  engine.classify = (i) => (calls++, orig(i));
  const h = harness(engine);
  for (let i = 0; i < 50; i++) h.send(PUMP, `dns.query=host${i}.example`);
  h.send('f8:c6:78:00:00:02', ALARIS);
  h.tick();
  t.equal(calls, 2, 'two devices changed: two runs for 51 frames');
  for (let i = 0; i < 20; i++) h.send(PUMP, ALARIS);
  h.tick();
  t.equal(calls, 3, 'facts repeated after the first frame change nothing more');
  h.send(PUMP, 'dns.query=host49.example');
  h.tick();
  h.tick();
  t.equal(calls, 3, 'a known fact and an idle tick run nothing');
  h.send(PUMP, 'dns.query=host0.example');
  h.tick();
  t.equal(calls, 4, 'a fact the per-key cap had pushed out is new again');
  t.equal(h.get(PUMP).facts!.filter((f) => f.key === 'dns.query').length, MAX_VALUES_PER_FACT_KEY, 'a chatty key stays within MAX_VALUES_PER_FACT_KEY');
});

t.test('a strongly classified device that turns into another class raises inventory.class_changed', async (t) => {
  const h = harness();
  h.send(PUMP, ALARIS);
  h.tick();
  h.alerts();
  h.send(PUMP, LAPTOP);
  h.tick();
  const c = h.attr(PUMP, 'class')!;
  t.match(c, { value: 'workstation', proto: 'classify', confidence: 2, field: 'windows.vendor_class' });
  t.match(c.conflict, { value: 'infusion-pump', confidence: 3 }, 'the old class stays visible as the conflict');
  t.match(h.attr(PUMP, 'os'), { value: 'Windows 10/11', field: 'windows.prl.10' });
  const facts = h.get(PUMP).facts!;
  t.same(facts.filter((f) => f.key === 'dhcp.vendor_class'), [{ key: 'dhcp.vendor_class', value: 'MSFT 5.0' }], 'a single-valued fact is replaced, not accumulated');
  const a = h.alerts();
  t.equal(a.length, 1, 'one alert');
  t.match(a[0]!.input, { code: 'inventory.class_changed', device: `mac:${PUMP}`, facts: { from: 'infusion-pump', to: 'workstation', from_rules: 'bd.oui,bd.alaris.vendor_class,bd.alaris.hostname', to_rules: 'windows.vendor_class', confidence: 2 } });
  t.equal(a[0]!.def.severity, 'high');
  h.send(PUMP, LAPTOP);
  h.tick();
  t.same(h.alerts(), [], 'no second alert while the class holds');
});

t.test('a change from a medium classification is not alerted', async (t) => {
  const h = harness();
  const OTHER = '02:00:00:00:00:09'; // locally administered: no vendor
  h.send(OTHER, 'dhcp.vendor_class=Sigma Spectrum');
  h.tick();
  t.match(h.attr(OTHER, 'class'), { value: 'infusion-pump', confidence: 2 });
  h.send(OTHER, LAPTOP);
  h.tick();
  t.equal(h.attr(OTHER, 'class')?.value, 'workstation');
  t.same(h.alerts(), [], 'medium evidence changing is not a swap');
});

t.test('an unknown result never erases a class', async (t) => {
  const h = harness();
  const dev = '02:00:00:00:00:0a';
  h.send(dev, 'lldp.capabilities=bridge,router');
  h.tick();
  t.match(h.attr(dev, 'class'), { value: 'network-infrastructure', proto: 'classify', confidence: 4 });
  const weak = '02:00:00:00:00:0b';
  h.send(weak, 'hostname=Galaxy-S9');
  h.tick();
  t.match(h.attr(weak, 'class'), { value: 'mobile', confidence: 2 });
  h.send(weak, 'dhcp.vendor_class=MSFT 5.0');
  h.tick();
  t.equal(h.attr(weak, 'class')?.value, 'mobile', 'a tie (unknown) never erases a class');
});

t.test('the facts survive a restart through the LevelDB store, so the class can be explained', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'iomt-classify-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const h = harness();
  h.send(PUMP, ALARIS);
  h.tick();
  h.inv.flush(h.sink);
  const ops = h.sink.drain().ops.filter((o) => o.type === 'put' && o.area === 'devices');
  let store = await Store.open(dir);
  await store.batch(ops.map((o) => ({ type: 'put' as const, area: 'devices' as const, key: o.key, value: o.value })));
  await store.close();
  store = await Store.open(dir);
  const back = await store.all('devices');
  await store.close();
  const rec = back.map(([, v]) => v).find((v): v is DeviceRecord => isDeviceRecord(v) && deviceId(v) === `mac:${PUMP}`);
  t.ok(rec, 'the record is read back and passes the record check');
  t.same(rec!.facts, h.get(PUMP).facts);
  const again = harness();
  again.inv.restore(back);
  t.equal(again.inv.counters.restore_rejected, 0);
  const e = new ClassEngine().classify({ vendor: 'Carefusion', hostname: 'ALARIS-0412', facts: again.get(PUMP).facts! });
  t.equal(e.class, 'infusion-pump', 'the restored facts classify the same');
  again.send(PUMP, LAPTOP);
  again.tick();
  t.equal(again.alerts().length, 1, 'a swap after a restart is still seen (the restored class is the engine\'s)');
});

t.test('a record with bad facts is rejected', async (t) => {
  const h = harness();
  h.send(PUMP, ALARIS);
  const good = h.get(PUMP);
  t.ok(isDeviceRecord(good));
  t.notOk(isDeviceRecord({ ...good, facts: [{ key: '', value: 'x' }] }), 'empty key');
  t.notOk(isDeviceRecord({ ...good, facts: [{ key: 'a', value: 'x'.repeat(129) }] }), 'value over 128');
  t.notOk(isDeviceRecord({ ...good, facts: [{ key: 'a', value: 5 }] }), 'not text');
  t.notOk(isDeviceRecord({ ...good, facts: Array.from({ length: 33 }, (_, i) => ({ key: 'k', value: String(i) })) }), 'more than 32');
  t.notOk(isDeviceRecord({ ...good, facts: 'x' }), 'not a list');
});
