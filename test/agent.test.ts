/**
 * The agent as an installed user runs it (`iomt-sensor run --config`), against
 * a real Mosquitto on a free port: telemetry arrives, decodes with Python's
 * cbor2 against docs/telemetry.cddl, and survives a broker outage plus a
 * SIGKILL of the agent mid-replay with every seq delivered in order (repeats
 * allowed, as QoS 1 permits, and detectable as identical payloads).
 */
import { deviceAttr } from '../src/telemetry/device.js';
import type { DeviceRecord } from '../src/analyze/inventory/record.js';
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, type TestBroker } from './support/mosquitto.js';
import { CLI, ROOT, runAgent, sleep, until } from './support/agent.js';
import { pcapFile, type WriterFrame } from '../src/capture/pcap/writer.js';
import { ethernet, ipv4, udp } from './builders/frames.js';
import { decodeTelemetry } from '../src/telemetry/index.js';

const PYTHON = '/usr/bin/python3';
const CHECK = join(ROOT, 'test', 'py', 'cddl_check.py');
const CDDL = join(ROOT, 'docs', 'telemetry.cddl');
const DEVICES = 40;

/** 40 devices, device i joining at 0.2·i s, each sending every 100 ms, over 8 s. */
function wardFrames(): WriterFrame[] {
  const frames: WriterFrame[] = [];
  const t0 = 1_767_600_000;
  for (let ms = 0; ms < 8000; ms += 100) {
    for (let i = 0; i < DEVICES; i++) {
      if (ms < i * 200) continue;
      const mac = `00:1a:fa:00:01:${i.toString(16).padStart(2, '0')}`;
      const bytes = ethernet({ src: mac, dst: '00:09:5c:00:00:01', type: 0x0800 }, ipv4({ src: `10.20.0.${10 + i}`, dst: '10.20.0.1', proto: 17 }, udp({ sport: 4000 + i, dport: 2575 }, new Uint8Array(32))));
      frames.push({ tsSec: t0 + Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1_000_000 + i, bytes });
    }
  }
  return frames;
}

function config(dir: string, url: string, capture: string, realtime: boolean): string {
  const file = join(dir, `config-${realtime ? 'rt' : 'fast'}.yaml`);
  writeFileSync(
    file,
    `sensor: {id: e2e-1, site: test-site, ward: icu-3}
state: {dir: ${join(dir, 'state')}}
sources:
  - {type: pcap-file, name: ward, path: ${capture}, realtime: ${realtime}}
mqtt:
  url: ${url}
  reconnect: {initial_ms: 100, max_ms: 400}
inventory: {learning_period_s: 0, delta_interval_s: 1}
health: {interval_s: 5}
`,
  );
  return file;
}

