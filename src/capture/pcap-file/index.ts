/**
 * `pcap-file`: replays a classic pcap or pcapng file, or standard input when
 * the path is `-`. The file is streamed in 256 KiB reads, never loaded whole.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureSource, RawFrame, SourceEvents } from '../types.js';
import { PcapReader, type PcapReaderCounters } from '../pcap/reader.js';
import { readableToBatches } from '../pcap/stream.js';

export interface PcapFileOptions {
  /** Source name (config `sources[].name`); stamped on every frame. */
  readonly name: string;
  /** File path, or `-` for standard input. */
  readonly path: string;
  /** Read size; 256 KiB unless given. */
  readonly highWaterMark?: number;
  /**
   * Replay at the pace the frames were captured (config `realtime`) instead of
   * as fast as possible. Frames without a timestamp (pcapng SPB) and frames
   * whose time goes backwards are passed on at once.
   */
  readonly realtime?: boolean;
  /**
   * 802.15.4 (issue 10): the file's LINKTYPE 195 frames end in TI CC24xx
   * metadata, not an FCS (config `fcs_format: ti-cc24xx`); stamped into
   * every frame's meta as `fcsFormat: 1`. Nothing in the file says so.
   */
  readonly fcsFormat?: 'crc16' | 'ti-cc24xx';
}

export class PcapFileSource implements CaptureSource {
  readonly name: string;
  private readonly opts: PcapFileOptions;
  /** Counters of the reader of the latest open(); undefined before the first. */
  counters: PcapReaderCounters | undefined;

  constructor(opts: PcapFileOptions) {
    this.name = opts.name;
    this.opts = opts;
  }

  open(signal: AbortSignal, events: SourceEvents): AsyncIterable<readonly RawFrame[]> {
    return this.run(signal, events);
  }

  private async *run(signal: AbortSignal, events: SourceEvents): AsyncGenerator<readonly RawFrame[], void, undefined> {
    events.state('starting', this.opts.path);
    const reader = new PcapReader(this.name, events);
    this.counters = reader.counters;
    const highWaterMark = this.opts.highWaterMark ?? 256 * 1024;
    const readable: Readable = this.opts.path === '-' ? process.stdin : createReadStream(this.opts.path, { highWaterMark });
    events.state('running', this.opts.path);
    try {
      const read = readableToBatches(readable, reader, signal);
      const batches = this.opts.fcsFormat === 'ti-cc24xx' ? stampTi(read) : read;
      if (this.opts.realtime === true) yield* paced(batches, signal);
      else yield* batches;
    } catch (err) {
      events.state('failed', `${this.opts.path}: ${(err as Error).message}`);
      return;
    }
    events.state('ended', signal.aborted ? 'aborted' : reader.format ?? endedWithout(reader));
  }
}

/** Marks every frame's trailing two bytes as TI CC24xx metadata (see `fcsFormat`). */
async function* stampTi(batches: AsyncIterable<readonly RawFrame[]>): AsyncGenerator<readonly RawFrame[], void, undefined> {
  for await (const batch of batches) yield batch.map((f) => ({ ...f, meta: { ...f.meta, fcsFormat: 1 } }));
}

/** Why a stream ended without a container format: what it was instead, or that it was empty. */
function endedWithout(reader: PcapReader): string {
  const f = reader.foreign;
  if (f !== undefined) return `${f.name}: ${f.advice}`;
  if (reader.counters.bytesIn === 0) return 'empty file';
  return reader.counters.bytesIn < 4 ? 'too short for a capture' : 'not a pcap or pcapng file';
}

/** Splits batches where a frame is due later than now, and waits for it. */
async function* paced(batches: AsyncIterable<readonly RawFrame[]>, signal: AbortSignal): AsyncGenerator<readonly RawFrame[], void, undefined> {
  let capture0: number | undefined;
  let wall0 = 0;
  for await (const batch of batches) {
    let from = 0;
    for (let i = 0; i < batch.length; i++) {
      const f = batch[i]!;
      if (f.tsSec === 0 && f.tsNsec === 0) continue;
      const ms = f.tsSec * 1000 + f.tsNsec / 1e6;
      if (capture0 === undefined) {
        capture0 = ms;
        wall0 = performance.now();
        continue;
      }
      const wait = wall0 + (ms - capture0) - performance.now();
      if (wait < 1) continue;
      if (i > from) yield batch.slice(from, i);
      from = i;
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        return;
      }
    }
    if (from < batch.length) yield from === 0 ? batch : batch.slice(from);
  }
}
