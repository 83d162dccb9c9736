/**
 * The real-traffic section of `npm run bench` (issue 7): the shared wired
 * captures (../shared/captures/ethernet_fingerprint and ethernet_medical,
 * read in place), concatenated and repeated to about 500k frames in the
 * bench's own directory (never the repository), then in one run:
 *   - the agent: `iomt-sensor replay --json` (decode, inventory with its
 *     sighting sources, flows), under the systemd unit's node flags;
 *   - `tshark -T fields` with the fields the sensor extracts;
 *   - `ndpiReader` (Debian libndpi-bin), nDPI's own demo reader, whole process.
 * Each: wall seconds, frames/s, CPU seconds and peak RSS (/usr/bin/time).
 * Then a `node --cpu-prof` profile of the agent's replay of the same file,
 * summarised as the functions with the most self time.
 *
 * Only Ethernet frames go in (LINKTYPE 1, which all three read); frames of
 * other link types are counted and left out. Timestamps are rewritten to
 * increase by 20 µs per frame, so repeats do not go back in time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { PcapReader } from '../../src/capture/pcap/reader.js';
import { pcapHeader, pcapRecord } from '../../src/capture/pcap/writer.js';
import type { SourceEvents } from '../../src/capture/types.js';
import { CLI, fmt, mib, ROOT, table, timed, unitNodeFlags, type Timed } from './common.js';

export const REAL_DIRS = ['ethernet_fingerprint', 'ethernet_medical'];
/** The issue's targets: at least 20x tshark, at least 0.5x nDPI's whole-process speed, peak RSS at most 80 MB. */
export const TARGET_TSHARK = 20;
export const TARGET_NDPI = 0.5;
export const TARGET_RSS = 80 * 1024 * 1024;

/** The fields the sensor extracts today and with the wired fingerprint decoders (issue 7). */
export const TSHARK_FIELDS = [
  'frame.len', 'eth.src', 'eth.dst', 'vlan.id', 'ip.src', 'ip.dst', 'ip.proto', 'ipv6.src', 'ipv6.dst',
  'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'udp.srcport', 'udp.dstport', 'arp.src.proto_ipv4',
  'dhcp.option.request_list_item', 'dhcp.option.vendor_class_id', 'dhcp.option.hostname', 'dns.qry.name',
  'http.user_agent', 'http.server', 'http.host', 'tls.handshake.extensions_server_name', 'ssh.protocol', 'snmp.value.octets',
];

export interface RealCapture {
  readonly path: string;
  readonly frames: number;
  readonly bytes: number;
  readonly files: number;
  readonly distinctFrames: number;
  readonly skippedOtherLinktypes: number;
}

const quiet: SourceEvents = { anomaly() {}, state() {} };

function capturesRoot(): string {
  return process.env['IOMT_CAPTURES'] ?? join(ROOT, '..', 'shared', 'captures');
}