/** A temp dir, a throwaway Mosquitto and the 40-device capture, all removed at teardown. */
async function wardSetup(t: Test): Promise<{ dir: string; broker: TestBroker; capture: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-agent-'));
  const broker = await startMosquitto();
  t.teardown(async () => {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const capture = join(dir, 'ward.pcap');
  writeFileSync(capture, pcapFile(1, wardFrames()));
  return { dir, broker, capture };
}

t.test('outage and SIGKILL lose nothing: every seq arrives in order', async (t) => {
  const { dir, broker, capture } = await wardSetup(t);
  const cfg = config(dir, broker.url, capture, true);

  // A persistent subscriber session: while the broker is down it queues nothing,
  // but it keeps the session, and the sensor's outbox holds what it could not send.
  const received: Array<{ topic: string; seq: number; payload: Buffer }> = [];
  const sub = mqtt.connect(broker.url, { clientId: 'e2e-soc', clean: false, protocolVersion: 5, reconnectPeriod: 100, properties: { sessionExpiryInterval: 3600 } });
  t.teardown(() => {
    sub.end(true);
  });
  sub.on('message', (topic, payload) => {
    const m = decodeTelemetry(payload);
    received.push({ topic, seq: m.ok ? m.seq : -1, payload: Buffer.from(payload) });
  });
  await new Promise<void>((resolve, reject) => sub.once('connect', () => sub.subscribe('iomt/v1/test-site/icu-3/e2e-1/+', { qos: 1 }, (err) => (err ? reject(err) : resolve()))));

  const first = runAgent(['--config', cfg]);
  await until('the first inventory delta', () => received.some((r) => r.topic.endsWith('/inventory')));
  await sleep(1500);
  await broker.stop('SIGTERM');
  const seenBeforeOutage = received.filter((r) => r.seq > 0).length;
  await sleep(1500); // the agent keeps capturing and queues in its outbox
  first.child.kill('SIGKILL');
  const killed = await first.exit;
  t.equal(killed.signal, 'SIGKILL', 'the first agent was killed mid-replay');
  t.notMatch(killed.out, /source ended/, 'it was killed before its capture ended');
  await broker.start();

  const stats = join(dir, 'stats.json');
  const second = runAgent(['--config', cfg, '--exit-when-done', '--stats-file', stats]);
  const done = await second.exit;
  t.equal(done.code, 0, `second agent exits cleanly after draining\n${done.out}`);
  const lastSeq = (JSON.parse(readFileSync(stats, 'utf8')) as { messages: { lastSeq: number } }).messages.lastSeq;
  await until('every seq at the subscriber', () => new Set(received.filter((r) => r.seq > 0).map((r) => r.seq)).size >= lastSeq, 20_000).catch(() => undefined);

  const data = received.filter((r) => r.seq > 0);
  t.ok(seenBeforeOutage > 0 && seenBeforeOutage < lastSeq, `some (${seenBeforeOutage}) but not all of ${lastSeq} arrived before the outage`);
  const firstSeen = new Map<number, Buffer>();
  const order: number[] = [];
  let badDuplicates = 0;
  for (const r of data) {
    const prev = firstSeen.get(r.seq);
    if (prev === undefined) {
      firstSeen.set(r.seq, r.payload);
      order.push(r.seq);
    } else if (!prev.equals(r.payload)) badDuplicates++;
  }
  const missing: number[] = [];
  for (let s = 1; s <= lastSeq; s++) if (!firstSeen.has(s)) missing.push(s);
  t.same(missing, [], `no seq of 1..${lastSeq} is missing`);
  t.same(order, [...order].sort((a, b) => a - b), 'first deliveries are in seq order');
  t.equal(badDuplicates, 0, 'a repeated seq is the same message');
  t.ok(data.length >= lastSeq, `${data.length} deliveries for ${lastSeq} seqs (${data.length - lastSeq} duplicates)`);

  // What arrived is what the contract says, checked by an independent decoder.
  const alerts = data.filter((r) => r.topic.endsWith('/alerts')).map((r) => decodeTelemetry(r.payload));
  const alerted = new Set(alerts.map((m) => (m.ok && m.kindName === 'alert' ? m.body.device : '')));
  t.equal(alerted.size, DEVICES, 'one new_device alert per device, none lost across the kill');
  // Status messages (seq 0, outside the sequence) carry the feeds map: check them too.
  const statuses = received.filter((r) => r.seq === 0).map((r) => r.payload);
  const files = [...[...firstSeen.values()].slice(0, 200), ...statuses].map((p, i) => {
    const f = join(dir, `p${i}.cbor`);
    writeFileSync(f, p);
    return f;
  });
  t.ok(statuses.length > 0, 'status messages were received and are checked too');
  const verdicts = await new Promise<string>((resolve, reject) =>
    execFile(PYTHON, [CHECK, CDDL, 'telemetry', ...files], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );
  const bad = verdicts.trim().split('\n').map((l) => JSON.parse(l) as { ok: boolean; error?: string; file: string }).filter((v) => !v.ok);
  t.same(bad, [], `${files.length} payloads conform to docs/telemetry.cddl (cbor2)`);

  // The state survived: the stopped agent's inventory is on disk.
  const inv = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [CLI, 'inventory', '--state', join(dir, 'state'), '--json'], (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  const devices = JSON.parse(inv) as DeviceRecord[];
  t.equal(devices.length, DEVICES, 'inventory reloaded from LevelDB lists every device');
  t.same([...new Set(devices.map((d) => deviceAttr(d, 'vendor')))], ['Welch Allyn, Inc.'], 'vendors from the IEEE registry');
});

t.test('retained status says online, and the last will says offline after a kill', async (t) => {
  const { dir, broker, capture } = await wardSetup(t);
  const agent = runAgent(['--config', config(dir, broker.url, capture, true)]);
  const status = async (): Promise<string> => {
    const c = mqtt.connect(broker.url, { protocolVersion: 5 });
    try {
      return await new Promise<string>((resolve) => {
        c.on('message', (_t, p) => {
          const m = decodeTelemetry(p);
          resolve(m.ok && m.kindName === 'status' ? `${m.body.state} ${m.body.sources.map((s) => `${s.name}=${s.state}`).join(',')} ${JSON.stringify(m.body.feeds ?? {})}` : 'bad');
        });
        c.on('connect', () => c.subscribe('iomt/v1/test-site/icu-3/e2e-1/status', { qos: 1 }));
      });
    } finally {
      c.end(true);
    }
  };
  // Polled, bounded, rather than read once after 1.5 s: a busy machine may still be starting the source.
  const online = /^online ward=running \{"oui":"ieee-data:\/usr\/share\/ieee-data \d{4}-\d\d-\d\d \(\d+ prefixes\)"\}$/;
  let first = '';
  for (const deadline = Date.now() + 20_000; !online.test(first) && Date.now() < deadline;) {
    first = await status();
    if (!online.test(first)) await sleep(250);
  }
  t.match(first, online, 'retained status online with the source running and the OUI feed version');
  agent.child.kill('SIGKILL');
  await agent.exit;
  // Mosquitto publishes the will once it notices the dead connection (socket closed by the kernel).
  let s = '';
  for (let i = 0; i < 40 && !s.startsWith('offline'); i++) {
    s = await status();
    if (!s.startsWith('offline')) await sleep(250);
  }
  t.match(s, /^offline/, 'the last will marks the sensor offline');
});

t.test('bad configuration stops start-up naming the key, the value and what is allowed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-agent-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cases: Array<[string, string, RegExp]> = [
    ['unknown source type', 'sensor: {id: a, site: b, ward: c}\nsources: [{type: pcap-lvie, name: x, iface: eth0}]\n', /sources\[0\]\.type = "pcap-lvie": expected one of "pcap-file" \| "pcap-live"/],
    ['bad BPF filter', 'sensor: {id: a, site: b, ward: c}\nsources: [{type: pcap-live, name: x, iface: eth0, filter: "tcp port"}]\n', /sources\[0\]\.filter = "tcp port": not a valid BPF filter/],
    ['duplicate source names', 'sensor: {id: a, site: b, ward: c}\nsources: [{type: pcap-file, name: x, path: a}, {type: pcap-file, name: x, path: b}]\n', /sources\[1\]\.name = "x": used by another source/],
    ['missing file', '', /cannot read the file/],
  ];
  for (const [name, yaml, re] of cases) {
    const file = join(dir, `${name.replaceAll(' ', '-')}.yaml`);
    if (yaml !== '') writeFileSync(file, yaml);
    const r = await runAgent(['--config', file]).exit;
    t.equal(r.code, 2, `${name}: exit code 2`);
    t.match(r.out, re, `${name}: ${r.out.trim()}`);
  }
  t.notOk(existsSync(join(dir, 'state')), 'nothing was created');
});
