/**
 * Issues 9 and 10, "a serial test": the real agent (`iomt-sensor run`, a
 * config naming the dongle source, a real Mosquitto) on one end of a socat
 * pseudo-terminal pair, a simulated sniffer on the other replaying a real
 * capture. The agent's stored inventory must equal the offline replay of
 * the same capture (`replayFiles`, the code behind `iomt-sensor replay`):
 * the same devices, identifiers, attributes with their values, peers,
 * facts, frame and byte counts. Half-way through, the plug is pulled (socat
 * killed, the link vanishes) and put back on the same link path: the
 * retained status must show the source `retrying` with its backoff, the
 * agent must keep running and pick the dongle up again. Every byte the
 * agent wrote to the dongle is parsed back against the source's allow-list.
 *
 * Cases: nRF Sniffer for Bluetooth LE, UART protocol v3, following an
 * allow-listed blood-pressure cuff into its connection (a real LINKTYPE 272
 * capture), and nRF Sniffer for 802.15.4 on a Zigbee join (a real
 * LINKTYPE 230 capture, the link type the source emits), and TI Packet
 * Sniffer 2 at 921600 baud on the Control4 capture (LINKTYPE 195, its
 * network key recovered from a Transport Key in the clear). The BLE case runs
 * the `serialport` driver, the 802.15.4 case the built-in `tty` driver.
 * Last, a `ble-hci` source on this kernel, which has no AF_BLUETOOTH: the
 * agent keeps running and its status says why the source retries.
 */
import t, { type Test } from 'tap';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { replayFiles } from '../src/analyze/replay.js';
import { validateConfig } from '../src/config/index.js';
import type { DeviceRecord } from '../src/analyze/inventory/record.js';
import { PcapReader } from '../src/capture/pcap/reader.js';
import type { RawFrame } from '../src/capture/types.js';
import { ALLOWED_IDS, Id } from '../src/capture/nrf-ble-serial/consts.js';
import { ALLOWED_COMMANDS } from '../src/capture/nrf802154-serial/consts.js';
import { decodeTelemetry } from '../src/telemetry/index.js';
import { capturesDir } from './support/captures.js';
import { CLI, runAgent, sleep, until } from './support/agent.js';
import { startMosquitto } from './support/mosquitto.js';
import { PtyCable, type DongleSim } from './support/dongle-pty.js';
import { NrfBleSim, unslip } from './support/sim-nrf-ble.js';
import { Nrf802154Sim } from './support/sim-nrf802154.js';
import { TiSnifferSim } from './support/sim-ti-sniffer.js';
import { ALLOWED_COMMANDS as TI_ALLOWED } from '../src/capture/ti-sniffer-serial/consts.js';
import { TiParser } from '../src/capture/ti-sniffer-serial/index.js';

const BLE = join(capturesDir(), 'ble_ll/iotsec-medical_withings-bpm_connection_2.pcap');
const ZIGBEE = join(capturesDir(), 'zigbee_802154/scapy_zigbee-join-authenticate_lt230.pcap');
const CONTROL4 = join(capturesDir(), 'zigbee_802154/killerbee_control4-sample.pcap');

function records(file: string): RawFrame[] {
  const r = new PcapReader('t', { anomaly: () => undefined, state: () => undefined });
  return [...r.push(readFileSync(file)), ...r.end()].map((f) => ({ ...f, bytes: Uint8Array.from(f.bytes) }));
}

/** The offline replay, with the agent's inventory settings. */
function replay(file: string): ReturnType<typeof replayFiles> {
  return replayFiles({ files: [file], config: validateConfig({ sensor: { id: 'r', site: 'r', ward: 'r' }, sources: [{ type: 'pcap-file', name: 'r', path: file }], inventory: { learning_period_s: 0, delta_interval_s: 1 } }) });
}

/** What must be equal: everything but times, evidence times and source names (a file there, a dongle here). */
function canon(devices: readonly DeviceRecord[], drop = ''): string[] {
  return devices.map((d) => JSON.stringify({
    ids: d.ids,
    attrs: d.attrs.filter((a) => a.name !== drop).map((a) => `${a.name}=${a.value} (${a.proto} ${a.field} ${a.confidence})${a.conflict === undefined ? '' : ` vs ${a.conflict.value}`}`).sort(),
    frames: d.frames, bytes: d.bytes, peers: d.peers ?? [], facts: d.facts ?? [],
  })).sort();
}

interface Harness {
  readonly dir: string;
  readonly cable: PtyCable;
  /** `name=state detail` of the source in every status message, in order. */
  readonly statuses: string[];
  /** Sum of the latest frame counts of the devices in inventory deltas. */
  framesSeen(): number;
  start(source: Record<string, unknown>): Promise<void>;
  stop(): Promise<DeviceRecord[]>;
  output(): string;
}

