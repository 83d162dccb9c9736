/**
 * The flood section of `npm run bench`: a capture where every frame comes
 * from a new random source MAC (a MAC-randomising flood, or a SPAN port that
 * carries far more than the ward), through `iomt-sensor run` and through
 * `iomt-sensor replay`, each under the systemd unit's node flags. Peak memory
 * must depend on the configured caps, not on the input (issue: the agent
 * reached 1.75 GB on this input before the caps covered everything).
 */
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { pcapHeader, pcapRecord } from '../../src/capture/pcap/writer.js';
import { CLI, timed, unitNodeFlags, type Timed } from './common.js';

/** Peak RSS the issue sets for both paths at the default caps. */
export const FLOOD_TARGET_RSS = 150 * 1024 * 1024;

/** Writes `frames` Ethernet/IPv4/UDP frames, each from a new pseudo-random unicast MAC (seeded xorshift). */
export async function writeFloodCapture(path: string, frames: number, seed = 1): Promise<void> {
  const out = createWriteStream(path);
  out.write(pcapHeader(1));
  let s = (seed * 0x9e3779b9) >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const frame = new Uint8Array(60);
  const dv = new DataView(frame.buffer);
  frame.set([0x00, 0x11, 0x22, 0x00, 0x00, 0xfe], 0); // destination: the ward's gateway
  dv.setUint16(12, 0x0800);
  // IPv4 (RFC 791) header, 20 bytes, UDP, source 10.99.x.y.
  frame.set([0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 99, 0, 0, 10, 30, 0, 1], 14);
  frame.set([0x30, 0x39, 0x00, 0x35, 0, 26, 0, 0], 34);
  const t0 = 1_767_600_000;
  for (let i = 0; i < frames; i++) {
    const a = rnd();
    const b = rnd();
    // Unicast (group bit clear), locally administered: what MAC randomisation produces.
    frame[6] = ((a >>> 24) & 0xfc) | 0x02;
    frame[7] = (a >>> 16) & 0xff;
    frame[8] = (a >>> 8) & 0xff;
    frame[9] = a & 0xff;
    frame[10] = (b >>> 8) & 0xff;
    frame[11] = b & 0xff;
    frame[28] = (b >>> 16) & 0xff;
    frame[29] = (b >>> 24) & 0xff;
    if (!out.write(pcapRecord(t0 + Math.floor(i / 50_000), (i % 50_000) * 20_000, frame))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export interface FloodResult {
  readonly frames: number;
  readonly run: Timed & { framesPerSecond: number; evicted: number; devices: number };
  readonly replay: Timed & { framesPerSecond: number; devices: number };
  readonly targetRssBytes: number;
}

export async function floodSection(benchDir: string, frames: number, broker: string, keep: boolean): Promise<FloodResult> {
  const capture = join(benchDir, `flood-f${frames}.pcap`);
  if (!existsSync(capture)) await writeFloodCapture(capture, frames);
  const flags = unitNodeFlags();
  const work = mkdtempSync(join(benchDir, 'flood-'));
  const config = join(work, 'config.yaml');
  const statsFile = join(work, 'stats.json');
  writeFileSync(config, `# Written by scripts/bench/flood.ts: the default caps.
sensor: {id: bench-flood-${process.pid}, site: bench, ward: flood}
state: {dir: ${join(work, 'state')}}
sources:
  - {type: pcap-file, name: flood, path: ${JSON.stringify(capture)}}
mqtt:
  url: ${broker}
`);
  const run = await timed([process.execPath, ...flags, CLI, 'run', '--config', config, '--exit-when-done', '--stats-file', statsFile]);
  if (run.code !== 0) throw new Error(`flood: the agent exited with ${run.code}: ${run.stderr.slice(-1500)}`);
  const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as { frames: number; framesPerSecond: number; counters: Record<string, number> };
  const replay = await timed([process.execPath, ...flags, CLI, 'replay', '--json', '--config', config, capture], true);
  if (replay.code !== 0) throw new Error(`flood: replay exited with ${replay.code}: ${replay.stderr.slice(-1500)}`);
  const summary = JSON.parse(replay.stdout ?? '{}') as { frames: number; seconds: number; devices: unknown[] };
  if (!keep) rmSync(work, { recursive: true, force: true });
  return {
    frames,
    run: { ...run, framesPerSecond: stats.framesPerSecond, evicted: stats.counters['inventory.devices_evicted'] ?? 0, devices: stats.counters['inventory.devices'] ?? 0 },
    replay: { ...replay, framesPerSecond: summary.frames / summary.seconds, devices: summary.devices.length },
    targetRssBytes: FLOOD_TARGET_RSS,
  };
}
