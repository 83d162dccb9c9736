/**
 * The latency section of `npm run bench`: how long an alert takes from the
 * frame on the wire to a subscriber of the broker (issue 6 part 8: "frame to
 * PUBACK, p99 under 100 ms"). Root only: it makes a network namespace.
 *
 * A veth pair joins a namespace `h7lat-<pid>` to the root namespace. The
 * agent runs `iomt-sensor run` with a `pcap-live` source (tcpdump) on the
 * root-namespace end, because the source config has no way to wrap tcpdump
 * in `ip netns exec`; a small Python AF_PACKET sender inside the namespace
 * writes the frames on the other end. Every frame comes from a new MAC, so
 * each one raises `inventory.new_device` (learning period 0, the gate's
 * per-minute limit raised out of the way). The sender stamps each frame
 * with CLOCK_MONOTONIC just before `send()`; the subscriber here stamps each
 * alert with the same clock (`process.hrtime`, libuv's uv_hrtime) when it
 * arrives; the two are matched by device id.
 *
 * Frame to subscriber is the end-to-end figure: the agent's PUBLISH,
 * Mosquitto's forward to us, and our client's parsing are inside it. It is
 * not a strict bound on frame to PUBACK: Mosquitto may forward to us before
 * it acknowledges the sender. So a tcpdump on `lo` also records the agent's
 * PUBLISH and the broker's PUBACK on the wire (mqtt-wire.ts), by
 * CLOCK_REALTIME, and the target is judged on those; the difference between
 * the two is the broker's share, everything before the PUBLISH the agent's
 * (capture, pipeline, the fsync'd outbox commit) and the kernel's.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { decodeTelemetry } from '../../src/telemetry/index.js';
import { publishesWithAcks } from './mqtt-wire.js';
import { CLI, say, table, unitNodeFlags, verdict } from './common.js';

/** The issue's target: p99 of frame to PUBACK below this. */
export const LATENCY_TARGET_P99_MS = 100;

/**
 * Reads 6-byte MACs as hex lines on stdin and sends, for each, one
 * Ethernet/IPv4/UDP frame (60 bytes, the flood section's layout) from that
 * MAC to the ward gateway, UDP port 9; prints `<mac> <monotonic ns>` with
 * the time taken just before send(), then the same instant by CLOCK_REALTIME
 * (the clock of the loopback capture's timestamps).
 */
const SENDER = `
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
dst = bytes.fromhex('0011220000fe')
rest = bytes.fromhex('0800' '4500002e00004000401100000a6300010a1e0001' '30390009001a0000') + bytes(18)
print('ready', flush=True)
for line in sys.stdin:
    mac = line.strip()
    frame = dst + bytes.fromhex(mac) + rest
    t = time.monotonic_ns()
    r = time.time_ns()
    s.send(frame)
    print(mac, t, r, flush=True)
`;

export interface LatencyResult {
  readonly frames: number;
  readonly ratePerSecond: number;
  readonly received: number;
  readonly missing: number;
  /** Frame to subscriber, the primary measure. */
  readonly ms: Percentiles;
  /** From the loopback capture: frame to the agent's PUBLISH on the wire, and to the broker's PUBACK. */
  readonly wire: { publish: Percentiles; puback: Percentiles };
  readonly load: string;
  /** Per frame, in send order: ms since the first frame was sent, and frame to subscriber in ms (-1: never arrived). For finding what the slow ones share. */
  readonly series: Array<[number, number]>;
  readonly agentCounters: Record<string, number>;
  readonly target: { p99Ms: number; met: boolean };
}

export interface Percentiles { n: number; p50: number; p95: number; p99: number; max: number; min: number; mean: number }

