/**
 * The telemetry contract, end to end: one message of each kind goes through
 * the outbox and a real Mosquitto, a separate plain MQTT client saves the raw
 * payloads, and an independent decoder (Python cbor2) checks them against
 * docs/telemetry.cddl with test/py/cddl_check.py. Hand-made wrong payloads
 * must be refused by the same check.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { Encoder } from 'cbor-x';
import { Store } from '../src/store/store.js';
import { Outbox } from '../src/publish/outbox.js';
import { MqttSession } from '../src/publish/mqtt-session.js';
import { Topics } from '../src/telemetry/topics.js';
import { encodeStatus, outboxItem, telemetryCbor, timeNow } from '../src/telemetry/envelope.js';
import type { InventoryDevice } from '../src/telemetry/kinds.js';
import { decodeTelemetry } from '../src/telemetry/index.js';
import { startMosquitto } from './support/mosquitto.js';

// dist/test/x.test.js -> repository root
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CDDL = join(ROOT, 'docs', 'telemetry.cddl');
const CHECK = join(ROOT, 'test', 'py', 'cddl_check.py');
const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-cbor2

interface Verdict {
  file?: string;
  ok?: boolean;
  error?: string;
  schema_error?: string;
}

function check(files: string[]): Promise<Verdict[]> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [CHECK, CDDL, 'telemetry', ...files], (err, stdout, stderr) => {
      if (err) return reject(new Error(`${CHECK} failed: ${err.message}\n${stdout}\n${stderr}`));
      resolve(stdout.trim().split('\n').map((l) => JSON.parse(l) as Verdict));
    });
  });
}

const SENSOR = 'pi-icu2-01';
const topics = new Topics({ site: 'st-olaf', ward: 'icu-2', sensor: SENSOR });

const device = (n: number, full: boolean): InventoryDevice => ({
  ids: full
    ? [{ kind: 'mac', value: `00:1b:2c:00:00:0${n}` }, { kind: 'ipv4', value: `10.0.0.${n}` }, { kind: 'ipv6', value: 'fe80::1' }, { kind: 'ble', value: 'c0:00:00:00:00:01', extra: 1 }, { kind: 'ieee802154Short', value: '0x1a62', extra: 0xabcd }]
    : [{ kind: 'ipv4', value: `10.0.0.${n}` }],
  attrs: full
    ? [
        { name: 'vendor', value: 'Baxter', proto: 'oui', field: 'mac', time: 1_700_000_000, confidence: 2, source: 'eth0' },
        { name: 'class', value: 'infusion-pump', proto: 'dhcp', field: 'option 60', time: 1_700_000_000, confidence: 3, source: 'eth0', conflict: { value: 'workstation', proto: 'http', field: 'user-agent', time: 1_600_000_000, confidence: 1, source: 'eth0' } },
      ]
    : [],
  firstSeen: 1_000_000_000,
  lastSeen: 4_294_967_295, // later than the envelope: a negative relative time
  frames: 12,
  bytes: 6_000_000_000, // above 2^32: must stay a CBOR uint
  sources: ['eth0', 'ble-hci0'],
  ...(full ? { peers: [{ kind: 'ipv4', value: '192.0.2.1' }, { kind: 'ipv6', value: '2001:db8::1' }] } : {}),
  ...(full ? { facts: [{ key: 'dhcp.vendor_class', value: 'Baxter Novum' }, { key: 'dhcp.prl', value: '1,3,6,12,15,28,42' }, { key: 'dns.query', value: '' }] } : {}),
});

t.test('one payload of each kind, published through Mosquitto, matches docs/telemetry.cddl', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.destroy());
  const dir = await mkdtemp(join(tmpdir(), 'iomt-cddl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const raw: Array<{ topic: string; payload: Buffer }> = [];
  const sub = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  t.teardown(() => sub.endAsync(true));
  sub.on('message', (topic, payload) => raw.push({ topic, payload }));
  await new Promise<void>((res, rej) => { sub.once('connect', () => res()); sub.once('error', rej); });
  await sub.subscribeAsync(`${topics.base}/#`, { qos: 1 });

  const store = await Store.open(join(dir, 'db'));
  t.teardown(() => store.close());
  const outbox = await Outbox.open(store, { maxMessages: 100, maxBytes: 1_000_000 });
  const now = timeNow();
  await outbox.append(
    outboxItem('health', SENSOR, now, {
      counters: { 'decoder.bug': 0, 'eth0.frames': 123_456 }, outboxDepth: 3, outboxDropped: 0, rssBytes: 5_000_000_000,
      sources: [{ name: 'eth0', state: 'running', received: 123_456, droppedKernel: 7, droppedIface: 0 }, { name: 'zigbee-serial', state: 'failed', detail: 'ENOENT /dev/ttyACM0' }],
      outboxBytes: 1234,
    }),
    outboxItem('inventory-delta', SENSOR, now, { devices: [device(1, true), device(2, false)], removed: [{ kind: 'ipv4', value: '10.0.0.9' }], removedUnlisted: 7 }),
    outboxItem('inventory-snapshot', SENSOR, now, { devices: [device(3, true)], part: 0, parts: 1 }),
    outboxItem('alert', SENSOR, now, {
      code: 'zigbee.key_transport_cleartext', severity: 4, device: 'mac:00:1b:2c:00:00:01', time: now,
      title: 'Zigbee network key sent in the clear', facts: { channel: 15, pan: '0x1a62', encrypted: false, rssi: -71, ratio: 0.25 }, count: 3,
    }),
  );
  const session = new MqttSession({
    url: broker.url, sensorId: SENSOR, outbox, topicFor: (s) => topics.stream(s), statusTopic: topics.status,
    statusPayload: (state) => encodeStatus({ sensor: SENSOR, seq: 0, time: timeNow() }, {
      state, version: '0.1.0', uptimeSec: 42, configHash: 'sha256:ab12', sources: [{ name: 'eth0', state: 'running' }],
    }),
  });
  session.start();
  t.teardown(() => session.close(0));
  const deadline = Date.now() + 10_000;
  while (raw.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(raw.length, 5, 'status + 4 outbox messages received');

  const kinds = raw.map((m) => { const d = decodeTelemetry(m.payload); return d.ok ? d.kindName : d.code; });
  t.same([...kinds].sort(), ['alert', 'health', 'inventory-delta', 'inventory-snapshot', 'status']);

  const goodFiles: string[] = [];
  for (const [i, m] of raw.entries()) {
    const f = join(dir, `good-${i}-${m.topic.split('/').pop()}.cbor`);
    await writeFile(f, m.payload);
    goodFiles.push(f);
  }

  // Wrong payloads: each breaks exactly one rule of the schema.
  const enc = telemetryCbor();
  const alertBody = (sev: unknown, facts: Map<string, unknown> = new Map([['a', 1]])) =>
    new Map<number, unknown>([[0, 'x.y'], [1, sev], [2, 'ip:10.0.0.1'], [3, [1, 0]], [4, 't'], [5, facts], [6, 1]]);
  const env = (kind: number, body: unknown, time: unknown = [1_700_000_000, 0], sensor: unknown = SENSOR) =>
    new Map<number, unknown>([[0, 2], [1, sensor], [2, 7], [3, time], [4, kind], [5, body]]);
  const objectEncoder = new Encoder({ useRecords: false, mapsAsObjects: true });
  const bad: Record<string, Uint8Array> = {
    'severity-out-of-range': enc.encode(env(5, alertBody(7))),
    'time-as-float': enc.encode(env(5, alertBody(1), [2 ** 32, 0])),
    'fact-is-float': enc.encode(env(5, alertBody(1, new Map<string, unknown>([['rssi', 1.5]])))),
    'unknown-status-state': enc.encode(env(1, new Map<number, unknown>([[0, 'asleep'], [1, 'v'], [2, 1], [3, 'h'], [4, []]]))),
    'body-for-wrong-kind': enc.encode(env(2, alertBody(1))),
    'unexpected-key': enc.encode(env(5, new Map([...alertBody(1), [9, 'extra']]))),
    'missing-key': enc.encode(env(5, new Map([...alertBody(1)].filter(([k]) => k !== 6)))),
    'empty-sensor-id': enc.encode(env(5, alertBody(1), [1, 0], '')),
    'string-keys': objectEncoder.encode({ 0: 2, 1: SENSOR, 2: 7, 3: [1, 0], 4: 5, 5: {} }),
    'old-schema': enc.encode(new Map<number, unknown>([...env(5, alertBody(1)), [0, 1]])),
    'mac-of-5-bytes': enc.encode(env(3, new Map<number, unknown>([[0, []], [1, [[0, new Uint8Array(5)]]]]))),
    'ipv4-as-text': enc.encode(env(3, new Map<number, unknown>([[0, []], [1, [[1, '10.0.0.1']]]]))),
    'unknown-identifier-kind': enc.encode(env(3, new Map<number, unknown>([[0, []], [1, [[9, new Uint8Array(6)]]]]))),
    'ble-address-type-5': enc.encode(env(3, new Map<number, unknown>([[0, []], [1, [[3, new Uint8Array(6), 5]]]]))),
    'string-table-not-text': enc.encode(new Map<number, unknown>([...env(3, new Map<number, unknown>([[0, []], [1, []]])), [6, [1]]])),
    'trailing-bytes': Buffer.concat([raw[0]!.payload, Buffer.from([0x00])]),
  };
  const badFiles: string[] = [];
  for (const [name, bytes] of Object.entries(bad)) {
    const f = join(dir, `bad-${name}.cbor`);
    await writeFile(f, bytes);
    badFiles.push(f);
  }

  const verdicts = await check([...goodFiles, ...badFiles]);
  t.equal(verdicts.length, goodFiles.length + badFiles.length, 'a verdict per payload');
  t.same(verdicts.filter((v) => v.schema_error !== undefined), [], 'the CDDL parses');
  for (const v of verdicts.slice(0, goodFiles.length)) t.ok(v.ok, `${v.file} conforms${v.error ? `: ${v.error}` : ''}`);
  for (const v of verdicts.slice(goodFiles.length)) t.equal(v.ok, false, `${v.file} is refused: ${v.error}`);

  // The TypeScript decoder refuses the same shapes (it tolerates unknown keys by design).
  for (const [name, bytes] of Object.entries(bad)) {
    const d = decodeTelemetry(bytes);
    if (name === 'unexpected-key' || name === 'trailing-bytes') continue;
    t.equal(d.ok, false, `decodeTelemetry refuses ${name}${d.ok ? '' : ` (${d.code})`}`);
  }
});
