/**
 * `npm run bench`: the full agent beside tshark on the same ward capture, in
 * the same run, one after the other so they do not share the two cores.
 *
 *   node dist/scripts/bench.js [--frames N (500000)] [--seed S (1)] [--devices D (60)]
 *        [--broker mqtt://127.0.0.1:1883] [--keep]
 *        [--no-live | --live-only] [--live-rates 10000,50000,0] [--live-seconds 2]
 *
 * The capture is generated once per seed/frames/devices under var/bench/
 * (git-ignored) and reused. The agent runs as `iomt-sensor run
 * --exit-when-done --stats-file` with a fresh state directory, publishing to
 * the broker under iomt/v1/bench/...; a subscriber here counts messages and
 * payload bytes per stream. tshark extracts comparable fields. Both run
 * under /usr/bin/time for wall seconds and peak RSS. Results go to stdout
 * as a table and to var/bench/last.json. Nothing here asserts a time: the
 * targets are reported as met or not met.
 *
 * Then, as root, the live section (scripts/bench-live.ts): tcpreplay at rising
 * rates through a veth pair into a live source, the loss at each rate and the
 * highest lossless one, to stdout and var/bench/live.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { writeWardCapture } from './ward-gen.js';
import { DEFAULT_RATES, liveBench, liveTable } from './bench-live.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const TIME = '/usr/bin/time';
const TARGET_SPEEDUP = 10;
const TARGET_RSS_FRACTION = 0.25;

interface Timed {
  readonly code: number;
  readonly seconds: number;
  readonly maxRssBytes: number;
  readonly stderr: string;
}

/**
 * The V8 flags the systemd unit starts the agent with (its ExecStart line), so
 * the benchmark measures the agent as it runs on a ward, not a differently
 * tuned one.
 */
function unitNodeFlags(): string[] {
  const unit = join(ROOT, 'systemd', 'iomt-sensor.service');
  if (!existsSync(unit)) return [];
  const m = /^ExecStart=\S*node((?:\s+--[\w-]+(?:=\S+)?)*)\s/m.exec(readFileSync(unit, 'utf8'));
  return m?.[1]?.trim().split(/\s+/).filter((f) => f !== '') ?? [];
}