/** Writes the repeated capture to `path`; throws when the shared captures are missing. */
export async function writeRealCapture(path: string, target: number): Promise<RealCapture> {
  const root = capturesRoot();
  const files = REAL_DIRS.flatMap((d) => readdirSync(join(root, d)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(root, d, f))).sort();
  if (files.length === 0) throw new Error(`realtraffic: no captures under ${root} (${REAL_DIRS.join(', ')})`);
  const frames: Uint8Array[] = [];
  let skipped = 0;
  for (const f of files) {
    const r = new PcapReader(f, quiet);
    for (const raw of [...r.push(readFileSync(f)), ...r.end()]) {
      if (raw.linkType === 1) frames.push(raw.bytes.slice());
      else skipped++;
    }
  }
  const out = createWriteStream(path);
  out.write(pcapHeader(1));
  const t0 = 1_767_600_000;
  let bytes = 0;
  for (let i = 0; i < target; i++) {
    const b = frames[i % frames.length]!;
    bytes += b.length;
    const us = i * 20;
    if (!out.write(pcapRecord(t0 + Math.floor(us / 1e6), (us % 1e6) * 1000, b))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { path, frames: target, bytes, files: files.length, distinctFrames: frames.length, skippedOtherLinktypes: skipped };
}

export interface ProfileLine {
  readonly selfMs: number;
  readonly share: number;
  readonly fn: string;
  readonly where: string;
}

interface CpuNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
interface CpuProfile { nodes: CpuNode[]; startTime: number; endTime: number; samples: number[] }

/** The functions with the most self time in a V8 .cpuprofile. */
export function topSelf(profile: CpuProfile, n = 15): ProfileLine[] {
  const total = profile.samples.length;
  const perSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, total);
  const by = new Map<string, { hits: number; fn: string; where: string }>();
  for (const node of profile.nodes) {
    const cf = node.callFrame;
    const where = cf.url === '' ? '' : `${cf.url.replace(`file://${ROOT}/`, '').replace(/^node:/, 'node:')}:${cf.lineNumber + 1}`;
    const key = `${cf.functionName}@${where}`;
    const e = by.get(key) ?? { hits: 0, fn: cf.functionName === '' ? '(anonymous)' : cf.functionName, where };
    e.hits += node.hitCount ?? 0;
    by.set(key, e);
  }
  return [...by.values()].sort((a, b) => b.hits - a.hits).slice(0, n)
    .map((e) => ({ selfMs: e.hits * perSample, share: e.hits / Math.max(1, total), fn: e.fn, where: e.where }));
}

/** `ndpiReader -h` starts with "Welcome to nDPI 4.2.0" (and exits non-zero). */
function ndpiVersion(): string {
  const r = spawnSync('ndpiReader', ['-h'], { encoding: 'utf8' });
  return /nDPI ([\d.]+)/.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`)?.[1] ?? '?';
}

interface Run extends Timed { framesPerSecond: number }

export interface RealTrafficResult {
  readonly capture: RealCapture;
  readonly agent: Run & { decoded: number; devices: number };
  readonly tshark: Run;
  readonly ndpi: Run & { version: string };
  readonly profile: readonly ProfileLine[];
}

export async function realTrafficSection(benchDir: string, target: number, keep: boolean): Promise<RealTrafficResult> {
  const work = mkdtempSync(join(benchDir, 'realtraffic-'));
  try {
    const capture = await writeRealCapture(join(work, 'real.pcap'), target);
    const flags = unitNodeFlags();
    const ag = await timed([process.execPath, ...flags, CLI, 'replay', '--json', capture.path], true);
    if (ag.code !== 0) throw new Error(`realtraffic: replay exited with ${ag.code}: ${ag.stderr.slice(-1500)}`);
    const summary = JSON.parse(ag.stdout ?? '{}') as { frames: number; files: Array<{ decoded: number }>; devices: unknown[] };
    const tsArgs = ['tshark', '-r', capture.path, '-n', '-T', 'fields'];
    for (const f of TSHARK_FIELDS) tsArgs.push('-e', f);
    const ts = await timed(tsArgs);
    if (ts.code !== 0) throw new Error(`realtraffic: tshark exited with ${ts.code}: ${ts.stderr.slice(-500)}`);
    const nd = await timed(['ndpiReader', '-q', '-i', capture.path], true);
    if (nd.code !== 0) throw new Error(`realtraffic: ndpiReader exited with ${nd.code} (apt-get install libndpi-bin): ${nd.stderr.slice(-500)}`);
    const version = ndpiVersion();
    // The profile: the same replay under --cpu-prof (profiling slows it; the timings above are without).
    const profDir = join(work, 'prof');
    const pr = await timed([process.execPath, ...flags, '--cpu-prof', '--cpu-prof-dir', profDir, CLI, 'replay', '--json', capture.path]);
    if (pr.code !== 0) throw new Error(`realtraffic: profiled replay exited with ${pr.code}`);
    const profFile = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    const profile = profFile === undefined ? [] : topSelf(JSON.parse(readFileSync(join(profDir, profFile), 'utf8')) as CpuProfile);
    const per = (t: Timed): Run => ({ ...t, framesPerSecond: capture.frames / t.seconds });
    return {
      capture: { ...capture, bytes: statSync(capture.path).size },
      agent: { ...per(ag), decoded: summary.files.reduce((a, f) => a + f.decoded, 0), devices: summary.devices.length },
      tshark: per(ts),
      ndpi: { ...per(nd), version },
      profile,
    };
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

export function realTrafficLines(r: RealTrafficResult): string[] {
  const c = r.capture;
  const vsTshark = r.agent.framesPerSecond / r.tshark.framesPerSecond;
  const vsNdpi = r.agent.framesPerSecond / r.ndpi.framesPerSecond;
  return [
    `real traffic: ${c.files} shared wired captures (${c.distinctFrames} Ethernet frames, ${c.skippedOtherLinktypes} of other link types left out) repeated to ${fmt(c.frames)} frames, ${mib(c.bytes)} MiB`,
    '',
    ...table([
      ['', 'seconds', 'frames/s', 'CPU s', 'peak RSS MiB'],
      ['iomt-sensor replay', r.agent.seconds.toFixed(2), fmt(r.agent.framesPerSecond), r.agent.cpuSeconds.toFixed(2), mib(r.agent.maxRssBytes)],
      [`tshark -T fields (${TSHARK_FIELDS.length} fields)`, r.tshark.seconds.toFixed(2), fmt(r.tshark.framesPerSecond), r.tshark.cpuSeconds.toFixed(2), mib(r.tshark.maxRssBytes)],
      [`ndpiReader (nDPI ${r.ndpi.version})`, r.ndpi.seconds.toFixed(2), fmt(r.ndpi.framesPerSecond), r.ndpi.cpuSeconds.toFixed(2), mib(r.ndpi.maxRssBytes)],
    ]),
    '',
    `agent/tshark ${vsTshark.toFixed(2)}x (target >= ${TARGET_TSHARK}x: ${vsTshark >= TARGET_TSHARK ? 'met' : 'not met'}); agent/nDPI ${vsNdpi.toFixed(2)}x (target >= ${TARGET_NDPI}x: ${vsNdpi >= TARGET_NDPI ? 'met' : 'not met'}); peak RSS ${mib(r.agent.maxRssBytes)} MiB (target <= ${mib(TARGET_RSS)}: ${r.agent.maxRssBytes <= TARGET_RSS ? 'met' : 'not met'})`,
    '',
    'where the agent\'s replay spends its time (node --cpu-prof, self time):',
    ...table([['function', 'self ms', 'share', 'where'], ...r.profile.map((p) => [p.fn, p.selfMs.toFixed(0), `${(100 * p.share).toFixed(1)}%`, p.where])]),
    '',
  ];
}
