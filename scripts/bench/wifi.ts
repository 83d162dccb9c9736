/**
 * The Wi-Fi bench section: the generator's radiotap capture (scripts/ward/wifi.ts,
 * stretched to `seconds` of air time) through `iomt-sensor replay`, beside
 * `tshark -T fields` reading the same 802.11 fields from the same file in
 * the same run (target: replay at least 15x tshark's frames/s); then a flood
 * of probe requests from 100k random station MACs through replay, peak RSS
 * against the foundation's flood bound.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcapFile } from '../../src/capture/pcap/writer.js';
import { LINKTYPE_RADIOTAP, wifiFrames } from '../ward/wifi.js';
import { probeRequest, withFcs } from '../ward/wifi-frames.js';
import { Prng } from '../ward/prng.js';
import { CLI, fmt, mib, table, timed, unitNodeFlags, verdict, type Timed } from './common.js';
import { FLOOD_TARGET_RSS } from './flood.js';

export interface WifiBench {
  readonly frames: number;
  readonly replay: Timed & { framesPerSecond: number };
  readonly tshark: Timed & { framesPerSecond: number };
  readonly ratio: number;
  readonly flood: Timed & { frames: number; framesPerSecond: number; devices: number };
  readonly targetRssBytes: number;
}

/** A radiotap capture of `n` probe requests, each from a new random locally administered MAC. */
function floodCapture(file: string, n: number): void {
  const rng = new Prng(99);
  const frames = [];
  for (let i = 0; i < n; i++) {
    const b = Array.from({ length: 6 }, () => rng.int(0, 255));
    b[0] = (b[0]! & 0xfc) | 0x02;
    const m = b.map((x) => x.toString(16).padStart(2, '0')).join(':');
    frames.push({ tsSec: 1_767_600_000 + Math.floor(i / 1000), tsNsec: (i % 1000) * 1_000_000, bytes: withFcs({ freq: 2437, signal: -60, rate: 2, fcs: 'good' }, probeRequest(m, i, 'HOSPITAL-GUEST')) });
  }
  writeFileSync(file, pcapFile(LINKTYPE_RADIOTAP, frames));
}

export async function wifiSection(benchDir: string, seconds: number, floodFrames: number): Promise<WifiBench> {
  const capture = join(benchDir, `wifi-${seconds}s.pcap`);
  const frames = wifiFrames({ seed: 1, seconds });
  if (!existsSync(capture)) writeFileSync(capture, pcapFile(LINKTYPE_RADIOTAP, frames));
  const flags = unitNodeFlags();
  const replay = await timed([process.execPath, ...flags, CLI, 'replay', '--json', capture], true);
  if (replay.code !== 0) throw new Error(`wifi: replay exited with ${replay.code}: ${replay.stderr.slice(-1500)}`);
  const s = JSON.parse(replay.stdout ?? '{}') as { frames: number; seconds: number };
  const tshark = await timed(['tshark', '-r', capture, '-n', '-T', 'fields', '-e', 'wlan.fc.type_subtype', '-e', 'wlan.ta', '-e', 'wlan.ra', '-e', 'wlan.bssid',
    '-e', 'wlan.ssid', '-e', 'radiotap.dbm_antsignal', '-e', 'radiotap.channel.freq', '-e', 'wlan.rsn.akms.type', '-e', 'wlan_rsna_eapol.keydes.msgnr', '-e', 'wlan.fixed.reason_code']);
  const floodFile = join(benchDir, `wifi-flood-${floodFrames}.pcap`);
  if (!existsSync(floodFile)) floodCapture(floodFile, floodFrames);
  const flood = await timed([process.execPath, ...flags, CLI, 'replay', '--json', floodFile], true);
  if (flood.code !== 0) throw new Error(`wifi flood: replay exited with ${flood.code}: ${flood.stderr.slice(-1500)}`);
  const f = JSON.parse(flood.stdout ?? '{}') as { frames: number; seconds: number; devices: unknown[] };
  // Whole-process wall time for both, so start-up counts on each side.
  const replayFps = frames.length / replay.seconds;
  const tsharkFps = frames.length / tshark.seconds;
  void s;
  return {
    frames: frames.length,
    replay: { ...replay, framesPerSecond: replayFps },
    tshark: { ...tshark, framesPerSecond: tsharkFps },
    ratio: replayFps / tsharkFps,
    flood: { ...flood, frames: f.frames, framesPerSecond: f.frames / flood.seconds, devices: f.devices.length },
    targetRssBytes: FLOOD_TARGET_RSS,
  };
}

export function wifiLines(r: WifiBench): string[] {
  return [
    `wifi: the generator's radiotap ward (${r.frames} frames) through replay, beside tshark -T fields on the same file`,
    '',
    ...table([
      ['', 'frames/s (wall, whole process)', 'CPU s', 'peak RSS MiB'],
      ['iomt-sensor replay', fmt(r.replay.framesPerSecond), r.replay.cpuSeconds.toFixed(2), mib(r.replay.maxRssBytes)],
      ['tshark -T fields', fmt(r.tshark.framesPerSecond), r.tshark.cpuSeconds.toFixed(2), mib(r.tshark.maxRssBytes)],
    ]),
    '',
    `replay / tshark: ${r.ratio.toFixed(1)}x (target >= 15x: ${verdict(r.ratio >= 15)}); by CPU seconds ${(r.tshark.cpuSeconds / r.replay.cpuSeconds).toFixed(1)}x (steadier on a loaded machine)`,
    `wifi flood: ${r.flood.frames} probe requests from random station MACs: ${fmt(r.flood.framesPerSecond)} frames/s, peak RSS ${mib(r.flood.maxRssBytes)} MiB, ${r.flood.devices} devices kept (target <= ${mib(r.targetRssBytes)} MiB: ${verdict(r.flood.maxRssBytes <= r.targetRssBytes)})`,
    '',
  ];
}
