/**
 * The ward traffic generator: a realistic synthetic capture of a hospital
 * ward's wired network, any size, from a seed. It is the project's demo and
 * benchmark input (the project ships no capture written by others).
 *
 *   node dist/scripts/ward-gen.js --out FILE [--frames N] [--seed S] [--devices D]
 *        [--format pcap|pcapng] [--start EPOCH_SECONDS]
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
import { writeZigbeeWardCapture } from './ward/zigbee.js';
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
    },
  });
  // wifi: --wifi FILE also writes the ward's 802.11 radiotap capture (scripts/ward/wifi.ts).
  if (values.wifi !== undefined) {
    const frames = wifiFrames({ seed: int('seed', values.seed), startSec: int('start', values.start) });
    writeFileSync(values.wifi, pcapFile(LINKTYPE_RADIOTAP, frames));
    process.stderr.write(`ward-gen: ${values.wifi}: ${frames.length} radiotap frames\n`);
    if (values.out === undefined && values.zigbee === undefined) return;
  }
  // zigbee: --zigbee FILE writes the ward's 802.15.4/Zigbee capture (a pcap holds one link type).
  if (values.zigbee !== undefined) {
    const n = writeZigbeeWardCapture(values.zigbee, { seed: int('seed', values.seed), startSec: int('start', values.start) });
    process.stderr.write(`ward-gen: ${values.zigbee}: ${n} 802.15.4 frames (LINKTYPE_IEEE802_15_4_WITHFCS)\n`);
    if (values.out === undefined) return;
  }
  if (values.help === true || values.out === undefined) {
    process.stderr.write('usage: ward-gen --out FILE [--frames N (20000)] [--seed S (1)] [--devices D (60)] [--format pcap|pcapng] [--start EPOCH_SECONDS] [--wifi RADIOTAP_FILE] [--ble FILE] [--zigbee FILE]\n');
    process.exitCode = values.help === true ? 0 : 2;
    return;
  }
  const format = values.format ?? 'pcap';
  if (format !== 'pcap' && format !== 'pcapng') throw new Error(`--format expects pcap or pcapng, got "${format}"`);
  const t0 = process.hrtime.bigint();
  const r = await writeWardCapture({
    out: values.out, format, frames: int('frames', values.frames), seed: int('seed', values.seed),
    devices: int('devices', values.devices), start: int('start', values.start),
  });
  // BLE (issue 9): a separate 272 capture (a pcap holds one link type), over the same start and seed.
  if (values.ble !== undefined) {
    const n = writeBleWardCapture(values.ble, { seed: int('seed', values.seed) ?? 1, ...(values.start !== undefined ? { start: Number(values.start) } : {}) });
    process.stderr.write(`ward-gen: ${values.ble}: ${n} BLE frames (LINKTYPE_NORDIC_BLE)\n`);
  }
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