/** Runs argv under `/usr/bin/time -f '%e %M'`, stdout discarded. */
function timed(argv: readonly string[]): Promise<Timed> {
  return new Promise((res, rej) => {
    const child = spawn(TIME, ['-f', '@@time %e %M', ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('error', rej);
    child.once('exit', (code) => {
      const m = /@@time ([\d.]+) (\d+)/.exec(err);
      if (m === null) return rej(new Error(`no timing from ${argv[0]}: ${err.slice(-500)}`));
      res({ code: code ?? 1, seconds: Number(m[1]), maxRssBytes: Number(m[2]) * 1024, stderr: err.replace(m[0], '') });
    });
  });
}

interface StreamCount { count: number; bytes: number }

/** Subscribes before the agent starts; counts non-retained messages per stream. */
async function subscriber(url: string, filter: string): Promise<{ byStream: Map<string, StreamCount>; close(): Promise<void>; total(): number }> {
  const client = mqtt.connect(url, { protocolVersion: 5, clean: true, clientId: `bench-sub-${process.pid}` });
  const byStream = new Map<string, StreamCount>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain) return;
    const stream = topic.slice(topic.lastIndexOf('/') + 1);
    const s = byStream.get(stream) ?? { count: 0, bytes: 0 };
    s.count++;
    s.bytes += payload.length;
    byStream.set(stream, s);
  });
  await new Promise<void>((res, rej) => {
    client.once('connect', () => client.subscribe(filter, { qos: 1 }, (e) => (e ? rej(e) : res())));
    client.once('error', rej);
  });
  let n = 0;
  return {
    byStream,
    total: () => {
      n = 0;
      for (const s of byStream.values()) n += s.count;
      return n;
    },
    close: () => new Promise((res) => client.end(false, {}, () => res())),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '500000' }, seed: { type: 'string', default: '1' }, devices: { type: 'string', default: '60' },
      broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' }, keep: { type: 'boolean', default: false },
      'no-live': { type: 'boolean', default: false }, 'live-only': { type: 'boolean', default: false },
      'live-rates': { type: 'string' }, 'live-seconds': { type: 'string', default: '2' },
    },
  });
  const benchDir = join(ROOT, 'var', 'bench');
  mkdirSync(benchDir, { recursive: true });
  const live = async (): Promise<void> => {
    if (values['no-live']) return;
    if (process.getuid?.() !== 0) {
      say('live section skipped: it needs root for ip netns');
      return;
    }
    const rates = values['live-rates'] === undefined ? DEFAULT_RATES : values['live-rates'].split(',').map(Number);
    if (rates.some((r) => !Number.isInteger(r) || r < 0)) throw new Error('--live-rates expects comma-separated frames/s, 0 for topspeed');
    const r = await liveBench(join(benchDir, 'live-ward.pcap'), rates, Number(values['live-seconds']), say);
    writeFileSync(join(benchDir, 'live.json'), JSON.stringify(r, null, 2) + '\n');
    process.stdout.write(['', 'live capture (tcpreplay through a veth into pcap-live + decode + inventory)', '', ...liveTable(r), '',
      `written to ${join(benchDir, 'live.json')}`, ''].join('\n'));
  };
  if (values['live-only']) return live();
  const frames = Number(values.frames);
  const seed = Number(values.seed);
  const devices = Number(values.devices);
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing (Debian package "time"); it measures wall time and peak RSS`);

  // 1. The capture, generated once per parameters.
  const capture = join(benchDir, `ward-s${seed}-f${frames}-d${devices}.pcap`);
  if (!existsSync(capture)) {
    const t0 = process.hrtime.bigint();
    const g = await writeWardCapture({ out: capture, frames, seed, devices });
    say(`generated ${capture}: ${g.frames} frames, ${g.devices} devices, ${mib(g.bytes)} MiB in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)} s`);
  } else say(`reusing ${capture}`);
  const fileBytes = statSync(capture).size;

  // 2. tshark, extracting fields comparable with what the agent reads.
  say('tshark ...');
  const ts = await timed(['tshark', '-r', capture, '-n', '-T', 'fields', '-e', 'frame.len', '-e', 'eth.src', '-e', 'eth.dst',
    '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ipv6.src']);
  if (ts.code !== 0) throw new Error(`tshark exited with ${ts.code}: ${ts.stderr.slice(-500)}`);

  // 3. The agent, with a fresh state directory, publishing to the real broker.
  const work = mkdtempSync(join(benchDir, 'run-'));
  const sensor = `bench-${process.pid}`;
  const config = join(work, 'config.yaml');
  const statsFile = join(work, 'stats.json');
  writeFileSync(config, `# Written by scripts/bench.ts.
sensor: {id: ${sensor}, site: bench, ward: ward-gen}
state: {dir: ${join(work, 'state')}}
sources:
  - {type: pcap-file, name: ward-span, path: ${JSON.stringify(capture)}}
mqtt:
  url: ${values.broker}
inventory:
  max_devices: 4096
