import t from 'tap';
import { Encoder } from 'cbor-x';
import { decodeTelemetry, toJson, timeToIso } from './index.js';
import {
  encodeAlert, encodeHealth, encodeInventoryDelta, encodeInventorySnapshot, encodeStatus, encodeMessage,
  envelopeMap, messageFactory, outboxItem, telemetryCbor, timeFromMs, timeFromNs,
} from './envelope.js';
import { KINDS, Kind, kindByName, type AlertBody, type InventoryDevice, type KindBodies } from './kinds.js';
import { TelemetryShapeError } from './record-codec.js';

const head = { sensor: 's1', seq: 42, time: [1_700_000_000, 123_456_789] as const };
const dev: InventoryDevice = {
  ids: [{ kind: 'mac', value: 'aa:bb:cc:dd:ee:ff' }, { kind: 'ipv4', value: '10.0.0.5' }, { kind: 'ipv6', value: 'fe80::1' }, { kind: 'ble', value: 'c0:01:02:03:04:05', extra: 1 }],
  attrs: [
    { name: 'vendor', value: 'Philips', proto: 'oui', field: 'mac', time: 1_699_999_000, confidence: 2, source: 'eth0' },
    { name: 'class', value: 'patient-monitor', proto: 'dhcp', field: 'option 60', time: 1_699_999_900, confidence: 3, source: 'eth0',
      conflict: { value: 'workstation', proto: 'http', field: 'user-agent', time: 1_699_999_800, confidence: 1, source: 'eth1' } },
  ],
  firstSeen: 1_600_000_000, lastSeen: 1_700_000_001, frames: 2 ** 40, bytes: 5, sources: ['eth0', 'eth1'],
  peers: [{ kind: 'ipv4', value: '192.0.2.1' }, { kind: 'ieee802154Short', value: '0x1234', extra: 0xabcd }],
};
const alert: AlertBody = {
  code: 'ble.spoofing', severity: 2, device: 'mac:aa:bb:cc:dd:ee:ff', time: [5, 6], title: 'Spoofed advertiser',
  facts: { rssi: -40, ok: true, name: 'x' }, count: 1,
};

const cases: Array<[string, Uint8Array, keyof KindBodies, unknown]> = [
  ['status', encodeStatus(head, { state: 'starting', version: '1', uptimeSec: 0, configHash: 'h', sources: [{ name: 'eth0', state: 'running', detail: 'ok' }] }), 'status', undefined],
  ['health', encodeHealth(head, { counters: { a: 1 }, outboxDepth: 1, outboxDropped: 2, rssBytes: 3, sources: [] }), 'health', undefined],
  ['delta', encodeInventoryDelta(head, { devices: [dev], removed: [{ kind: 'ipv4', value: '10.0.0.1' }], removedUnlisted: 3 }), 'inventory-delta', undefined],
  ['snapshot', encodeInventorySnapshot(head, { devices: [], part: 1, parts: 2 }), 'inventory-snapshot', undefined],
  ['alert', encodeAlert(head, alert), 'alert', alert],
];

t.test('every kind round-trips through encode and decodeTelemetry', async (t) => {
  for (const [name, bytes, kind, expected] of cases) {
    const d = decodeTelemetry(bytes);
    if (!d.ok) {
      t.fail(`${name}: ${d.code} ${d.detail}`);
      continue;
    }
    t.equal(d.kindName, kind, name);
    t.equal(d.seq, 42);
    t.same(d.time, [1_700_000_000, 123_456_789]);
    t.equal(d.kind, kindByName(kind).id);
    if (expected !== undefined) t.same(d.body, expected, `${name} body`);
  }
  const delta = decodeTelemetry(cases[2]![1]);
  t.ok(delta.ok && delta.kindName === 'inventory-delta' && delta.body.devices[0]!.frames === 2 ** 40, 'uint above 2^32 survives');
  t.same(delta.ok && delta.body, { devices: [dev], removed: [{ kind: 'ipv4', value: '10.0.0.1' }], removedUnlisted: 3 }, 'the device round-trips: identifiers, attributes with evidence and conflict, peers');
});

t.test('wire layout: integer keys, no tag 259, shortest map lengths', async (t) => {
  const bytes = encodeAlert(head, alert);
  t.equal(bytes[0], 0xa6, 'envelope is a 6-entry map, untagged');
  const raw = new Encoder({ useRecords: false, mapsAsObjects: false }).decode(bytes) as Map<unknown, unknown>;
  t.same([...raw.keys()], [0, 1, 2, 3, 4, 5]);
  t.equal(raw.get(4), Kind.alert);
  // 6 and 7: vulns (issue 12).
  t.same(KINDS.map((k) => k.id), [1, 2, 3, 4, 5, 6, 7]);
  t.equal(new Set(KINDS.map((k) => k.id)).size, KINDS.length, 'kind ids unique');
  for (const k of KINDS) t.equal(new Set(k.body.map((f) => f.key)).size, k.body.length, `${k.name} keys unique`);
});

