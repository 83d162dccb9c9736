/**
 * Independent oracles for the telemetry codec. An encode-then-decode round
 * trip shares the key table (src/telemetry/kinds.ts) between both directions,
 * so a swapped key (outboxDepth and outboxDropped, frames and bytes) goes
 * out and comes back "right". Here every expectation is written by hand from
 * docs/telemetry.cddl, with integer keys, and the bytes are read and written
 * by Python's cbor2 (test/py/cbor_oracle.py), which shares no code with the
 * encoder. Each kind is checked in both directions:
 *   - our encoder's bytes, decoded by cbor2, equal the hand-written map;
 *   - the hand-written map, encoded by cbor2, decodes with decodeTelemetry
 *     to the named body;
 * and two messages are also pinned to hand-written hex.
 *
 * Field values are all different from one another, so any two same-typed
 * fields that trade keys change the result.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeAlert, encodeHealth, encodeInventoryDelta, encodeInventorySnapshot, encodeStatus, type EnvelopeHead } from '../src/telemetry/envelope.js';
import type { AlertBody, HealthBody, InventoryDeltaBody, InventoryDevice, InventorySnapshotBody, StatusBody } from '../src/telemetry/kinds.js';
import { decodeTelemetry } from '../src/telemetry/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ORACLE = join(ROOT, 'test', 'py', 'cbor_oracle.py');
const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-cbor2

/** Tagged JSON of cbor_oracle.py: a map keeps its key types and its order. */
type Tagged = number | string | boolean | null | Tagged[] | { map: Array<[Tagged, Tagged]> } | { float: number } | { int: string } | { bytes: string };

