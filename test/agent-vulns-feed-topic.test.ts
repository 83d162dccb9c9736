/**
 * Issue 12, feed updates from the central side: the real agent with
 * `vulns.feed_topic`, a real LevelDB state and a real Mosquitto. The central
 * side publishes an advisory, retained, on `iomt/v1/<site>/feeds/<file>`:
 * the next `vulns` message names only the device it affects; an empty
 * retained message withdraws it and the device's result is cleared; a
 * topic that names no feed file writes nothing.
 */
import t from 'tap';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto } from './support/mosquitto.js';
import { runAgent, until } from './support/agent.js';
import { csafDir, csafFiles, deviceWith, storedWard } from './support/feeds.js';
import { decodeTelemetry } from '../src/telemetry/index.js';
import type { VulnsDeltaBody } from '../src/telemetry/kinds.js';

const PUMP = '00:00:5e:00:53:01';
const CARELINK = '00:00:5e:00:53:04';
const PRINTER = '00:00:5e:00:53:05';

t.test('a retained advisory on the feed topic updates vulns for the affected device only, and an empty one withdraws it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-vulns-topic-'));
  const broker = await startMosquitto();
  t.teardown(async () => {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const feedDir = join(dir, 'feeds');
  mkdirSync(feedDir);
  const NEW = 'icsma-18-219-01.json';
  t.ok(csafFiles().includes(NEW), 'the MyCareLink advisory is in the shared feed');
  for (const f of csafFiles().filter((f) => f !== NEW)) copyFileSync(join(csafDir(), f), join(feedDir, f));
  const devices = [
    deviceWith(PUMP, [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', '012U000061'], ['class', 'infusion-pump', 'classes', 'rules']]),
    deviceWith(CARELINK, [['vendor', 'Medtronic'], ['model', 'MyCareLink 24950', 'dhcp', 'option 60']]),
    deviceWith(PRINTER, [['vendor', 'Zebra Technologies'], ['model', 'ZD421']]),
  ];
  const { state, capture } = await storedWard(dir, devices, 180);
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, `sensor: {id: vulns-2, site: test-site, ward: icu-3}
state: {dir: ${state}}
sources:
  - {type: pcap-file, name: ward, path: ${capture}, realtime: true}
mqtt:
  url: ${broker.url}
  reconnect: {initial_ms: 100, max_ms: 400}
inventory: {learning_period_s: 0, delta_interval_s: 1}
vulns: {feed_dir: ${feedDir}, feed_check_s: 3600, feed_topic: true}
`);
  const got: VulnsDeltaBody[] = [];
  const sub = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 100 });
  t.teardown(() => void sub.end(true));
  sub.on('message', (_topic, payload) => {
    const m = decodeTelemetry(payload);
    if (m.ok && m.kindName === 'vulns-delta') got.push(m.body);
  });
  await new Promise<void>((res, rej) => sub.once('connect', () => sub.subscribe('iomt/v1/test-site/icu-3/vulns-2/+', { qos: 1 }, (e) => (e ? rej(e) : res()))));
  const central = mqtt.connect(broker.url, { protocolVersion: 5 });
  t.teardown(() => void central.end(true));
  await new Promise<void>((res) => central.once('connect', () => res()));
  const publish = (topic: string, payload: Uint8Array | string) =>
    new Promise<void>((res, rej) => central.publish(topic, Buffer.from(payload), { qos: 1, retain: true }, (e) => (e ? rej(e) : res())));

  const agent = runAgent(['--config', cfg]);
  t.teardown(() => void agent.child.kill('SIGKILL'));
  const fail = (e: unknown) => {
    throw new Error(`${String(e)}\n${agent.output()}`);
  };
  await until('the first vulns delta', () => got.length >= 1, 240_000).catch(fail);
  t.same(got[0]!.devices.map((d) => d.device), [`mac:${PUMP}`], 'the pump matches the bundle; the MyCareLink not yet');

  await publish('iomt/v1/test-site/feeds/notes.txt', 'not a feed file');
  await publish(`iomt/v1/test-site/feeds/${NEW}`, readFileSync(join(csafDir(), NEW)));
  await until('a second vulns delta', () => got.length >= 2, 240_000).catch(fail);
  t.same(got[1]!.devices.map((d) => d.device), [`mac:${CARELINK}`], 'only the device the published advisory affects');
  t.same(got[1]!.devices[0]!.matches.map((m) => m.advisory), ['ICSMA-18-219-01']);
  t.same(readdirSync(join(state, 'feed-inbox')), [NEW], 'kept in the state directory; the other topic wrote nothing');

  await publish(`iomt/v1/test-site/feeds/${NEW}`, new Uint8Array(0));
  await until('a third vulns delta', () => got.length >= 3, 240_000).catch(fail);
  t.same(got[2]!.cleared, [`mac:${CARELINK}`], 'withdrawn: the device no longer matches');
  t.same(readdirSync(join(state, 'feed-inbox')), []);

  agent.child.kill('SIGTERM');
  const exit = await agent.exit;
  t.equal(exit.code, 0, exit.out.slice(-2000));
});
