/**
 * Offline analysis of capture files: the same decode and analyzers as the
 * agent, with nothing stored or published. Used by `iomt-sensor replay` and
 * by the conformance tests that compare the inventory with tshark.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { PcapFileSource } from '../capture/pcap-file/index.js';
import type { SourceAnomaly, SourceEvents, SourceState } from '../capture/types.js';
import { defaultFrameDecoder } from '../decode/index.js';
import { AlertCatalogue } from '../alerts/catalogue.js';
import { AlertGate, type GatedAlert } from '../alerts/gate.js';
import { OuiRegistry } from '../identify/oui.js';
import { InventoryAnalyzer, type DeviceRecord, type InventoryOptions } from './inventory/index.js';
import { Pipeline } from './pipeline.js';
import { BatchSink } from './sink.js';

export interface ReplayOptions {
  readonly files: readonly string[];
  readonly inventory: InventoryOptions;
  readonly oui?: OuiRegistry;
  /** Called after every batch with bytes read so far and the total size of the files. */
  readonly progress?: (doneBytes: number, totalBytes: number, frames: number) => void;
  readonly signal?: AbortSignal;
}

export interface FileResult {
  readonly file: string;
  readonly frames: number;
  readonly state: SourceState;
  readonly detail: string | undefined;
  readonly anomalies: Readonly<Record<string, number>>;
}

export interface ReplaySummary {
  readonly frames: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly files: readonly FileResult[];
  /** Decode anomalies by code (truncated frames included, see `snapped`). */
  readonly decodeAnomalies: Readonly<Record<string, number>>;
  readonly snapped: number;
  readonly devices: readonly DeviceRecord[];
  readonly alerts: readonly GatedAlert[];
  readonly counters: Readonly<Record<string, number>>;
}

export async function replayFiles(opts: ReplayOptions): Promise<ReplaySummary> {
  const started = process.hrtime.bigint();
  const decoder = defaultFrameDecoder();
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 3600, maxPerMinute: 1_000_000 });
  const sink = new BatchSink(gate);
  const inventory = new InventoryAnalyzer(opts.inventory, opts.oui ?? new OuiRegistry());
  const pipeline = new Pipeline(decoder, [inventory], sink);
  const signal = opts.signal ?? new AbortController().signal;
  let total = 0;
  for (const f of opts.files) {
    try {
      total += f === '-' ? 0 : statSync(f).size;
    } catch {
      // Reported as the file's failure below.
    }
  }
  const files: FileResult[] = [];
  const alerts: GatedAlert[] = [];
  let doneBefore = 0;
  for (const path of opts.files) {
    const source = new PcapFileSource({ name: path === '-' ? 'stdin' : basename(path), path });
    let state: SourceState = 'starting';
    let detail: string | undefined;
    const anomalies: Record<string, number> = {};
    const events: SourceEvents = {
      anomaly(a: SourceAnomaly) {
        anomalies[a.code] = (anomalies[a.code] ?? 0) + 1;
      },
      state(s: SourceState, d?: string) {
        state = s;
        detail = d;
      },
    };
    const before = pipeline.frames;
    for await (const batch of source.open(signal, events)) {
      pipeline.process(batch);
      opts.progress?.(doneBefore + (source.counters?.bytesIn ?? 0), total, pipeline.frames);
    }
    doneBefore += source.counters?.bytesIn ?? 0;
    files.push({ file: path, frames: pipeline.frames - before, state, detail, anomalies });
  }
  inventory.flush(sink);
  alerts.push(...sink.drain().alerts);
  const c = decoder.counters;
  let bytes = 0;
  for (const s of pipeline.perSource.values()) bytes += s.bytes;
  return {
    frames: pipeline.frames,
    bytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    files,
    decodeAnomalies: c.snapshot(),
    snapped: c.snapped,
    devices: inventory.records(),
    alerts,
    counters: Object.fromEntries(sink.counters),
  };
}
