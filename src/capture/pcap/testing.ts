/**
 * Helpers shared by the capture tests: run a reader over bytes split in a
 * given way and reduce its output to plain, comparable data.
 */
import type { RawFrame, SourceAnomaly, SourceEvents, SourceState } from '../types.js';
import { PcapReader } from './reader.js';

/** A frame reduced to comparable plain data, bytes as hex. */
export interface PlainFrame {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly linkType: number;
  readonly origLen: number;
  readonly iface: number | undefined;
  readonly hex: string;
}

export function plain(f: RawFrame): PlainFrame {
  return {
    tsSec: f.tsSec,
    tsNsec: f.tsNsec,
    linkType: f.linkType,
    origLen: f.origLen,
    iface: f.meta.iface,
    hex: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength).toString('hex'),
  };
}

/** Records what a source reports. */
export class EventLog implements SourceEvents {
  readonly anomalies: SourceAnomaly[] = [];
  readonly states: { state: SourceState; detail: string | undefined; at: number }[] = [];
  anomaly(a: SourceAnomaly): void {
    this.anomalies.push(a);
  }
  state(state: SourceState, detail?: string): void {
    this.states.push({ state, detail, at: Date.now() });
  }
}

export interface ReadResult {
  readonly frames: PlainFrame[];
  readonly anomalies: SourceAnomaly[];
  readonly reader: PcapReader;
}

/** Reads `bytes` cut at the given offsets (ascending), then ends the stream. */
export function readSplit(bytes: Uint8Array, cuts: readonly number[] = []): ReadResult {
  const log = new EventLog();
  const reader = new PcapReader('test', log);
  const frames: PlainFrame[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    // Copy each chunk so the test also proves frames never point into a neighbouring chunk.
    for (const f of reader.push(bytes.slice(from, cut))) frames.push(plain(f));
    from = cut;
  }
  for (const f of reader.end()) frames.push(plain(f));
  return { frames, anomalies: log.anomalies, reader };
}

/** Reads `bytes` in chunks of `size` bytes. */
export function readChunked(bytes: Uint8Array, size: number): ReadResult {
  const cuts: number[] = [];
  for (let i = size; i < bytes.length; i += size) cuts.push(i);
  return readSplit(bytes, cuts);
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
