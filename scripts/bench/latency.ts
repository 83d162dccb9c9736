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
 * What it measures is frame to subscriber: the agent's PUBLISH, Mosquitto's
 * forward to us, and our client's parsing are all inside it, so it is an
 * upper bound on frame to PUBACK (the agent's outbox commit, fsync'd, comes
 * before the PUBLISH and is inside both).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { decodeTelemetry } from '../../src/telemetry/index.js';
import { CLI, say, table, unitNodeFlags, verdict } from './common.js';

/** The issue's target: p99 of frame to PUBACK below this. */
export const LATENCY_TARGET_P99_MS = 100;

/**
 * Reads 6-byte MACs as hex lines on stdin and sends, for each, one
 * Ethernet/IPv4/UDP frame (60 bytes, the flood section's layout) from that
 * MAC to the ward gateway, UDP port 9; prints `<mac> <monotonic ns>` with
 * the time taken just before send().
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
    s.send(frame)
    print(mac, t, flush=True)
`;

export interface LatencyResult {
  readonly frames: number;
  readonly ratePerSecond: number;
  readonly received: number;
  readonly missing: number;
  readonly ms: { p50: number; p95: number; p99: number; max: number; min: number; mean: number };
  readonly load: string;
  readonly agentCounters: Record<string, number>;
  readonly target: { p99Ms: number; met: boolean };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const macHex = (tag: number, i: number): string => `02${tag.toString(16).padStart(2, '0')}${(i >>> 0).toString(16).padStart(8, '0')}`;
const macKey = (hex: string): string => `mac:${hex.match(/../g)!.join(':')}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function latencySection(benchDir: string, broker: string, frames: number, keep: boolean, all: Record<string, unknown>): Promise<string[]> {
  if (process.getuid?.() !== 0) return ['latency: skipped, it needs root for the network namespace and the capture', ''];
  const id = process.pid % 100_000;
  const ns = `h7lat-${id}`;
  const outside = `h7l${id}a`;
  const inside = `h7l${id}b`;
  const ip = (...a: string[]): void => void execFileSync('ip', a, { stdio: 'ignore' });
  const cleanup: Array<() => void> = [];
  let agent: ChildProcess | undefined;
  let sender: ChildProcess | undefined;
  let client: mqtt.MqttClient | undefined;
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
  - {type: pcap-live, name: veth, iface: ${outside}, filter: "udp dst port 9"}
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

    let agentErr = '';
    agent = spawn(process.execPath, [...unitNodeFlags(), CLI, 'run', '--config', config, '--stats-file', statsFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    agent.stderr!.on('data', (d: Buffer) => { agentErr = (agentErr + d.toString()).slice(-4000); });
    const agentExit = new Promise<number>((r) => agent!.once('exit', (code) => r(code ?? 1)));

    sender = spawn('ip', ['netns', 'exec', ns, '/usr/bin/python3', '-u', '-c', SENDER, inside], { stdio: ['pipe', 'pipe', 'inherit'] });
    const sent = new Map<string, bigint>();
    let senderReady!: () => void;
    const ready = new Promise<void>((r) => (senderReady = r));
    createInterface({ input: sender.stdout! }).on('line', (line) => {
      if (line === 'ready') return senderReady();
      const [mac, ns_] = line.split(' ');
      if (mac !== undefined && ns_ !== undefined) sent.set(macKey(mac), BigInt(ns_));
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

    const lat: number[] = [];
    for (const k of keys) {
      const a = arrived.get(k);
      const s = sent.get(k);
      if (a !== undefined && s !== undefined) lat.push(Number(a - s) / 1e6);
    }
    lat.sort((a, b) => a - b);
    const r: LatencyResult = {
      frames, ratePerSecond: rate, received: lat.length, missing: frames - lat.length,
      ms: {
        p50: percentile(lat, 50), p95: percentile(lat, 95), p99: percentile(lat, 99), max: lat[lat.length - 1] ?? NaN,
        min: lat[0] ?? NaN, mean: lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length),
      },
      load,
      agentCounters,
      // A lost alert counts as a miss whatever the percentiles say.
      target: { p99Ms: LATENCY_TARGET_P99_MS, met: lat.length === frames && percentile(lat, 99) < LATENCY_TARGET_P99_MS },
    };
    all.latency = r;
    const f = (x: number): string => x.toFixed(1);
    return [
      `latency: ${frames} frames at ${rate}/s, each from a new MAC, on a veth into pcap-live (tcpdump -U --immediate-mode); frame send to alert at a subscriber of ${broker}`,
      `load average during the run: ${load}`,
      '',
      ...table([
        ['', 'alerts', 'min ms', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean ms'],
        ['frame to subscriber', `${lat.length}/${frames}`, f(r.ms.min), f(r.ms.p50), f(r.ms.p95), f(r.ms.p99), f(r.ms.max), f(r.ms.mean)],
      ]),
      '',
      `target p99 frame to PUBACK < ${LATENCY_TARGET_P99_MS} ms (bounded above by frame to subscriber): ${verdict(r.target.met)}`,
      `agent counters: ${Object.entries(agentCounters).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)'}`,
      '',
    ];
  } finally {
    sender?.stdin?.end();
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