function oracle(req: { decode?: string[]; encode?: Tagged[] }): Promise<{ decoded: Tagged[]; encoded: string[] }> {
  return new Promise((res, rej) => {
    const child = execFile(PYTHON, [ORACLE], (err, stdout, stderr) => {
      if (err) return rej(new Error(`${ORACLE} failed: ${err.message}\n${stderr}`));
      res(JSON.parse(stdout) as { decoded: Tagged[]; encoded: string[] });
    });
    child.stdin!.end(JSON.stringify(req));
  });
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** A CBOR map; the CDDL does not fix an entry order, so comparisons sort by key. */
const m = (...entries: Array<[Tagged, Tagged]>): Tagged => ({ map: entries });
function sorted(v: Tagged): Tagged {
  if (Array.isArray(v)) return v.map(sorted);
  if (v !== null && typeof v === 'object' && 'map' in v) {
    const entries = v.map.map(([k, x]) => [sorted(k), sorted(x)] as [Tagged, Tagged]);
    entries.sort(([a], [b]) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return { map: entries };
  }
  return v;
}

// One body per kind, each value distinct from every other of its type.
const HEAD: EnvelopeHead = { sensor: 'pi-icu2-01', seq: 4_000_000_123, time: [1_764_000_000, 123_456_789] };
/** docs/telemetry.cddl envelope-head, keys 0..3, then 4 => kind, 5 => body, and 6 => strings when the body refers to any. */
const envelope = (kind: number, body: Tagged, strings: string[] = []): Tagged =>
  strings.length === 0
    ? m([0, 2], [1, 'pi-icu2-01'], [2, 4_000_000_123], [3, [1_764_000_000, 123_456_789]], [4, kind], [5, body])
    : m([0, 2], [1, 'pi-icu2-01'], [2, 4_000_000_123], [3, [1_764_000_000, 123_456_789]], [4, kind], [5, body], [6, strings]);
const bytes = (h: string): Tagged => ({ bytes: h });
/** A reltime: the envelope's seconds (1_764_000_000) minus the time. */
const rel = (sec: number): number => 1_764_000_000 - sec;

const status: StatusBody = {
  state: 'online', version: '0.1.0', uptimeSec: 42, configHash: 'sha256:ab12',
  sources: [{ name: 'eth0', state: 'running' }, { name: 'ble-hci0', state: 'retrying', detail: 'no adapter' }],
  feeds: { oui: 'ieee 2026-11-01' },
};
// status-body: 0 state, 1 version, 2 uptime, 3 config hash, 4 sources, 5 feeds; source-status: 0 name, 1 state, 2 detail
const statusMap = m([0, 'online'], [1, '0.1.0'], [2, 42], [3, 'sha256:ab12'],
  [4, [m([0, 'eth0'], [1, 'running']), m([0, 'ble-hci0'], [1, 'retrying'], [2, 'no adapter'])]],
  [5, m(['oui', 'ieee 2026-11-01'])]);

const health: HealthBody = {
  counters: { 'eth0.frames': 123_456, 'decoder.bug': 0 }, outboxDepth: 11, outboxDropped: 12, rssBytes: 5_000_000_000,
  sources: [{ name: 'eth0', state: 'failed', detail: 'ENODEV' }], outboxBytes: 14, uptimeSec: 15,
};
// health-body: 0 counters, 1 outbox depth, 2 outbox dropped, 3 rss, 4 sources, 5 outbox bytes, 6 uptime
const healthMap = m([0, m(['eth0.frames', 123_456], ['decoder.bug', 0])], [1, 11], [2, 12], [3, 5_000_000_000],
  [4, [m([0, 'eth0'], [1, 'failed'], [2, 'ENODEV'])]], [5, 14], [6, 15]);

const dev: InventoryDevice = {
  ids: [{ kind: 'mac', value: '00:1b:2c:00:00:01' }, { kind: 'ipv4', value: '10.0.0.1' }, { kind: 'ipv6', value: 'fe80::1' }],
  attrs: [{ name: 'vendor', value: 'Baxter', proto: 'oui', field: 'mac', time: 1_700_000_001, confidence: 2, source: 'eth0' }],
  firstSeen: 1_700_000_001, lastSeen: 1_700_000_002, frames: 21, bytes: 6_000_000_000, sources: ['eth0', 'ble-hci0'],
  peers: [{ kind: 'ipv4', value: '52.1.2.3' }],
};
const bare: InventoryDevice = { ids: [{ kind: 'ipv4', value: '10.0.0.9' }], attrs: [], firstSeen: 3, lastSeen: 5, frames: 7, bytes: 8, sources: ['span0'] };
// device: 0 ids, 1 attrs, 2 first seen, 3 last seen, 4 frames, 5 bytes, 6 sources (srefs), 7 peers
// ident: [kind, bstr]: 0 MAC (6 bytes), 1 IPv4 (4), 2 IPv6 (16)
// attribute: 0 name (0 vendor), 1 value, 2 protocol, 3 field, 4 time, 5 confidence, 6 source; strings are srefs
// The delta's string table, in the order the encoder meets them: Baxter, oui, mac, eth0, ble-hci0, span0.
const devMap = m(
  [0, [[0, bytes('001b2c000001')], [1, bytes('0a000001')], [2, bytes('fe800000000000000000000000000001')]]],
  [1, [m([0, 0], [1, 0], [2, 1], [3, 2], [4, rel(1_700_000_001)], [5, 2], [6, 3])]],
  [2, rel(1_700_000_001)], [3, rel(1_700_000_002)], [4, 21], [5, 6_000_000_000], [6, [3, 4]], [7, [[1, bytes('34010203')]]]);
const bareMap = (span0: number): Tagged => m([0, [[1, bytes('0a000009')]]], [1, []], [2, rel(3)], [3, rel(5)], [4, 7], [5, 8], [6, [span0]]);

const delta: InventoryDeltaBody = { devices: [dev, bare], removed: [{ kind: 'ipv4', value: '10.0.0.77' }] };
// inventory-delta-body: 0 devices, 1 removed (idents)
const deltaMap = m([0, [devMap, bareMap(5)]], [1, [[1, bytes('0a00004d')]]]);
const deltaStrings = ['Baxter', 'oui', 'mac', 'eth0', 'ble-hci0', 'span0'];

const snapshot: InventorySnapshotBody = { devices: [bare], part: 1, parts: 3 };
// inventory-snapshot-body: 0 devices, 1 part, 2 parts; its own string table
const snapshotMap = m([0, [bareMap(0)]], [1, 1], [2, 3]);

const alert: AlertBody = {
  code: 'zigbee.key_transport_cleartext', severity: 4, device: 'mac:00:1b:2c:00:00:01', time: [1_764_000_100, 5],
  title: 'Zigbee network key sent in the clear', facts: { channel: 15, pan: '0x1a62', encrypted: false, rssi: -71 }, count: 3,
};
// alert-body: 0 code, 1 severity, 2 device, 3 time, 4 title, 5 facts, 6 count
const alertMap = m([0, 'zigbee.key_transport_cleartext'], [1, 4], [2, 'mac:00:1b:2c:00:00:01'], [3, [1_764_000_100, 5]],
  [4, 'Zigbee network key sent in the clear'], [5, m(['channel', 15], ['pan', '0x1a62'], ['encrypted', false], ['rssi', -71])], [6, 3]);

// docs/telemetry.cddl kind ids: 1 status, 2 health, 3 inventory-delta, 4 inventory-snapshot, 5 alert.
const CASES = [
  { kind: 'status', id: 1, bytes: () => encodeStatus(HEAD, status), body: status, map: statusMap, strings: [] },
  { kind: 'health', id: 2, bytes: () => encodeHealth(HEAD, health), body: health, map: healthMap, strings: [] },
  { kind: 'inventory-delta', id: 3, bytes: () => encodeInventoryDelta(HEAD, delta), body: delta, map: deltaMap, strings: deltaStrings },
  { kind: 'inventory-snapshot', id: 4, bytes: () => encodeInventorySnapshot(HEAD, snapshot), body: snapshot, map: snapshotMap, strings: ['span0'] },
  { kind: 'alert', id: 5, bytes: () => encodeAlert(HEAD, alert), body: alert, map: alertMap, strings: [] },
] as const;

t.test('every kind our encoder writes reads, with cbor2, as the map the CDDL describes', async (t) => {
  const { decoded } = await oracle({ decode: CASES.map((c) => hex(c.bytes())) });
  t.equal(decoded.length, CASES.length);
  for (const [i, c] of CASES.entries()) {
    t.same(sorted(decoded[i]!), sorted(envelope(c.id, c.map, [...c.strings])), `${c.kind}: integer keys, integer (not float) values, as in the CDDL`);
  }
});

t.test('every kind cbor2 writes from the CDDL map decodes to the named body', async (t) => {
  const { encoded } = await oracle({ encode: CASES.map((c) => envelope(c.id, c.map, [...c.strings])) });
  for (const [i, c] of CASES.entries()) {
    const d = decodeTelemetry(Buffer.from(encoded[i]!, 'hex'));
    t.same(d, { ok: true, schema: 2, sensor: HEAD.sensor, seq: HEAD.seq, time: HEAD.time, kind: c.id, kindName: c.kind, body: c.body }, `${c.kind} decodes`);
  }
});

t.test('the oracle itself tells a swapped key, a float and a string key apart', async (t) => {
  // If these passed, the comparisons above could not fail.
  const { decoded } = await oracle({ decode: ['a2010b020c', 'a2010c020b', 'a101fb4026000000000000', 'a161310b'] });
  t.same(decoded, [m([1, 11], [2, 12]), m([1, 12], [2, 11]), m([1, { float: 11 }]), m(['1', 11])]);
  t.not(JSON.stringify(sorted(decoded[0]!)), JSON.stringify(sorted(decoded[1]!)), 'swapped keys differ');
  t.not(JSON.stringify(decoded[0]), JSON.stringify(decoded[2]), 'float differs from int');
});

t.test('two messages pinned to hex written by hand from the CDDL', async (t) => {
  const head: EnvelopeHead = { sensor: 's1', seq: 7, time: [1, 2] };
  // {0: 2, 1: "s1", 2: 7, 3: [1, 2], 4: 1,
  //  5: {0: "online", 1: "0.1.0", 2: 42, 3: "h", 4: [{0: "eth0", 1: "running"}]}}
  const statusHex = [
    'a6', '0002', '01627331', '0207', '03820102', '0401',
    '05a5', '00666f6e6c696e65', '0165302e312e30', '02182a', '036168',
    '0481a2', '006465746830', '016772756e6e696e67',
  ].join('');
  const statusBody: StatusBody = { state: 'online', version: '0.1.0', uptimeSec: 42, configHash: 'h', sources: [{ name: 'eth0', state: 'running' }] };
  t.equal(hex(encodeStatus(head, statusBody)), statusHex, 'status bytes');
  t.same(decodeTelemetry(Buffer.from(statusHex, 'hex')), { ok: true, schema: 2, ...head, kind: 1, kindName: 'status', body: statusBody });

  // {0: 2, 1: "s1", 2: 7, 3: [1, 2], 4: 5,
  //  5: {0: "a.b", 1: 3, 2: "ip:1", 3: [5, 6], 4: "t", 5: {"n": 1}, 6: 2}}
  const alertHex = [
    'a6', '0002', '01627331', '0207', '03820102', '0405',
    '05a7', '0063612e62', '0103', '026469703a31', '03820506', '046174', '05a1616e01', '0602',
  ].join('');
  const alertBody: AlertBody = { code: 'a.b', severity: 3, device: 'ip:1', time: [5, 6], title: 't', facts: { n: 1 }, count: 2 };
  t.equal(hex(encodeAlert(head, alertBody)), alertHex, 'alert bytes');
  t.same(decodeTelemetry(Buffer.from(alertHex, 'hex')), { ok: true, schema: 2, ...head, kind: 5, kindName: 'alert', body: alertBody });
});