t.test('encoding refuses wrong shapes with a breadcrumb', async (t) => {
  t.throws(() => encodeAlert(head, { ...alert, severity: 5 }), { name: 'TelemetryShapeError', message: /^alert\.severity: expected an integer in 0\.\.4/ });
  t.throws(() => encodeAlert(head, { ...alert, time: [2 ** 32, 0] }), /alert\.time: seconds must be an integer in 0\.\.2\^32-1/);
  t.throws(() => encodeInventoryDelta(head, { devices: [{ ...dev, sources: [1 as unknown as string] }], removed: [] }), /inventory-delta\.devices\[0\]\.sources\[0\]: expected a string/);
  t.throws(() => encodeInventoryDelta(head, { devices: [{ ...dev, ids: [{ kind: 'mac', value: 'aa:bb' }] }], removed: [] }), /inventory-delta\.devices\[0\]\.ids\[0\]: expected an identifier/);
  t.throws(() => encodeInventoryDelta(head, { devices: [{ ...dev, attrs: [{ ...dev.attrs[0]!, name: 'patient' as 'vendor' }] }], removed: [] }), /attrs\[0\]\.name: expected one of vendor\|model/);
  t.throws(() => encodeStatus(head, { state: 'asleep' as 'online', version: '', uptimeSec: 0, configHash: '', sources: [] }), /status\.state: expected one of online\|offline\|starting/);
  t.throws(() => encodeHealth(head, { counters: { a: -1 }, outboxDepth: 0, outboxDropped: 0, rssBytes: 0, sources: [] }), /health\.counters\.a: expected an unsigned integer/);
  t.throws(() => encodeAlert({ ...head, sensor: '' }, alert), TelemetryShapeError);
  t.throws(() => encodeAlert({ ...head, seq: -1 }, alert), /envelope\.seq/);
  t.throws(() => encodeMessage('nope' as 'alert', head, alert), /unknown telemetry kind "nope"; valid: status, health/);
  t.throws(() => messageFactory('alert', 's', [0, 0], { ...alert, count: 1.5 }), /alert\.count/, 'factory validates at once');
  t.throws(() => encodeAlert(head, { ...alert, facts: { x: Number.NaN } }), /alert\.facts\.x/);
});

t.test('non-integer facts go out as text', async (t) => {
  const d = decodeTelemetry(encodeAlert(head, { ...alert, facts: { ratio: 0.25 } }));
  t.ok(d.ok && d.kindName === 'alert' && d.body.facts.ratio === '0.25');
});

t.test('large seq stays an integer', async (t) => {
  const bytes = encodeAlert({ ...head, seq: 2 ** 40 + 1 }, alert);
  const d = decodeTelemetry(bytes);
  t.ok(d.ok && d.seq === 2 ** 40 + 1);
});

t.test('decode errors are data, never exceptions', async (t) => {
  const enc = telemetryCbor();
  const table: Array<[string, Uint8Array, string]> = [
    ['empty', new Uint8Array(0), 'telemetry.not_cbor'],
    ['truncated', cases[4]![1].subarray(0, 10), 'telemetry.not_cbor'],
    ['not a map', enc.encode([1, 2]), 'telemetry.bad_envelope'],
    ['schema 3', enc.encode(new Map<number, unknown>([[0, 3]])), 'telemetry.unsupported_schema'],
    ['schema 1 (before 0.2)', enc.encode(new Map<number, unknown>([[0, 1]])), 'telemetry.unsupported_schema'],
    ['no body', enc.encode(new Map<number, unknown>([[0, 2], [1, 's'], [2, 1], [3, [1, 0]], [4, 5]])), 'telemetry.bad_envelope'],
    ['bad body', enc.encode(envelopeMap(head, 5, new Map([[0, 1]]))), 'telemetry.bad_body'],
  ];
  for (const [name, bytes, code] of table) {
    const d = decodeTelemetry(bytes);
    t.equal(d.ok ? 'ok' : d.code, code, name);
  }
  const bad = decodeTelemetry(enc.encode(envelopeMap(head, 5, new Map([[0, 1]]))));
  t.ok(!bad.ok && bad.seq === 42 && bad.kind === 5 && /alert\.code: expected a string/.test(bad.detail), 'breadcrumb and seq kept');
});

t.test('unknown kinds pass through as plain data', async (t) => {
  const bytes = telemetryCbor().encode(envelopeMap(head, 40, new Map<unknown, unknown>([[0, 'x'], [1, new Uint8Array([1, 2])]])));
  const d = decodeTelemetry(bytes);
  t.ok(d.ok && d.kindName === undefined);
  t.same(toJson(d).body, { 0: 'x', 1: '0102' });
  t.equal(toJson(d).kind, 40);
});