function percentiles(values: readonly number[]): Percentiles {
  const v = [...values].sort((a, b) => a - b);
  return {
    n: v.length, p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99),
    max: v[v.length - 1] ?? NaN, min: v[0] ?? NaN, mean: v.reduce((a, b) => a + b, 0) / Math.max(1, v.length),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const macHex = (tag: number, i: number): string => `02${tag.toString(16).padStart(2, '0')}${(i >>> 0).toString(16).padStart(8, '0')}`;
const macKey = (hex: string): string => `mac:${hex.match(/../g)!.join(':')}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Two runs: tcpdump as the agent starts it, and the same with
 * `immediate: true` in the source's config (tcpdump `--immediate-mode`,
 * with `buffer_kib: 16384` to offset its smaller ring). Without it, libpcap on Linux (TPACKET_V3) hands packets over only
 * when a ring block fills or tcpdump's 1000 ms timeout expires, so on a
 * quiet link every frame waits up to a second; with it, libpcap falls back
 * to TPACKET_V2 slots sized by the snaplen, which drop bursts (see the
 * README). The second run shows what the choice is worth in latency.
 */
export async function latencySection(benchDir: string, broker: string, frames: number, keep: boolean, all: Record<string, unknown>): Promise<string[]> {
  if (process.getuid?.() !== 0) return ['latency: skipped, it needs root for the network namespace and the capture', ''];
  const shipped = await latencyRun(benchDir, broker, frames, keep, false);
  const immediate = await latencyRun(benchDir, broker, frames, keep, true);
  all.latency = { shipped: shipped.result, immediateMode: immediate.result };
  return [...shipped.lines, ...immediate.lines];
}

async function latencyRun(benchDir: string, broker: string, frames: number, keep: boolean, immediate: boolean): Promise<{ result: LatencyResult; lines: string[] }> {
  const id = (process.pid % 10_000) * 10 + (immediate ? 1 : 0);
  const ns = `h7lat-${id}`;
  const outside = `h7l${id}a`;
  const inside = `h7l${id}b`;
  const ip = (...a: string[]): void => void execFileSync('ip', a, { stdio: 'ignore' });
  const cleanup: Array<() => void> = [];
  let agent: ChildProcess | undefined;
  let sender: ChildProcess | undefined;
  let client: mqtt.MqttClient | undefined;
  let loCap: ChildProcess | undefined;
  const work = mkdtempSync(join(benchDir, 'latency-'));
  try {
    ip('netns', 'add', ns);
    cleanup.push(() => ip('netns', 'del', ns));
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    cleanup.push(() => ip('link', 'del', outside));
    ip('link', 'set', inside, 'netns', ns);
    // No IPv6 on either end: the kernel's own router solicitations and MLD reports would only be noise.
    execFileSync('sysctl', ['-q', '-w', `net.ipv6.conf.${outside}.disable_ipv6=1`], { stdio: 'ignore' });
    ip('netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${inside}.disable_ipv6=1`);
    ip('link', 'set', outside, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up');

    const sensor = `bench-lat-${process.pid}`;
    const config = join(work, 'config.yaml');
    const statsFile = join(work, 'stats.json');
    writeFileSync(config, `# Written by scripts/bench/latency.ts.
sensor: {id: ${sensor}, site: bench, ward: latency}
state: {dir: ${join(work, 'state')}}
sources:
  - {type: pcap-live, name: veth, iface: ${outside}, filter: "udp dst port 9"${immediate ? ', immediate: true, buffer_kib: 16384' : ''}}
mqtt:
  url: ${broker}
inventory:
  learning_period_s: 0
alerts:
  max_per_minute: 100000
`);
    // The subscriber first, so no alert is published before someone listens.
    const arrived = new Map<string, bigint>();
    client = mqtt.connect(broker, { protocolVersion: 5, clean: true, clientId: `bench-lat-sub-${process.pid}` });
    client.on('message', (_topic, payload) => {
      const t = process.hrtime.bigint();
      const m = decodeTelemetry(payload);
      if (m.ok && m.kindName === 'alert' && m.body.code === 'inventory.new_device' && !arrived.has(m.body.device)) arrived.set(m.body.device, t);
    });
    await new Promise<void>((res, rej) => {
      client!.once('connect', () => client!.subscribe(`iomt/v1/bench/latency/${sensor}/alerts`, { qos: 1 }, (e) => (e ? rej(e) : res())));
      client!.once('error', rej);
    });

    // The loopback capture, before the agent connects, for PUBLISH and PUBACK times on the wire.
    const loPcap = join(work, 'lo.pcap');
    // Not --immediate-mode: the kernel stamps packets on arrival whatever the delivery delay, and
    // immediate mode's small TPACKET_V2 ring dropped PUBACKs from bursts of alerts.
    loCap = spawn('tcpdump', ['-U', '-B', '8192', '-n', '-i', 'lo', '-w', loPcap, '--', `tcp port ${new URL(broker).port || 1883}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const loExit = new Promise<void>((r) => loCap!.once('exit', () => r()));
    await new Promise<void>((res, rej) => {
      let err = '';
      const t = setTimeout(() => rej(new Error(`latency: tcpdump on lo did not start: ${err}`)), 15_000);
      loCap!.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) {
          clearTimeout(t);
          res();
        }
      });
    });

    // The agent logs to stdout; both are kept (the tail) to explain a failure.
    let agentErr = '';
    agent = spawn(process.execPath, [...unitNodeFlags(), CLI, 'run', '--config', config, '--stats-file', statsFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const out of [agent.stdout!, agent.stderr!]) out.on('data', (d: Buffer) => { agentErr = (agentErr + d.toString()).slice(-4000); });
    const agentExit = new Promise<number>((r) => agent!.once('exit', (code) => r(code ?? 1)));

    sender = spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-u', '-c', SENDER, inside], { stdio: ['pipe', 'pipe', 'inherit'] });
    const sent = new Map<string, bigint>();
    const sentReal = new Map<string, bigint>();
    let senderReady!: () => void;
    const ready = new Promise<void>((res, rej) => {
      senderReady = res;
      sender!.once('exit', (code) => rej(new Error(`latency: the frame sender exited with ${code} before it was ready`)));
    });
    createInterface({ input: sender.stdout! }).on('line', (line) => {
      if (line === 'ready') return senderReady();
      const [mac, mono, real] = line.split(' ');
      if (mac === undefined || mono === undefined || real === undefined) return;
      sent.set(macKey(mac), BigInt(mono));
      sentReal.set(macKey(mac), BigInt(real));
    });
    await ready;

    // Warm-up: until one alert comes back, the agent is still starting or tcpdump not yet capturing.
    const warmEnd = Date.now() + 30_000;
    let warm = 0;
    for (;;) {
      if ([...arrived.keys()].some((k) => k.startsWith('mac:02:78:'))) break;
      if (Date.now() > warmEnd) throw new Error(`latency: no alert came back within 30 s of warm-up frames; agent stderr: ${agentErr.slice(-1500)}`);
      sender.stdin!.write(`${macHex(0x78, warm++)}\n`);
      await sleep(500);
    }
    say(`latency: agent ready after ${warm} warm-up frames; sending ${frames}`);

    const rate = 20;
    const t0 = Date.now();
    for (let i = 0; i < frames; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      sender.stdin!.write(`${macHex(0x77, i)}\n`);
    }
    const keys = Array.from({ length: frames }, (_, i) => macKey(macHex(0x77, i)));
    const lateEnd = Date.now() + 10_000;
    while (Date.now() < lateEnd && keys.some((k) => !arrived.has(k))) await sleep(100);

    const load = readFileSync('/proc/loadavg', 'utf8').trim();
    agent.kill('SIGTERM');
    const code = await Promise.race([agentExit, sleep(15_000).then(() => -1)]);
    if (code !== 0) say(`latency: the agent exited with ${code}: ${agentErr.slice(-500)}`);
    let agentCounters: Record<string, number> = {};
    try {
      const st = JSON.parse(readFileSync(statsFile, 'utf8')) as { counters?: Record<string, number> };
      agentCounters = Object.fromEntries(Object.entries(st.counters ?? {}).filter(([k]) => k.startsWith('alerts.') || k.startsWith('source.') || k === 'frames'));
    } catch { /* the agent did not write its stats; reported as empty */ }

    // libpcap hands over a ring block on its 1 s timeout; give the last one time before stopping.
    await sleep(1500);
    loCap.kill('SIGTERM');
    await Promise.race([loExit, sleep(5000)]);
    const toPublish: number[] = [];
    const toPuback: number[] = [];
    const alertsTopic = `iomt/v1/bench/latency/${sensor}/alerts`;
    for (const p of publishesWithAcks(loPcap, Number(new URL(broker).port || 1883), (t) => t === alertsTopic)) {
      const m = decodeTelemetry(p.payload);
      const s = m.ok && m.kindName === 'alert' ? sentReal.get(m.body.device) : undefined;
      if (s === undefined || !(m.ok && m.kindName === 'alert' && m.body.device.startsWith('mac:02:77:'))) continue;
      toPublish.push(Number(p.ns - s) / 1e6);
      if (p.pubackNs !== undefined) toPuback.push(Number(p.pubackNs - s) / 1e6);
    }

    const lat: number[] = [];
    for (const k of keys) {
      const a = arrived.get(k);
      const s = sent.get(k);
      if (a !== undefined && s !== undefined) lat.push(Number(a - s) / 1e6);
    }
    lat.sort((a, b) => a - b);
    const wire = { publish: percentiles(toPublish), puback: percentiles(toPuback) };
    const first = sent.get(keys[0]!) ?? 0n;
    const series = keys.map((k): [number, number] => {
      const s = sent.get(k);
      const a = arrived.get(k);
      return [s === undefined ? -1 : Math.round(Number(s - first) / 1e5) / 10, s === undefined || a === undefined ? -1 : Math.round(Number(a - s) / 1e5) / 10];
    });
    const r: LatencyResult = {
      frames, ratePerSecond: rate, received: lat.length, missing: frames - lat.length,
      ms: percentiles(lat),
      wire,
      load,
      series,
      agentCounters,
      // Judged on the PUBACKs seen on the wire; a lost alert or an unmatched PUBACK counts as a miss whatever the percentiles say.
      target: { p99Ms: LATENCY_TARGET_P99_MS, met: lat.length === frames && wire.puback.n === frames && wire.puback.p99 < LATENCY_TARGET_P99_MS },
    };
    const f = (x: number): string => x.toFixed(1);
    const row = (name: string, p: Percentiles): string[] => [name, `${p.n}/${frames}`, f(p.min), f(p.p50), f(p.p95), f(p.p99), f(p.max), f(p.mean)];
    const lines = [
      `latency${immediate ? ' (immediate: true, buffer_kib: 16384)' : ' (pcap-live defaults)'}: ${frames} frames at ${rate}/s, each from a new MAC, on a veth into pcap-live; frame send to alert at a subscriber of ${broker}`,
      `load average during the run: ${load}`,
      '',
      ...table([
        ['', 'alerts', 'min ms', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms'],
        row('frame to agent PUBLISH (lo)', wire.publish),
        row('frame to broker PUBACK (lo)', wire.puback),
        row('frame to subscriber', r.ms),
      ]),
      '',
      `target p99 frame to PUBACK < ${LATENCY_TARGET_P99_MS} ms: ${verdict(r.target.met)} (p99 ${f(wire.puback.p99)} ms on the wire; frame to subscriber p99 ${f(r.ms.p99)} ms)`,
      `agent counters: ${Object.entries(agentCounters).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}`,
      '',
    ];
    return { result: r, lines };
  } finally {
    sender?.stdin?.end();
    if (loCap !== undefined && loCap.exitCode === null) loCap.kill('SIGKILL');
    sender?.kill();
    if (agent !== undefined && agent.exitCode === null) agent.kill('SIGKILL');
    await new Promise<void>((res) => (client === undefined ? res() : client.end(true, {}, () => res())));
    for (const c of cleanup.reverse()) {
      try {
        c();
      } catch { /* already gone */ }
    }
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}
