/**
 * The BLE analyzer's alerts, the RPA function, payload-shape merging and
 * the sighting source's private-address handling, on built frames.
 */
import t from 'tap';
import { defaultFrameDecoder } from '../../decode/index.js';
import { rawFrame, hex } from '../../../test/builders/frames.js';
import { ad, adFlags, adName, adUuid16, adManufacturer, advPdu, connectInd, dataL2cap, hciAdvReport, nordic } from '../../../test/builders/ble.js';
import type { AlertInput } from '../../alerts/types.js';
import type { Sink } from '../types.js';
import { BleAnalyzer } from './index.js';
import { ah, RpaResolver, splitAddress } from './rpa.js';
import { RandomMerge } from './merge.js';
import { BLE_REFRESH_S, BleSightingSource } from './sighting.js';
import type { Sighting } from '../inventory/sighting.js';

class TestSink implements Sink {
  readonly alerts: AlertInput[] = [];
  readonly counts = new Map<string, number>();
  alert(a: AlertInput): void {
    this.alerts.push(a);
  }
  publish(): void {}
  put(): void {}
  del(): void {}
  count(code: string, n = 1): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + n);
  }
}

const dec = defaultFrameDecoder();
const frame = (bytes: Uint8Array, t: number, lt = 272) => dec.decode({ ...rawFrame(bytes, lt), tsSec: t });
const opts = { maxTracked: 100, maxConnections: 4, floodNewPerMinute: 20, silentAfterS: 60 };
const thermo = new Uint8Array([...adFlags(), ...adUuid16(0x1809), ...adName('Thermo 1')]);

t.test('ah: the Core Spec sample (Vol 3 Part H Appendix D.7)', async (t) => {
  const irk = Uint8Array.from(Buffer.from('ec0234a357c8ad05341010a60a397d9b', 'hex'));
  t.equal(ah(irk, 0x708194), 0x0dfbaa);
  const r = new RpaResolver([{ identity: 'c0:ff:ee:00:00:01', identityType: 0, irk }], 2);
  t.equal(r.resolve('70:81:94:0d:fb:aa')?.identity, 'c0:ff:ee:00:00:01', 'the RPA resolves to its identity');
  t.equal(r.resolve('70:81:94:0d:fb:ab'), undefined, 'one bit off does not');
  t.equal(r.resolve('70:81:94:0d:fb:aa')?.identity, 'c0:ff:ee:00:00:01', 'cached');
  r.resolve('40:00:00:00:00:01');
  t.same([r.resolved, r.unresolved], [1, 2]);
  t.same(splitAddress('70:81:94:0d:fb:aa'), { prand: 0x708194, hash: 0x0dfbaa });
  t.equal(new RpaResolver([]).resolve('70:81:94:0d:fb:aa'), undefined, 'no keys: nothing resolves');
});

t.test('payload-shape merging is capped and aged', async (t) => {
  const m = new RandomMerge(3, 100);
  t.equal(m.representative('4a:00:00:00:00:01', 'S', 0), '4a:00:00:00:00:01');
  t.equal(m.representative('4a:00:00:00:00:02', 'S', 10), '4a:00:00:00:00:01', 'same shape: same device');
  t.equal(m.merged, 1);
  t.equal(m.representative('4a:00:00:00:00:03', 'S', 500), '4a:00:00:00:00:03', 'aged out: a new representative');
  t.equal(m.representative('4a:00:00:00:00:04', '', 500), '4a:00:00:00:00:04', 'no shape: no merge');
  for (let i = 0; i < 10; i++) m.representative(`4b:00:00:00:00:0${i}`, `T${i}`, 600);
  t.ok(m.size <= 3, 'never more shapes than the cap');
  t.ok(m.evicted > 0, 'evictions counted');
});

