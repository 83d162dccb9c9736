/**
 * The ward traffic generator: a realistic synthetic capture of a hospital
 * ward's wired network, any size, from a seed. It is the project's demo and
 * benchmark input (the project ships no capture written by others).
 *
 *   node dist/scripts/ward-gen.js --out FILE [--frames N] [--seed S] [--devices D]
 *        [--format pcap|pcapng] [--start EPOCH_SECONDS]
 *        [--wifi FILE] [--ble FILE] [--zigbee FILE] [--zigbee-nrf FILE] [--medical FILE [--medical-rounds N]]
 *
 * The radio outputs are separate files (a pcap holds one link type): Wi-Fi
 * as radiotap (scripts/ward/wifi.ts), BLE as Nordic 272 (scripts/ward/ble.ts),
 * Zigbee as 802.15.4 with FCS (195) or as the text stream of an nRF Sniffer
 * for 802.15.4 (scripts/ward/zigbee.ts); the clinical protocols (HL7, DICOM,
 * POCT1-A, SDC) as their own Ethernet capture (scripts/ward/medical.ts). Any
 * of them works without --out.
 *
 * Same seed and options, byte-identical file. The devices, their vendors and
 * behaviour are the table in scripts/ward/profiles.ts; the simulation is
 * scripts/ward/sim.ts.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { pcapFile } from '../src/capture/pcap/writer.js';
import { LINKTYPE_RADIOTAP, wifiFrames } from './ward/wifi.js';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeBleWardCapture } from './ward/ble.js';
import { nrfSnifferText, writeZigbeeWardCapture, zigbeeWardFrames } from './ward/zigbee.js';
import { writeMedicalWardCapture } from './ward/medical.js';
import { CaptureSink, type CaptureFormat } from './ward/sink.js';
import { WardSim, type WardFrame, type WardOptions } from './ward/sim.js';
import type { WardPlan } from './ward/plan.js';

export { planWard, type WardDevice, type WardPlan } from './ward/plan.js';
export { PROFILES, type DeviceClass, type DeviceProfile } from './ward/profiles.js';
export type { WardFrame, WardOptions } from './ward/sim.js';
export type { CaptureFormat } from './ward/sink.js';

/** 2026-01-05T07:00:00Z, a Monday at the morning shift change. */
export const DEFAULT_START = Date.UTC(2026, 0, 5, 7, 0, 0) / 1000;
export const DEFAULT_FRAMES = 20000;
export const DEFAULT_SEED = 1;
export const DEFAULT_DEVICES = 60;

export interface WardCaptureOptions {
  readonly out: string;
  readonly frames?: number;
  readonly seed?: number;
  readonly devices?: number;
  readonly format?: CaptureFormat;
  /** Capture start, Unix seconds. */
  readonly start?: number;
}

export interface WardCaptureResult {
  readonly frames: number;
  /** Devices generated (each appears as a distinct source MAC). */
  readonly devices: number;
  /** File size. */
  readonly bytes: number;
  /** First and last frame time, Unix seconds. */
  readonly firstSec: number;
  readonly lastSec: number;
  /** When the late devices (random-MAC laptop, unknown Raspberry Pi) joined, Unix seconds. */
  readonly lateJoinSec: number | undefined;
  readonly plan: WardPlan;
}

function resolve(o: Partial<WardOptions>): WardOptions {
  const opts = {
    frames: o.frames ?? DEFAULT_FRAMES,
    seed: o.seed ?? DEFAULT_SEED,
    devices: o.devices ?? DEFAULT_DEVICES,
    startSec: o.startSec ?? DEFAULT_START,
  };
  if (!Number.isInteger(opts.frames) || opts.frames < 1) throw new RangeError(`frames must be a positive integer, got ${opts.frames}`);
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) throw new RangeError(`seed must be an integer from 0 to 2^32-1, got ${opts.seed}`);
  if (!Number.isInteger(opts.startSec) || opts.startSec < 0 || opts.startSec > 0xffff0000) throw new RangeError(`start must be Unix seconds, got ${opts.startSec}`);
  return opts;
}

/** The frames of a ward capture, in time order, without a file: for tests and in-process benchmarks. */
export function wardFrames(o: Partial<WardOptions> = {}): { sim: WardSim; frames: Generator<WardFrame> } {
  const sim = new WardSim(resolve(o));
  return { sim, frames: sim.frames() };
}

