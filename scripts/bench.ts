/**
 * `npm run bench`: the full agent beside tshark on the same ward capture, in
 * the same run, one after the other so they do not share the two cores.
 *
 *   node dist/scripts/bench.js [--frames N (500000)] [--seed S (1)] [--devices D (60)]
 *        [--broker mqtt://127.0.0.1:1883] [--keep]
 *        [--sections throughput,flood,size,latency,live,realtraffic,startup (also: vulns,wifi,zigbee,ble)] [--real-frames N (500000)] [--flood-frames N (1000000)]
 *        [--latency-frames N (200)] [--live-rates 10000,50000,0] [--live-seconds 2]
 *
 * Sections: `throughput` (below), `flood` (scripts/bench/flood.ts: a
 * random-MAC flood through `run` and `replay`, peak RSS against the caps),
 * `size` (scripts/bench/size.ts: CBOR bytes against the compact JSON of the
 * same content, on the demo ward), `latency` (scripts/bench/latency.ts:
 * frame to published alert on a live veth, root only) and `live`
 * (scripts/bench/live.ts: tcpreplay at rising rates through a veth into a
 * live source; libpcap's drop counters and the highest lossless rate).
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
 * Then, as root, the live section (scripts/bench/live.ts): tcpreplay at rising
 * rates through a veth pair into a live source, the loss at each rate and the
 * highest lossless one, to stdout and var/bench/live.json.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeWardCapture } from './ward-gen.js';
import { CLI, fmt, mib, ROOT, say, subscriber, table, TIME, timed, unitNodeFlags, verdict } from './bench/common.js';
import { floodSection } from './bench/flood.js';
import { zigbeeSection } from './bench/zigbee.js'; // zigbee: issue 10
import { DEFAULT_RATES, liveBench, liveTable } from './bench/live.js';
import { latencySection } from './bench/latency.js';
import { sizeLines, sizeSection } from './bench/size.js';
import { realTrafficLines, realTrafficSection } from './bench/realtraffic.js'; // flows-bench
import { startupLines, startupSection } from './bench/startup.js'; // flows-bench
import { vulnsSection } from './bench/vulns.js';
import { wifiLines, wifiSection } from './bench/wifi.js';
import { bleLines, bleSection } from './bench/ble.js'; // ble: issue 9

const TARGET_SPEEDUP = 10;
const TARGET_RSS_FRACTION = 0.25;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '500000' }, seed: { type: 'string', default: '1' }, devices: { type: 'string', default: '60' },
      broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' }, keep: { type: 'boolean', default: false },
      sections: { type: 'string', default: 'throughput,flood,size,latency,live,realtraffic,startup' }, 'flood-frames': { type: 'string', default: '1000000' },
      'latency-frames': { type: 'string', default: '200' },
      'live-rates': { type: 'string' }, 'live-seconds': { type: 'string', default: '2' },
      'real-frames': { type: 'string', default: '500000' }, // flows-bench: realtraffic
    },
  });
  const sections = new Set(values.sections!.split(','));
  const known = ['throughput', 'flood', 'size', 'latency', 'live', 'realtraffic', 'startup', 'vulns', 'wifi', 'zigbee', 'ble'];
  for (const name of sections) if (!known.includes(name)) throw new Error(`--sections: unknown section ${name}; known: ${known.join(', ')}`);
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing (Debian package "time"); it measures wall time and peak RSS`);
  const benchDir = join(ROOT, 'var', 'bench');
  mkdirSync(benchDir, { recursive: true });
  const result: Record<string, unknown> = {};
  const out: string[] = [];
  if (sections.has('throughput')) out.push(...(await throughputSection(values, benchDir, result)));
  // zigbee (issue 10): 802.15.4 frames/s beside tshark -T fields; opt-in (--sections zigbee), it reads ../shared/captures.
  if (sections.has('zigbee')) {
    const z = zigbeeSection(benchDir, Number(values.frames), ROOT);
    result['zigbee'] = z;
    out.push(`zigbee: ${z.frames} frames, sensor ${Math.round(z.oursFps)} frames/s with decryption (${z.ratio.toFixed(1)}x tshark ${Math.round(z.tsharkFps)}), decode walk alone ${Math.round(z.decodeOnlyFps)} frames/s`);
  }
  if (sections.has('flood')) {
    say(`flood: ${values['flood-frames']} frames from random MACs through run and replay ...`);
    const f = await floodSection(benchDir, Number(values['flood-frames']), values.broker!, values.keep === true);
    result.flood = f;
    out.push(
      `flood: ${f.frames} frames, each from a new random MAC, default caps (inventory.max_devices 4096), node ${unitNodeFlags().join(' ')}`,
      '',
      ...table([
        ['', 'frames/s', 'CPU s', 'peak RSS MiB', 'devices kept'],
        ['iomt-sensor run', fmt(f.run.framesPerSecond), f.run.cpuSeconds.toFixed(1), mib(f.run.maxRssBytes), String(f.run.devices)],
        ['iomt-sensor replay', fmt(f.replay.framesPerSecond), f.replay.cpuSeconds.toFixed(1), mib(f.replay.maxRssBytes), String(f.replay.devices)],
      ]),
      '',
      `target peak RSS <= ${mib(f.targetRssBytes)} MiB: ${verdict(f.run.maxRssBytes <= f.targetRssBytes)} (run), ${verdict(f.replay.maxRssBytes <= f.targetRssBytes)} (replay); ${f.run.evicted} devices evicted by run`,
      '',
    );
  }
  if (sections.has('size')) {
    say('size: the demo ward capture through run, CBOR against compact JSON ...');
    const r = await sizeSection(benchDir, values.broker!, values.keep === true);
    result.size = r;
    out.push(...sizeLines(r));
  }
  if (sections.has('latency')) {
    say(`latency: ${values['latency-frames']} new devices on a live veth, frame to alert ...`);
    out.push(...(await latencySection(benchDir, values.broker!, Number(values['latency-frames']), values.keep === true, result)));
  }
  if (sections.has('live')) {
    if (process.getuid?.() !== 0) say('live section skipped: it needs root for ip netns');
    else {
      const rates = values['live-rates'] === undefined ? DEFAULT_RATES : values['live-rates'].split(',').map(Number);
      if (rates.some((r) => !Number.isInteger(r) || r < 0)) throw new Error('--live-rates expects comma-separated frames/s, 0 for topspeed');
      const r = await liveBench(join(benchDir, 'live-ward.pcap'), rates, Number(values['live-seconds']), say);
      result.live = r;
      out.push('live capture (tcpreplay through a veth into pcap-live + decode + inventory)', '', ...liveTable(r), '');
    }
  }
  // flows-bench: the shared wired captures repeated, agent beside tshark and nDPI (scripts/bench/realtraffic.ts).
  if (sections.has('realtraffic')) {
    say(`realtraffic: the shared wired captures repeated to ${values['real-frames']} frames: replay, tshark, ndpiReader, profile ...`);
    const r = await realTrafficSection(benchDir, Number(values['real-frames']), values.keep === true);
    result.realtraffic = r;
    out.push(...realTrafficLines(r));
  }
  // flows-bench: start-up cost beside bare node (scripts/bench/startup.ts).
  if (sections.has('startup')) {
    say('startup: node -e 0, --version and a 9-frame replay ...');
    const r = await startupSection();
    result.startup = r;
    out.push(...startupLines(r));
  }
  // vulns (issue 12): feed ingestion and re-correlation (scripts/bench/vulns.ts); run with --sections vulns.
  if (sections.has('vulns')) {
    say('vulns: 144 advisories ingested, 10k devices correlated ...');
    const v = await vulnsSection();
    result.vulns = v.result;
    out.push(...v.lines);
  }
  // wifi (issue 8): radiotap replay beside tshark, and a random station MAC flood.
  if (sections.has('wifi')) {
    say('wifi: radiotap ward through replay beside tshark, then 100k random station MACs ...');
    const r = await wifiSection(benchDir, 14_400, 100_000);
    result.wifi = r;
    out.push(...wifiLines(r));
  }
  // ble (issue 9): nRF Sniffer replay beside tshark, then 1M random-address advertisements (scripts/bench/ble.ts); opt-in (--sections ble).
  if (sections.has('ble')) {
    say('ble: BLE ward through replay beside tshark, then 1M random-address advertisements ...');
    const r = await bleSection(benchDir, 12_000, 1_000_000);
    result.ble = r;
    out.push(...bleLines(r));
  }
  writeFileSync(join(benchDir, 'last.json'), JSON.stringify(result, null, 2) + '\n');
  out.push(`written to ${join(benchDir, 'last.json')}`);
  process.stdout.write(out.join('\n') + '\n');
}

interface BenchArgs {
  readonly frames?: string;
  readonly seed?: string;
  readonly devices?: string;
  readonly broker?: string;
  readonly keep?: boolean;
}

/** The ward capture through the whole agent, beside tshark on the same file. */
async function throughputSection(values: BenchArgs, benchDir: string, all: Record<string, unknown>): Promise<string[]> {
  const frames = Number(values.frames);
  const seed = Number(values.seed);
  const devices = Number(values.devices);

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
  all.throughput = result;

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
  out.push(...table(mrows), '');
  return out;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
