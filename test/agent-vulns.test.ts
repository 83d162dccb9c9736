/**
 * Issue 12 end to end: the real agent (`iomt-sensor run`), a real LevelDB
 * state with a ward's devices, a real Mosquitto, and the shared ICSMA
 * advisories as the feed directory. While the agent runs, an advisory is
 * dropped into the directory and SIGHUP sent: the next `vulns` message
 * names only the device that advisory affects, the status reports the new
 * feed, and the results are in the store's `vulns` area after shutdown.
 */
import t from 'tap';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto } from './support/mosquitto.js';
import { runAgent, until } from './support/agent.js';
import { csafDir, csafFiles, deviceWith, storedWard } from './support/feeds.js';
import { decodeTelemetry } from '../src/telemetry/index.js';
import { Store } from '../src/store/store.js';
import type { StatusBody, VulnsDeltaBody } from '../src/telemetry/kinds.js';

const PUMP = '00:00:5e:00:53:01';
const MONITOR = '00:00:5e:00:53:02';
const CARELINK = '00:00:5e:00:53:04';
const PRINTER = '00:00:5e:00:53:05';

t.test('a feed update while the agent runs changes vulns for the affected device only', async (t) => {
  t.ok(csafFiles().includes('icsma-18-219-01.json'), 'the MyCareLink advisory is in the shared feed');
  const dir = mkdtempSync(join(tmpdir(), 'iomt-vulns-agent-'));
  const broker = await startMosquitto();
  t.teardown(async () => {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const feedDir = join(dir, 'feeds');
  mkdirSync(feedDir);
  for (const f of csafFiles().filter((f) => f !== 'icsma-18-219-01.json')) copyFileSync(join(csafDir(), f), join(feedDir, f));

  // The ward as the inventory last stored it: identities heard earlier (SNMP, DHCP), in real LevelDB.
  const devices = [
    deviceWith(PUMP, [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', '012U000061'], ['class', 'infusion-pump', 'classes', 'rules']]),
    deviceWith(MONITOR, [['vendor', 'Philips'], ['model', 'IntelliVue MX450'], ['software', 'M.00']]),
    deviceWith(CARELINK, [['vendor', 'Medtronic'], ['model', 'MyCareLink 24950', 'dhcp', 'option 60']]),
    deviceWith(PRINTER, [['vendor', 'Zebra Technologies'], ['model', 'ZD421']]),
  ];
  // The devices keep talking (the capture is replayed slowly, so the agent stays up).
  const { state, capture } = await storedWard(dir, devices, 120);
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, `sensor: {id: vulns-1, site: test-site, ward: icu-3}
state: {dir: ${state}}
sources:
  - {type: pcap-file, name: ward, path: ${capture}, realtime: true}
mqtt:
  url: ${broker.url}
  reconnect: {initial_ms: 100, max_ms: 400}
inventory: {learning_period_s: 0, delta_interval_s: 1}
vulns: {feed_dir: ${feedDir}, feed_check_s: 3600}
`);

  const got: VulnsDeltaBody[] = [];
  let status: StatusBody | undefined;
  const sub = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 100 });
  t.teardown(() => void sub.end(true));
  sub.on('message', (topic, payload) => {
    const m = decodeTelemetry(payload);
    if (!m.ok) return;
    if (m.kindName === 'vulns-delta') got.push(m.body);
    if (m.kindName === 'status') status = m.body;
  });
  await new Promise<void>((res, rej) => sub.once('connect', () => sub.subscribe('iomt/v1/test-site/icu-3/vulns-1/+', { qos: 1 }, (e) => (e ? rej(e) : res()))));

  const agent = runAgent(['--config', cfg]);
  t.teardown(() => void agent.child.kill('SIGKILL'));
  await until('the first vulns delta', () => got.length >= 1, 240_000).catch((e) => {
    throw new Error(`${String(e)}\n${agent.output()}`);
  });
  t.same(got[0]!.devices.map((d) => d.device), [`mac:${PUMP}`, `mac:${MONITOR}`], 'pump and monitor match; no MyCareLink advisory yet; the printer never');
  const firstFeed = got[0]!.feed;
  await until('status with the feed', () => status?.feeds?.csaf?.startsWith('13 advisories') === true, 30_000);

  // Drop the MyCareLink advisory in, and reload.
  copyFileSync(join(csafDir(), 'icsma-18-219-01.json'), join(feedDir, 'icsma-18-219-01.json'));
  agent.child.kill('SIGHUP');
  await until('a second vulns delta', () => got.length >= 2, 240_000).catch((e) => {
    throw new Error(`${String(e)}\n${agent.output()}`);
  });
  t.same(got[1]!.devices.map((d) => d.device), [`mac:${CARELINK}`], 'only the device the new advisory affects');
  t.same(got[1]!.cleared, []);
  t.not(got[1]!.feed, firstFeed, 'the delta names the new feed');
  t.same(got[1]!.devices[0]!.matches.map((m) => [m.advisory, m.confidence, m.cves]), [['ICSMA-18-219-01', 'range', ['CVE-2018-10622', 'CVE-2018-10626']]]);
  await until('status with the new feed', () => status?.feeds?.csaf?.startsWith('14 advisories') === true, 30_000);

  agent.child.kill('SIGTERM');
  const exit = await agent.exit;
  t.equal(exit.code, 0, exit.out.slice(-2000));
  t.match(exit.out, /advisory feed loaded/);
  const after = await Store.open(state);
  t.teardown(() => after.close());
  t.same((await after.all('vulns')).map(([k]) => k).sort(), [`mac:${PUMP}`, `mac:${MONITOR}`, `mac:${CARELINK}`].sort(), 'results are kept in LevelDB');
});