t.test('toJson names fields and renders times', async (t) => {
  const d = decodeTelemetry(cases[2]![1]);
  const j = toJson(d);
  t.equal(j.time, '2023-11-14T22:13:20.123456789Z');
  t.equal(j.kind, 'inventory-delta');
  t.same((j.body as { devices: Array<{ firstSeen: string }> }).devices[0]!.firstSeen, '2020-09-13T12:26:40Z');
  t.same(JSON.parse(JSON.stringify(j)), j, 'JSON-safe');
  t.same(toJson(decodeTelemetry(new Uint8Array(0))).ok, false);
});

t.test('time helpers', async (t) => {
  t.same(timeFromMs(1_700_000_000_123.5), [1_700_000_000, 123_500_000]);
  t.same(timeFromNs(1_700_000_000_000_000_001n), [1_700_000_000, 1]);
  t.equal(timeToIso([0, 5]), '1970-01-01T00:00:00.000000005Z');
});

t.test('outboxItem takes stream, priority and expiry from the kind table', async (t) => {
  const a = outboxItem('alert', 's', [1, 0], alert);
  t.same([a.stream, a.priority, a.expirySec], ['alerts', 'alert', undefined]);
  const h = outboxItem('health', 's', [1, 0], { counters: {}, outboxDepth: 0, outboxDropped: 0, rssBytes: 0, sources: [] });
  t.same([h.stream, h.priority, h.expirySec], ['health', 'normal', 900]);
  const d = decodeTelemetry(a.payloadFactory(77));
  t.ok(d.ok && d.seq === 77);
});

t.test('compact devices: address bytes, strings once per message, times relative to the envelope', async (t) => {
  const { peers: _none, ...rest } = dev;
  const second: InventoryDevice = { ...rest, ids: [{ kind: 'mac', value: '00:11:22:33:44:55' }] };
  const bytes = encodeInventoryDelta(head, { devices: [dev, second], removed: [] });
  const raw = new Encoder({ useRecords: false, mapsAsObjects: false }).decode(bytes) as Map<number, unknown>;
  const strings = raw.get(6) as string[];
  t.same(strings.filter((s) => s === 'Philips'), ['Philips'], 'a vendor shared by two devices is sent once');
  t.same(strings.filter((s) => s === 'eth0'), ['eth0'], 'so is a source name');
  const body = raw.get(5) as Map<number, unknown>;
  const d0 = (body.get(0) as Array<Map<number, unknown>>)[0]!;
  const ids = d0.get(0) as Array<[number, Uint8Array, number?]>;
  t.same(ids[0], [0, new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])], 'a MAC is kind 0 and 6 bytes');
  t.same(ids[1], [1, new Uint8Array([10, 0, 0, 5])], 'an IPv4 address is kind 1 and 4 bytes');
  t.equal((ids[2]![1] as Uint8Array).length, 16, 'an IPv6 address is 16 bytes');
  t.same(ids[3], [3, new Uint8Array([0xc0, 1, 2, 3, 4, 5]), 1], 'a BLE address carries its type');
  t.equal(d0.get(3), 1_700_000_000 - 1_700_000_001, 'last seen counts back from the envelope time (here one second ahead)');
  t.equal(d0.get(2), 100_000_000, 'first seen likewise');
  const d = decodeTelemetry(bytes);
  t.ok(d.ok);
  if (d.ok) t.same(d.body, { devices: [dev, second], removed: [] }, 'and decodes back to the same records');
});

t.test('decoding refuses broken references', async (t) => {
  const enc = new Encoder({ useRecords: false, mapsAsObjects: false, variableMapSize: true });
  const good = new Encoder({ useRecords: false, mapsAsObjects: false }).decode(encodeInventoryDelta(head, { devices: [dev], removed: [] })) as Map<number, unknown>;
  const rows: [string, (m: Map<number, unknown>) => void, RegExp][] = [
    ['string table cut short', (m) => m.set(6, []), /past the table/],
    ['string table not strings', (m) => m.set(6, [1, 2]), /envelope\.strings/],
    ['identifier of the wrong length', (m) => {
      const b = m.get(5) as Map<number, unknown>;
      ((b.get(0) as Array<Map<number, unknown>>)[0]!.get(0) as unknown[])[0] = [0, new Uint8Array(5)];
    }, /ids\[0\]\[1\]: expected the mac address bytes/],
    ['unknown identifier kind', (m) => {
      const b = m.get(5) as Map<number, unknown>;
      ((b.get(0) as Array<Map<number, unknown>>)[0]!.get(0) as unknown[])[0] = [99, new Uint8Array(6)];
    }, /unknown identifier kind 99/],
  ];
  for (const [name, mutate, want] of rows) {
    const m = structuredClone(good);
    mutate(m);
    const d = decodeTelemetry(enc.encode(m));
    t.notOk(d.ok, name);
    if (!d.ok) t.match(d.detail, want, name);
  }
});