`);
  const sub = await subscriber(values.broker!, `iomt/v1/bench/ward-gen/${sensor}/#`);
  const flags = unitNodeFlags();
  say(`agent: node ${flags.join(' ')} ${CLI} run --config ${config} --exit-when-done --stats-file ${statsFile}`);
  const ag = await timed([process.execPath, ...flags, CLI, 'run', '--config', config, '--exit-when-done', '--stats-file', statsFile]);
  if (ag.code !== 0) {
    await sub.close();
    throw new Error(`the agent exited with ${ag.code}: ${ag.stderr.slice(-1500)}`);
  }
  // The agent exits once the broker acknowledged everything; let the broker deliver the last ones to us.
  for (let last = -1; sub.total() !== last;) {
    last = sub.total();
    await new Promise((r) => setTimeout(r, 500));
  }
  await sub.close();
  const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as {
    frames: number; bytes: number; pipelineSeconds: number; totalSeconds: number; framesPerSecond: number; maxRssBytes: number;
    messages?: { published?: number };
  };
  if (!values.keep) rmSync(work, { recursive: true, force: true });

  // 4. The table.
  const tsFps = frames / ts.seconds;
  const agWallFps = stats.frames / ag.seconds;
  const agRss = ag.maxRssBytes;
  let msgs = 0;
  let payload = 0;
  const byStream: Record<string, { count: number; bytes: number; meanBytes: number }> = {};
  for (const [k, v] of [...sub.byStream].sort()) {
    msgs += v.count;
    payload += v.bytes;
    byStream[k] = { ...v, meanBytes: v.bytes / v.count };
  }
  const speedWall = agWallFps / tsFps;
  const speedPipe = stats.framesPerSecond / tsFps;
  const rssRatio = agRss / ts.maxRssBytes;
  const result = {
    capture: { path: capture, frames, seed, devices, bytes: fileBytes },
    tshark: { seconds: ts.seconds, framesPerSecond: tsFps, maxRssBytes: ts.maxRssBytes },
    agent: {
      frames: stats.frames, wallSeconds: ag.seconds, framesPerSecondWall: agWallFps,
      pipelineSeconds: stats.pipelineSeconds, framesPerSecondPipeline: stats.framesPerSecond,
      maxRssBytes: agRss, maxRssBytesSelfReported: stats.maxRssBytes, published: stats.messages?.published,
    },
    messages: { received: msgs, payloadBytes: payload, meanBytes: msgs > 0 ? payload / msgs : 0, byStream },
    ratios: { framesPerSecondWall: speedWall, framesPerSecondPipeline: speedPipe, rss: rssRatio },
    targets: {
      speedup: { target: `>= ${TARGET_SPEEDUP}x tshark frames/s`, metWall: speedWall >= TARGET_SPEEDUP, metPipeline: speedPipe >= TARGET_SPEEDUP },
      rss: { target: `< ${TARGET_RSS_FRACTION} of tshark peak RSS`, met: rssRatio < TARGET_RSS_FRACTION },
    },
  };
  writeFileSync(join(benchDir, 'last.json'), JSON.stringify(result, null, 2) + '\n');

  const rows: string[][] = [
    ['', 'frames', 'seconds', 'frames/s', 'peak RSS MiB'],
    ['tshark -T fields', String(frames), ts.seconds.toFixed(2), fmt(tsFps), mib(ts.maxRssBytes)],
    ['agent (process wall)', String(stats.frames), ag.seconds.toFixed(2), fmt(agWallFps), mib(agRss)],
    ['agent (pipeline only)', String(stats.frames), stats.pipelineSeconds.toFixed(2), fmt(stats.framesPerSecond), ''],
  ];
  const out: string[] = [];
  out.push(`capture ${capture} (${mib(fileBytes)} MiB, ${frames} frames, ${devices} devices, seed ${seed})`, '');
  out.push(...table(rows), '');
  out.push(`frames/s ours/tshark: ${speedWall.toFixed(2)}x (process wall), ${speedPipe.toFixed(2)}x (pipeline only)`);
  out.push(`peak RSS ours/tshark: ${rssRatio.toFixed(3)}`);
  out.push(`target >= ${TARGET_SPEEDUP}x tshark frames/s: ${verdict(speedWall >= TARGET_SPEEDUP)} (wall), ${verdict(speedPipe >= TARGET_SPEEDUP)} (pipeline)`);
  out.push(`target RSS < ${TARGET_RSS_FRACTION} of tshark: ${verdict(rssRatio < TARGET_RSS_FRACTION)}`, '');
  const mrows: string[][] = [['stream', 'messages', 'bytes', 'bytes/message']];
  for (const [k, v] of Object.entries(byStream)) mrows.push([k, String(v.count), String(v.bytes), v.meanBytes.toFixed(1)]);
  mrows.push(['all', String(msgs), String(payload), msgs > 0 ? (payload / msgs).toFixed(1) : '-']);
  out.push(...table(mrows), '', `written to ${join(benchDir, 'last.json')}`);
  process.stdout.write(out.join('\n') + '\n');
  await live();
}

function table(rows: readonly string[][]): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function mib(b: number): string {
  return (b / 1048576).toFixed(1);
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'not met';
}

function say(s: string): void {
  process.stderr.write(`bench: ${s}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