t.test('sighting source: bad CRC not believed, private addresses merged and ephemeral, IRK resolution', async (t) => {
  const irk = Uint8Array.from(Buffer.from('ec0234a357c8ad05341010a60a397d9b', 'hex'));
  const src = new BleSightingSource({ maxConnections: 4, maxRandom: 16, randomAgeS: 900, resolver: new RpaResolver([{ identity: 'c0:ff:ee:00:00:01', identityType: 0, irk }]) });
  const got: Sighting[] = [];
  const feed = (b: Uint8Array, ts = 1): void => {
    const f = frame(b, ts);
    const l = f.layers.find((x) => x.name === 'btle');
    if (l) src.extract(l, f, (s) => got.push(s));
  };
  feed(nordic({ crcOk: false }, advPdu({ advA: '00:18:31:e4:fe:31', data: thermo })));
  t.equal(got.length, 0, 'a bad-CRC frame says nothing');
  t.equal(src.crcBad, 1);
  const phone = new Uint8Array([...adFlags(0x1a), ...adManufacturer(0x004c, [0x10, 0x05])]);
  feed(nordic({}, advPdu({ advA: '5a:00:00:00:00:01', random: true, data: phone })));
  feed(nordic({}, advPdu({ advA: '5a:00:00:00:00:02', random: true, data: phone })));
  t.same(got.map((s) => s.subject), [{ kind: 'ble', value: '5a:00:00:00:00:01', extra: 2 }, { kind: 'ble', value: '5a:00:00:00:00:01', extra: 2 }], 'two RPAs, one shape: one device');
  t.ok(got.every((s) => s.ephemeral === true), 'ephemeral');
  got.length = 0;
  feed(nordic({}, advPdu({ advA: '70:81:94:0d:fb:aa', random: true, data: thermo })));
  t.same(got[0]?.subject, { kind: 'ble', value: 'c0:ff:ee:00:00:01', extra: 0 }, 'resolved to the identity');
  t.equal(got[0]?.ephemeral, undefined, 'not ephemeral');
  const attrs = Object.fromEntries((got[0]?.attrs ?? []).map(([n, o]) => [n, `${o.value}/${o.field}/${o.confidence}`]));
  t.equal(attrs['class'], 'wearable/service 0x1809/3', 'class from the thermometer service, with evidence');
  t.same(got[0]?.facts?.map((f) => `${f.key}=${f.value}`), ['ble.service=1809', 'ble.name=Thermo 1']);
});

t.test('sighting source: a repeated payload only counts until it changes or BLE_REFRESH_S passes; the memory is capped', async (t) => {
  const src = new BleSightingSource({ maxConnections: 4, maxRandom: 16, randomAgeS: 900, resolver: new RpaResolver([]), maxRecent: 4 });
  const got: Sighting[] = [];
  const feed = (addr: string, data: Uint8Array, ts: number): void => {
    const f = frame(nordic({}, advPdu({ advA: addr, data })), ts);
    src.extract(f.layers.find((x) => x.name === 'btle')!, f, (s) => got.push(s));
  };
  const hasFacts = () => got.map((s) => s.facts !== undefined || s.attrs !== undefined);
  feed('00:18:31:00:00:01', thermo, 100);
  feed('00:18:31:00:00:01', thermo, 101);
  feed('00:18:31:00:00:01', thermo, 100 + BLE_REFRESH_S - 1);
  t.same(hasFacts(), [true, false, false], 'the repeats only count');
  t.same(got.map((s) => (s.subject as { value: string }).value), ['00:18:31:00:00:01', '00:18:31:00:00:01', '00:18:31:00:00:01'], 'each frame still names the device');
  feed('00:18:31:00:00:01', new Uint8Array([...adFlags(), ...adUuid16(0x1809), ...adName('Thermo 2')]), 102);
  t.equal(hasFacts().at(-1), true, 'a changed payload: its facts');
  feed('00:18:31:00:00:01', thermo, 100 + BLE_REFRESH_S);
  t.equal(hasFacts().at(-1), true, 'after BLE_REFRESH_S: the facts again');
  feed('00:18:31:00:00:01', thermo, 50);
  t.equal(hasFacts().at(-1), true, 'time going backwards (another file): the facts again');
  for (let i = 2; i < 10; i++) feed(`00:18:31:00:00:0${i}`, thermo, 200);
  t.equal(src.gauges()['recent'], 4, 'never more than maxRecent');
  t.equal(src.gauges()['recent_evicted'], 6, 'evictions counted');
});

