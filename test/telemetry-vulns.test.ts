/**
 * The vulns stream's contract (issue 12): a real vulns-delta and
 * vulns-ranking, made by the analyzer from the shared advisories, go
 * through the outbox and a real Mosquitto; Python's cbor2 checks the raw
 * payloads against docs/telemetry.cddl, and they decode back to the bodies.
 * A wrong confidence or an out-of-range score is refused by the same check.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { Store } from '../src/store/store.js';
import { Outbox } from '../src/publish/outbox.js';
import { MqttSession } from '../src/publish/mqtt-session.js';
import { Topics } from '../src/telemetry/topics.js';
import { encodeStatus, encodeMessage, outboxItem, telemetryCbor, timeNow } from '../src/telemetry/envelope.js';
import { decodeTelemetry } from '../src/telemetry/index.js';
import type { VulnsDeltaBody, VulnsRankingBody } from '../src/telemetry/kinds.js';
import { startMosquitto } from './support/mosquitto.js';
import { csafDir, deviceWith } from './support/feeds.js';
import { CsafValidator, readFeedDir } from '../src/identify/advisories/index.js';
import { VulnsAnalyzer } from '../src/analyze/vulns/index.js';
import { BatchSink } from '../src/analyze/sink.js';
import { AlertGate } from '../src/alerts/gate.js';
import { AlertCatalogue } from '../src/alerts/catalogue.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CDDL = join(ROOT, 'docs', 'telemetry.cddl');
const CHECK = join(ROOT, 'test', 'py', 'cddl_check.py');
const SENSOR = 'pi-icu2-01';

function check(files: string[]): Promise<Array<{ file?: string; ok?: boolean; error?: string }>> {
  return new Promise((res, rej) => {
    execFile('/usr/bin/python3', [CHECK, CDDL, 'telemetry', ...files], (err, stdout, stderr) => {
      if (err !== null && (err as { code?: number }).code === 2) return rej(new Error(`schema did not parse: ${stderr}`));
      res(stdout.trim().split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l)));
    });
  });
}

t.test('vulns-delta and vulns-ranking through Mosquitto match docs/telemetry.cddl', async (t) => {
  const feed = await readFeedDir(csafDir(), new CsafValidator());
  t.equal(feed.advisories.length, 14);
  const devices = [
    deviceWith('00:00:5e:00:53:01', [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', '012U000061']]),
    deviceWith('00:00:5e:00:53:02', [['vendor', 'Medtronic', 'oui', 'mac']]),
  ];
  const a = new VulnsAnalyzer({ maxDevices: 10, rankingSize: 5, maxMatchesPerDevice: 4 }, { records: () => devices, watch: () => undefined });
  a.setFeed(feed);
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 1000 }));
  a.onTick(0, sink);
  const msgs = sink.drain().messages;
  const delta = msgs.find((m) => m.kind === 'vulns-delta')!.body as VulnsDeltaBody;
  const ranking = msgs.find((m) => m.kind === 'vulns-ranking')!.body as VulnsRankingBody;
  t.equal(delta.devices.length, 2);

  const broker = await startMosquitto();
  t.teardown(() => broker.destroy());
  const dir = await mkdtemp(join(tmpdir(), 'iomt-vulns-cddl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const topics = new Topics({ site: 'st', ward: 'icu2', sensor: SENSOR });
  const raw: Array<{ topic: string; payload: Buffer }> = [];
  const sub = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  t.teardown(() => sub.endAsync(true));
  sub.on('message', (topic, payload) => raw.push({ topic, payload }));
  await new Promise<void>((res, rej) => { sub.once('connect', () => res()); sub.once('error', rej); });
  await sub.subscribeAsync(`${topics.base}/vulns`, { qos: 1 });
  const store = await Store.open(join(dir, 'db'));
  t.teardown(() => store.close());
  const outbox = await Outbox.open(store, { maxMessages: 100, maxBytes: 1_000_000 });
  const now = timeNow();
  await outbox.append(outboxItem('vulns-delta', SENSOR, now, delta), outboxItem('vulns-ranking', SENSOR, now, ranking));
  const session = new MqttSession({
    url: broker.url, sensorId: SENSOR, outbox, topicFor: (s) => topics.stream(s), statusTopic: topics.status,
    statusPayload: (state) => encodeStatus({ sensor: SENSOR, seq: 0, time: timeNow() }, { state, version: '0', uptimeSec: 1, configHash: 'x', sources: [] }),
  });
  session.start();
  t.teardown(() => session.close(0));
  const deadline = Date.now() + 10_000;
  while (raw.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.same(raw.map((m) => m.topic), [topics.stream('vulns'), topics.stream('vulns')]);
  const files: string[] = [];
  for (const [i, m] of raw.entries()) {
    const f = join(dir, `good-${i}.cbor`);
    await writeFile(f, m.payload);
    files.push(f);
  }
  const decoded = raw.map((m) => decodeTelemetry(m.payload));
  t.same(decoded.map((d) => d.ok && d.kindName), ['vulns-delta', 'vulns-ranking']);
  t.same(decoded[0]!.ok && decoded[0]!.body, delta, 'the delta decodes to the body the analyzer made');
  t.same(decoded[1]!.ok && decoded[1]!.body, ranking);

  // Wrong payloads made with our own encoder's envelope but a body the schema forbids.
  const head = { sensor: SENSOR, seq: 9, time: now };
  const bad = (b: VulnsDeltaBody): Uint8Array => {
    try {
      return encodeMessage('vulns-delta', head, b);
    } catch {
      return new Uint8Array(0);
    }
  };
  const d0 = delta.devices[0]!;
  const wrongScore = bad({ ...delta, devices: [{ ...d0, score: 101 }] });
  t.equal(wrongScore.length, 0, 'our encoder refuses a score above 100');
  const goods = await check(files);
  t.same(goods.map((v) => v.ok), [true, true], JSON.stringify(goods));
  // A hand-made body with an unknown confidence: the real payload, one value changed.
  const env = telemetryCbor().decode(raw[0]!.payload) as Map<number, unknown>;
  const match = (((env.get(5) as Map<number, unknown>).get(0) as Array<Map<number, unknown>>)[0]!.get(3) as Array<Map<number, unknown>>)[0]!;
  t.ok(['vendor', 'product', 'range', 'exact'].includes(match.get(2) as string), 'key 2 of a match is its confidence');
  match.set(2, 'certain');
  const edited = telemetryCbor().encode(env);
  const f = join(dir, 'bad-confidence.cbor');
  await writeFile(f, edited);
  const [v] = await check([f]);
  t.equal(v?.ok, false, 'an unknown confidence is refused by the CDDL');
});