async function harness(t: Test): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'dongle-agent-'));
  const broker = await startMosquitto();
  const cable = new PtyCable(dir);
  const statuses: string[] = [];
  const frames = new Map<string, number>();
  const sub = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 100 });
  sub.on('message', (_topic, payload) => {
    const m = decodeTelemetry(payload);
    if (!m.ok) return;
    if (m.kindName === 'status') for (const s of m.body.sources) statuses.push(`${s.name}=${s.state} ${s.detail ?? ''}`);
    if (m.kindName === 'inventory-delta') for (const d of m.body.devices) frames.set(JSON.stringify(d.ids[0]), d.frames);
  });
  await new Promise<void>((resolve, reject) => sub.once('connect', () => sub.subscribe('iomt/v1/s/w/dongle-1/+', { qos: 1 }, (e) => (e ? reject(e) : resolve()))));
  let agent: ReturnType<typeof runAgent> | undefined;
  t.teardown(async () => {
    agent?.child.kill('SIGKILL');
    sub.end(true);
    await cable.unplug();
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir, cable, statuses,
    framesSeen: () => [...frames.values()].reduce((a, b) => a + b, 0),
    output: () => agent?.output() ?? '',
    async start(source) {
      const cfg = join(dir, 'config.yaml');
      // JSON is YAML: the config the agent reads.
      writeFileSync(cfg, JSON.stringify({
        sensor: { id: 'dongle-1', site: 's', ward: 'w' }, state: { dir: join(dir, 'state') }, sources: [source],
        mqtt: { url: broker.url, reconnect: { initial_ms: 100, max_ms: 400 } },
        inventory: { learning_period_s: 0, delta_interval_s: 1 }, health: { interval_s: 5 },
      }));
      agent = runAgent(['--config', cfg]);
    },
    async stop() {
      const a = agent!;
      a.child.kill('SIGTERM');
      const done = await a.exit;
      t.equal(done.code, 0, 'the agent stops cleanly on SIGTERM');
      const inv = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [CLI, 'inventory', '--state', join(dir, 'state'), '--json'], { maxBuffer: 1 << 26 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
      return JSON.parse(inv) as DeviceRecord[];
    },
  };
}

/** The TI command frames the host wrote (info bytes); any byte outside a good frame fails the test. */
function tiCommands(bytes: readonly number[]): number[] {
  const p = new TiParser();
  const units = p.push(Uint8Array.from(bytes));
  if (p.skipped !== 0 || units.some((u) => !u.fcsOk)) return [-1];
  return units.map((u) => u.info);
}

/** Waits until the inventory deltas stop growing (the agent has taken in what was sent). */
async function settled(h: Harness, atLeast: number): Promise<void> {
  await until(`inventory deltas counting ${atLeast}+ frames`, () => h.framesSeen() >= atLeast, 20_000);
  let last = -1;
  while (h.framesSeen() !== last) {
    last = h.framesSeen();
    await sleep(2500);
  }
}

/** Pulls the plug and puts it back: the status must have said retrying with a backoff meanwhile. */
async function unplugReplug(t: Test, h: Harness, name: string, sim: DongleSim): Promise<void> {
  sim.detach();
  await h.cable.unplug();
  const re = new RegExp(`^${name}=retrying .*retrying in \\d+ ms$`);
  await until('status retrying', () => h.statuses.some((s) => re.test(s)), 20_000);
  const retrying = h.statuses.filter((s) => re.test(s));
  t.match(retrying[0], /(unplugged|does not exist|went away|closed)/, `status says why: ${retrying[0]}`);
  await sleep(1500);
  t.ok(h.output().includes('source retrying'), 'the agent logs the retry and keeps running');
  // Backoff 200 ms doubling to 800: the log shows it grow and stop at the cap while the port is gone.
  const delays = [...h.output().matchAll(/retrying in (\d+) ms/g)].map((m) => Number(m[1]));
  t.ok(delays.includes(400) && delays.includes(800) && Math.max(...delays) === 800, `backoff grows to its cap: ${delays.join(' ')}`);
  await h.cable.plug();
}

t.test('nRF Sniffer for Bluetooth LE (v3, driver serialport): the agent builds the inventory of the offline replay, across an unplug', async (t) => {
  const h = await harness(t);
  await h.cable.plug();
  let sim = new NrfBleSim(h.cable, 3);
  sim.attach();
  const [addr, rxRandom] = execFileSync('tshark', ['-r', BLE, '-Y', 'btle.advertising_header.pdu_type==5', '-T', 'fields', '-e', 'btle.advertising_address', '-e', 'btle.advertising_header.randomized_rx'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.split('\t');
  const random = rxRandom === '1' || rxRandom === 'True';
  await h.start({
    type: 'nrf-ble-serial', name: 'ble0', path: h.cable.host, driver: 'serialport', follow: [{ address: addr!.toUpperCase(), random }],
    probe_after_ms: 5000, probe_timeout_ms: 2000, answer_timeout_ms: 1000, backoff: { initial_ms: 200, max_ms: 800 },
  });
  await until('scanning', () => sim.scanning, 30_000);
  await until('status running', () => h.statuses.some((s) => /^ble0=running .* at 1000000 baud, firmware 4\.1\.1/.test(s)), 20_000);
  const pcap = records(BLE);
  const firstData = pcap.findIndex((f) => f.bytes[9]! < 37);
  t.ok(firstData > 20, `${firstData} advertising packets before the connection`);
  // Part one: the first advertisements, then the plug is pulled.
  const cut = Math.floor(firstData / 2);
  for (const f of pcap.slice(0, cut)) t.ok(sim.transmit(f.bytes));
  await settled(h, 1);
  const before = sim.received.slice();
  await unplugReplug(t, h, 'ble0', sim);
  sim = new NrfBleSim(h.cable, 3);
  sim.attach();
  t.teardown(() => sim.detach());
  await until('scanning after replug', () => sim.scanning, 30_000);
  for (const f of pcap.slice(cut)) {
    if (f.bytes[9]! < 37) await until('REQ_FOLLOW after replug', () => sim.follow !== undefined, 5000);
    t.ok(sim.transmit(f.bytes));
  }
  const offline = await replay(BLE);
  await settled(h, offline.devices.reduce((n, d) => n + d.frames, 0));
  const agentInv = await h.stop();
  t.ok(offline.devices.length >= 1, `${offline.devices.length} device(s) offline`);
  t.same(canon(agentInv), canon(offline.devices), 'the same inventory as the offline replay');
  t.ok(agentInv.every((d) => d.sources.join() === 'ble0'), 'every device seen through the dongle source');

  // Every byte written, both sessions: SLIP packets, the v1 host header, allowed ids only.
  for (const [session, bytes] of [['before the unplug', before], ['after the replug', sim.received]] as const) {
    const { packets, stray } = unslip(bytes);
    t.equal(stray, 0, `${session}: no byte outside a SLIP packet`);
    const ids = packets.map((p) => p[5]!);
    t.ok(packets.every((p) => p[0] === 6 && p[2] === 1 && p[1] === p.length - 6 && ALLOWED_IDS.has(p[5]!)), `${session}: ${packets.length} packets, ids ${[...new Set(ids)].join(',')}, all allowed`);
    t.ok(ids.includes(Id.REQ_SCAN_CONT), `${session}: the scan was started`);
    const follows = packets.filter((p) => p[5] === Id.REQ_FOLLOW).map((p) => p.slice(6).join());
    const want = [...addr!.split(':').map((x) => parseInt(x, 16)), random ? 1 : 0, 0].join();
    t.ok(follows.every((f) => f === want), `${session}: REQ_FOLLOW only for the allow-listed device`);
  }
  t.equal(unslip(sim.received).packets.filter((p) => p[5] === Id.REQ_FOLLOW).length, 1, 'followed once after the replug');
});

t.test('nRF Sniffer for 802.15.4 (driver tty): the agent builds the inventory of the offline replay, across an unplug', async (t) => {
  const h = await harness(t);
  await h.cable.plug();
  let sim = new Nrf802154Sim(h.cable);
  sim.attach();
  await h.start({ type: 'nrf802154-serial', name: 'zb0', path: h.cable.host, channel: 15, probe_after_ms: 5000, probe_timeout_ms: 2000, backoff: { initial_ms: 200, max_ms: 800 } });
  await until('receiving', () => sim.receiving, 30_000);
  const pcap = records(ZIGBEE);
  t.equal(pcap[0]?.linkType, 230);
  const cut = Math.floor(pcap.length / 2);
  let lqi = 100;
  for (const f of pcap.slice(0, cut)) t.ok(sim.transmit({ mpdu: f.bytes, channel: 15, rssi: -50, lqi: lqi++ }));
  await settled(h, 1);
  const before = sim.received.slice();
  await unplugReplug(t, h, 'zb0', sim);
  sim = new Nrf802154Sim(h.cable);
  sim.attach();
  t.teardown(() => sim.detach());
  await until('receiving after replug', () => sim.receiving, 30_000);
  for (const f of pcap.slice(cut)) t.ok(sim.transmit({ mpdu: f.bytes, channel: 15, rssi: -50, lqi: lqi++ }));
  const offline = await replay(ZIGBEE);
  await settled(h, offline.devices.reduce((n, d) => n + d.frames, 0));
  const agentInv = await h.stop();
  t.ok(offline.devices.length >= 2, `${offline.devices.length} devices offline`);
  // The one thing the dongle knows and a LINKTYPE 230 file does not: the channel it listened on.
  t.ok(agentInv.every((d) => d.attrs.some((a) => a.name === 'channel' && a.value === '15')), 'channel 15 from the dongle on every node');
  t.notOk(offline.devices.some((d) => d.attrs.some((a) => a.name === 'channel')), 'no channel in the file');
  t.same(canon(agentInv, 'channel'), canon(offline.devices), 'otherwise the same inventory as the offline replay');
  for (const [session, bytes] of [['before the unplug', before], ['after the replug', sim.received]] as const) {
    const lines = Buffer.from(bytes).toString('latin1').split('\r\n');
    t.equal(lines.pop(), '', `${session}: every command ends in CR LF`);
    t.same(lines.filter((l) => !ALLOWED_COMMANDS.some((re) => re.test(l))), [], `${session}: all ${lines.length} lines on the allow-list`);
    t.ok(lines.includes('receive'), `${session}: receive was sent`);
  }
});

t.test('TI Packet Sniffer 2 at 921600 (driver tty): the agent builds the inventory of the offline replay, across an unplug', async (t) => {
  const h = await harness(t);
  await h.cable.plug();
  let sim = new TiSnifferSim(h.cable, 921_600);
  sim.attach();
  await h.start({ type: 'ti-sniffer-serial', name: 'ti0', path: h.cable.host, channel: 15, probe_after_ms: 5000, probe_timeout_ms: 2000, backoff: { initial_ms: 200, max_ms: 800 } });
  await until('started', () => sim.state === 'started', 30_000).catch((e: Error) => { throw new Error(`${e.message}\n${h.output()}\n${h.statuses.join('\n')}`); });
  const pcap = records(CONTROL4);
  t.equal(pcap[0]?.linkType, 195);
  const cut = Math.floor(pcap.length / 2);
  // Channel 15 is 2425 MHz (IEEE 802.15.4-2020 §10.1.3.3: 2405 + 5 (k - 11)).
  for (const f of pcap.slice(0, cut)) t.ok(sim.transmit(f.bytes, 2425, -50));
  await settled(h, 1);
  const before = sim.received.slice();
  await unplugReplug(t, h, 'ti0', sim);
  sim = new TiSnifferSim(h.cable, 921_600);
  sim.attach();
  t.teardown(() => sim.detach());
  await until('started after replug', () => sim.state === 'started', 30_000);
  for (const f of pcap.slice(cut)) t.ok(sim.transmit(f.bytes, 2425, -50));
  const offline = await replay(CONTROL4);
  await settled(h, offline.devices.reduce((n, d) => n + d.frames, 0));
  const agentInv = await h.stop();
  t.ok(offline.devices.length >= 2, `${offline.devices.length} devices offline`);
  t.ok(agentInv.every((d) => d.attrs.some((a) => a.name === 'channel' && a.value === '15')), 'channel 15 from the dongle on every node');
  t.same(canon(agentInv, 'channel'), canon(offline.devices, 'channel'), 'otherwise the same inventory as the offline replay');
  for (const [session, bytes] of [['before the unplug', before], ['after the replug', sim.received]] as const) {
    const ids = tiCommands(bytes);
    t.ok(ids.length > 0 && ids.every((id) => TI_ALLOWED.has(id)), `${session}: ${ids.length} commands, ids ${[...new Set(ids)].map((i) => i.toString(16)).join(',')}, all allowed`);
  }
});

t.test('ble-hci on a kernel without Bluetooth: the agent runs on, the status says why and retries', async (t) => {
  const h = await harness(t);
  await h.start({ type: 'ble-hci', name: 'hci0', device: 0, backoff: { initial_ms: 200, max_ms: 800 } });
  const re = /^hci0=retrying hci0: (Address family not supported by protocol: this kernel has no Bluetooth sockets|.*needs CAP_NET_RAW|.*no such adapter|.*is down)/;
  await until('status retrying', () => h.statuses.some((s) => re.test(s)), 30_000);
  await sleep(2000);
  const delays = [...h.output().matchAll(/retrying in (\d+) ms/g)].map((m) => Number(m[1]));
  t.ok(delays.includes(400) && Math.max(...delays) === 800, `backoff grows to its cap: ${delays.join(' ')}`);
  t.same(await h.stop(), [], 'an empty inventory, and a clean exit');
});