/** Writes a ward capture to `opts.out`, streaming. */
export async function writeWardCapture(opts: WardCaptureOptions): Promise<WardCaptureResult> {
  const sim = new WardSim(resolve({ frames: opts.frames, seed: opts.seed, devices: opts.devices, startSec: opts.start }));
  const sink = new CaptureSink(opts.out, opts.format ?? 'pcap');
  let n = 0;
  let first = 0;
  let last = 0;
  try {
    for (const f of sim.frames()) {
      if (n === 0) first = f.tsSec + f.tsNsec / 1e9;
      last = f.tsSec + f.tsNsec / 1e9;
      sink.write(f.tsSec, f.tsNsec, f.bytes);
      n++;
    }
  } finally {
    sink.close();
  }
  return {
    frames: n, devices: sim.plan.devices.length, bytes: sink.bytes, firstSec: first, lastSec: last,
    lateJoinSec: sim.lateJoinSec, plan: sim.plan,
  };
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name} expects a non-negative integer, got "${v}"`);
  return Number(v);
}

const USAGE = 'usage: ward-gen [--out FILE] [--frames N (20000)] [--seed S (1)] [--devices D (60)] [--format pcap|pcapng] [--start EPOCH_SECONDS]\n'
  + '                [--wifi RADIOTAP_FILE] [--ble FILE] [--zigbee FILE] [--zigbee-nrf FILE] [--medical FILE [--medical-rounds N (20)]]\n'
  + '                (at least one output)\n';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' }, frames: { type: 'string' }, seed: { type: 'string' }, devices: { type: 'string' },
      format: { type: 'string' }, start: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      wifi: { type: 'string' },
      // BLE (issue 9): also write the ward's BLE traffic as a Nordic (272) capture to this file.
      ble: { type: 'string' },
      // Zigbee (issue 10): the ward's Zigbee PAN as a LINKTYPE 195 capture (scripts/ward/zigbee.ts).
      zigbee: { type: 'string' },
      // ... and as the text stream an nRF Sniffer for 802.15.4 prints (to feed a simulated dongle).
      'zigbee-nrf': { type: 'string' },
      // medical (issue 11): HL7/MLLP, DICOM, POCT1-A and SDC sessions as a separate Ethernet capture (scripts/ward/medical.ts).
      medical: { type: 'string' }, 'medical-rounds': { type: 'string' },
    },
  });
  if (values.help === true) {
    process.stderr.write(USAGE);
    return;
  }
  // The other media, each its own file (a pcap holds one link type), over the same seed and start.
  const seed = int('seed', values.seed);
  const startSec = int('start', values.start);
  // Wi-Fi (issue 8): the ward's 802.11 radiotap capture (scripts/ward/wifi.ts).
  if (values.wifi !== undefined) {
    const frames = wifiFrames({ seed, startSec });
    writeFileSync(values.wifi, pcapFile(LINKTYPE_RADIOTAP, frames));
    process.stderr.write(`ward-gen: ${values.wifi}: ${frames.length} radiotap frames\n`);
  }
  // BLE (issue 9): a Nordic 272 capture (scripts/ward/ble.ts).
  if (values.ble !== undefined) {
    const n = writeBleWardCapture(values.ble, { seed: seed ?? 1, ...(startSec !== undefined ? { start: startSec } : {}) });
    process.stderr.write(`ward-gen: ${values.ble}: ${n} BLE frames (LINKTYPE_NORDIC_BLE)\n`);
  }
  // Zigbee (issue 10): the ward's PAN as LINKTYPE 195 (scripts/ward/zigbee.ts) ...
  if (values.zigbee !== undefined) {
    const n = writeZigbeeWardCapture(values.zigbee, { seed, startSec });
    process.stderr.write(`ward-gen: ${values.zigbee}: ${n} 802.15.4 frames (LINKTYPE_IEEE802_15_4_WITHFCS)\n`);
  }
  // ... and as the text an nRF Sniffer for 802.15.4 prints, to feed a simulated dongle.
  if (values['zigbee-nrf'] !== undefined) {
    const { frames } = zigbeeWardFrames({ seed, startSec });
    writeFileSync(values['zigbee-nrf'], nrfSnifferText(frames, seed));
    process.stderr.write(`ward-gen: ${values['zigbee-nrf']}: ${frames.length} lines of nRF Sniffer for 802.15.4 output\n`);
  }
  // Medical (issue 11): the ward's clinical-protocol sessions, synthetic patients only (scripts/ward/medical.ts).
  if (values.medical !== undefined) {
    const n = writeMedicalWardCapture(values.medical, { seed, rounds: int('medical-rounds', values['medical-rounds']), start: startSec });
    process.stderr.write(`ward-gen: ${values.medical}: ${n} frames of HL7, DICOM, POCT1-A and SDC (LINKTYPE_ETHERNET)\n`);
  }
  if (values.out === undefined) {
    const other = [values.wifi, values.ble, values.zigbee, values['zigbee-nrf'], values.medical].some((v) => v !== undefined);
    if (!other) {
      process.stderr.write(USAGE);
      process.exitCode = 2;
    }
    return;
  }
  const format = values.format ?? 'pcap';
  if (format !== 'pcap' && format !== 'pcapng') throw new Error(`--format expects pcap or pcapng, got "${format}"`);
  const t0 = process.hrtime.bigint();
  const r = await writeWardCapture({
    out: values.out, format, frames: int('frames', values.frames), seed: int('seed', values.seed),
    devices: int('devices', values.devices), start: int('start', values.start),
  });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const late = r.lateJoinSec === undefined ? 'never' : new Date(r.lateJoinSec * 1000).toISOString();
  process.stderr.write(`ward-gen: ${values.out}: ${r.frames} frames, ${r.devices} devices, ${r.bytes} bytes, `
    + `${new Date(r.firstSec * 1000).toISOString()} .. ${new Date(r.lastSec * 1000).toISOString()}, late devices join ${late}; ${s.toFixed(2)} s\n`);
}

const invoked = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invoked) {
  main().catch((err: unknown) => {
    process.stderr.write(`ward-gen: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
