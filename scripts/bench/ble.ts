/**
 * Bench section `ble` (issue 9): the generator's BLE ward capture
 * (scripts/ward/ble.ts, LINKTYPE_NORDIC_BLE 272, stretched to `seconds` of
 * advertising) through `iomt-sensor replay`, beside `tshark -T fields`
 * reading the conformance test's BLE fields from the same file in the same
 * run (target: replay at least 15x tshark's frames/s); then a flood of
 * advertisements, each from a new random static address with its own
 * manufacturer data, through replay: peak RSS against the foundation's
 * flood bound, with the default caps (ble.max_random_shapes,
 * ble.max_tracked, inventory.max_devices).
 *
 * Both captures are generated once under var/bench and reused.
 * Alone: `npx tsc -p . && node dist/scripts/bench/ble.js [seconds] [flood]`.
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pcapHeader, pcapRecord } from '../../src/capture/pcap/writer.js';
import { adFlags, adManufacturer, advPdu, nordic } from '../../test/builders/ble.js';
import { concat } from '../../test/builders/frames.js';
import { writeBleWardCapture } from '../ward/ble.js';
import { Prng } from '../ward/prng.js';
import { CLI, fmt, mib, say, table, timed, unitNodeFlags, verdict, type Timed } from './common.js';
import { FLOOD_TARGET_RSS } from './flood.js';

const LINKTYPE_NORDIC_BLE = 272;
const FIELDS = ['nordic_ble.crcok', 'nordic_ble.rssi', 'nordic_ble.channel', 'btle.access_address', 'btle.advertising_header.pdu_type',
  'btle.advertising_address', 'btcommon.eir_ad.entry.company_id', 'btcommon.eir_ad.entry.device_name', 'btcommon.eir_ad.entry.uuid_16'];

export interface BleBench {
  readonly frames: number;
  readonly replay: Timed & { framesPerSecond: number };
  readonly tshark: Timed & { framesPerSecond: number };
  readonly ratio: number;
  readonly flood: Timed & { frames: number; framesPerSecond: number; devices: number; shapesEvicted: number };
  readonly targetRssBytes: number;
}

/** `n` ADV_NONCONN_IND, each from a new random static address (Core Vol 6 Part B §1.3.2.1) with random manufacturer data; streamed to disk. */
function floodCapture(file: string, n: number): void {
  const rng = new Prng(272);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, pcapHeader(LINKTYPE_NORDIC_BLE));
    const chunk: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const b = Array.from({ length: 6 }, () => rng.int(0, 255));
      b[0] = b[0]! | 0xc0;
      const addr = b.map((x) => x.toString(16).padStart(2, '0')).join(':');
      const data = concat(adFlags(0x06), adManufacturer(rng.int(0, 0xffff), Array.from({ length: 8 }, () => rng.int(0, 255))));
      const ll = advPdu({ type: 2, advA: addr, random: true, data });
      chunk.push(pcapRecord(1_767_600_000 + Math.floor(i / 10_000), (i % 10_000) * 100_000, nordic({ counter: i & 0xffff, channel: 37 + (i % 3), rssi: -70 }, ll)));
      if (chunk.length === 10_000 || i === n - 1) {
        writeSync(fd, Buffer.concat(chunk));
        chunk.length = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
}

export async function bleSection(benchDir: string, seconds: number, floodFrames: number): Promise<BleBench> {
  const capture = join(benchDir, `ble-${seconds}s.pcap`);
  const frames = writeBleWardCapture(capture, { seed: 1, seconds });
  const flags = unitNodeFlags();
  const replay = await timed([process.execPath, ...flags, CLI, 'replay', '--json', capture], true);
  if (replay.code !== 0) throw new Error(`ble: replay exited with ${replay.code}: ${replay.stderr.slice(-1500)}`);
  const s = JSON.parse(replay.stdout ?? '{}') as { frames: number };
  if (s.frames !== frames) throw new Error(`ble: replay read ${s.frames} of ${frames} frames`);
  const targs = ['tshark', '-r', capture, '-n', '-T', 'fields'];
  for (const f of FIELDS) targs.push('-e', f);
  const tshark = await timed(targs);
  if (tshark.code !== 0) throw new Error(`ble: tshark exited with ${tshark.code}: ${tshark.stderr.slice(-500)}`);
  const floodFile = join(benchDir, `ble-flood-${floodFrames}.pcap`);
  if (!existsSync(floodFile)) {
    say(`ble: writing ${floodFrames} random-address advertisements to ${floodFile} ...`);
    floodCapture(floodFile, floodFrames);
  }
  const flood = await timed([process.execPath, ...flags, CLI, 'replay', '--json', floodFile], true);
  if (flood.code !== 0) throw new Error(`ble flood: replay exited with ${flood.code}: ${flood.stderr.slice(-1500)}`);
  const f = JSON.parse(flood.stdout ?? '{}') as { frames: number; devices: unknown[]; counters?: Record<string, number> };
  // Whole-process wall time on both sides, so start-up counts on each.
  const replayFps = frames / replay.seconds;
  const tsharkFps = frames / tshark.seconds;
  const evicted = Object.entries(f.counters ?? {}).filter(([k]) => /evict/.test(k)).reduce((a, [, v]) => a + v, 0);
  return {
    frames,
    replay: { ...replay, stdout: undefined, framesPerSecond: replayFps },
    tshark: { ...tshark, framesPerSecond: tsharkFps },
    ratio: replayFps / tsharkFps,
    flood: { ...flood, stdout: undefined, frames: f.frames, framesPerSecond: f.frames / flood.seconds, devices: f.devices.length, shapesEvicted: evicted },
    targetRssBytes: FLOOD_TARGET_RSS,
  };
}

export function bleLines(r: BleBench): string[] {
  return [
    `ble: the generator's BLE ward (${r.frames} nRF Sniffer frames, LINKTYPE 272) through replay, beside tshark -T fields on the same file`,
    '',
    ...table([
      ['', 'frames/s (wall, whole process)', 'CPU s', 'peak RSS MiB'],
      ['iomt-sensor replay', fmt(r.replay.framesPerSecond), r.replay.cpuSeconds.toFixed(2), mib(r.replay.maxRssBytes)],
      ['tshark -T fields', fmt(r.tshark.framesPerSecond), r.tshark.cpuSeconds.toFixed(2), mib(r.tshark.maxRssBytes)],
    ]),
    '',
    `replay / tshark: ${r.ratio.toFixed(1)}x (target >= 15x: ${verdict(r.ratio >= 15)}); by CPU seconds ${(r.tshark.cpuSeconds / r.replay.cpuSeconds).toFixed(1)}x (steadier on a loaded machine)`,
    `ble flood: ${r.flood.frames} advertisements from random addresses: ${fmt(r.flood.framesPerSecond)} frames/s, peak RSS ${mib(r.flood.maxRssBytes)} MiB, `
      + `${r.flood.devices} devices kept, ${r.flood.shapesEvicted} evictions counted (target <= ${mib(r.targetRssBytes)} MiB: ${verdict(r.flood.maxRssBytes <= r.targetRssBytes)})`,
    '',
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
  const dir = join(root, 'var', 'bench');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const r = await bleSection(dir, Number(process.argv[2] ?? 12_000), Number(process.argv[3] ?? 1_000_000));
  process.stdout.write(bleLines(r).join('\n') + '\n');
}