t.test('analyzer: flood, spoof, malformed, silence, weak pairing, cleartext measurement', async (t) => {
  const a = new BleAnalyzer(opts);
  const sink = new TestSink();
  const codes = () => sink.alerts.map((x) => x.code);
  a.onFrame(frame(nordic({}, advPdu({ advA: '00:18:31:00:00:01', data: thermo })), 1000), sink);
  a.onFrame(frame(nordic({ crcOk: false }, advPdu({ advA: '00:18:31:00:00:09', data: thermo })), 1000), sink);
  t.equal(sink.counts.get('ble.crc_bad'), 1, 'bad CRC counted');
  t.same(codes(), []);
  // Spoof: same name, another address, a different payload.
  a.onFrame(frame(nordic({}, advPdu({ advA: '00:18:31:00:00:02', data: new Uint8Array([...adFlags(), ...adName('Thermo 1')]) })), 1001), sink);
  t.same(codes(), ['ble.spoofed_identity']);
  // The same payload from a second address is not a spoof (a twin, or a rotation).
  a.onFrame(frame(nordic({}, advPdu({ advA: '00:18:31:00:00:03', data: thermo })), 1001), sink);
  t.same(codes(), ['ble.spoofed_identity']);
  // Malformed: a structure past the end; oversized legacy data (40 bytes).
  a.onFrame(frame(nordic({}, advPdu({ advA: '00:18:31:00:00:04', data: new Uint8Array([...adFlags(), 0x1f, 0xff, 0x4c, 0]) })), 1002), sink);
  a.onFrame(frame(nordic({}, advPdu({ advA: '00:18:31:00:00:05', data: new Uint8Array([...ad(0xff, new Array(38).fill(1))]) })), 1002), sink);
  t.same(codes().filter((c) => c === 'ble.malformed_advertising').length, 2);
  // Flood: 25 new random addresses in one minute (cap 20): one alert.
  for (let i = 0; i < 25; i++) a.onFrame(frame(nordic({}, advPdu({ advA: `7a:00:00:00:01:${i.toString(16).padStart(2, '0')}`, random: true, data: adFlags() })), 1010), sink);
  t.same(codes().filter((c) => c === 'ble.advertising_flood').length, 1);
  // Silence: the thermometer (medical) unheard for more than 60 s of capture time.
  a.onFrame(frame(nordic({}, advPdu({ advA: '7b:00:00:00:00:01', random: true, data: adFlags() })), 1100), sink);
  a.onTick(0, sink);
  const silent = sink.alerts.filter((x) => x.code === 'ble.medical_silent').map((x) => x.device);
  t.same(silent.sort(), ['ble:00:18:31:00:00:01@0', 'ble:00:18:31:00:00:03@0'], 'the two thermometers, once each');
  a.onTick(0, sink);
  t.equal(sink.alerts.filter((x) => x.code === 'ble.medical_silent').length, 2, 'not raised twice');
  t.ok(a.gauges().tracked <= opts.maxTracked);
});

t.test('analyzer: a followed connection to a medical device', async (t) => {
  const a = new BleAnalyzer(opts);
  const sink = new TestSink();
  const dev = '00:18:31:e4:fe:31';
  const AA = 0x50655a3c;
  const hr = new Uint8Array([...adFlags(), ...adUuid16(0x180d)]);
  let ts = 2000;
  const f = (b: Uint8Array, o: Parameters<typeof nordic>[0] = {}) => a.onFrame(frame(nordic(o, b), ts++), sink);
  f(advPdu({ advA: dev, data: hr }));
  f(connectInd('11:22:33:44:55:66', dev, AA));
  // Characteristic discovery: Read By Type (0x2803) request and its response: value handle 0x0012 is 0x2A37.
  f(dataL2cap(AA, 4, hex('08 0100 ffff 0328')), { id: 6, flags: 0x02 });
  f(dataL2cap(AA, 4, hex('09 07 1100 10 1200 372a')), { id: 6 });
  f(dataL2cap(AA, 4, hex('1b 1200 00 48')), { id: 6 });
  t.same(sink.alerts.map((x) => [x.code, x.facts?.['characteristic']]), [['ble.cleartext_health_data', '0x2a37']], 'the measurement characteristic, never its value');
  t.notMatch(JSON.stringify(sink.alerts), /"48"|72/, 'the heart rate (0x48) is not in the alert');
  // Legacy Just Works pairing.
  f(dataL2cap(AA, 6, hex('01 03 00 01 10 07 07')), { id: 6, flags: 0x02 });
  f(dataL2cap(AA, 6, hex('02 03 00 01 10 07 07')), { id: 6 });
  t.same(sink.alerts.map((x) => x.code), ['ble.cleartext_health_data', 'ble.weak_pairing_medical']);
  t.equal(sink.alerts[1]?.facts?.['method'], 'legacy, Just Works');
  // HCI: a report is read like an LL advertisement.
  a.onFrame(frame(hciAdvReport('c0:00:00:00:00:07', 1, 0, new Uint8Array([...adFlags(), 0x09, 0xff, 0x4c]), -60), ts, 201), sink);
  t.equal(sink.alerts.at(-1)?.code, 'ble.malformed_advertising');
});
