/**
 * Offline analysis of capture files: the same decode, the same analyzer list
 * (`analyzers.ts`) with the same caps, the same alert gate and the same
 * fences as the agent, with nothing stored or published. Used by
 * `iomt-sensor replay` and by the conformance tests that compare the
 * inventory with tshark.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { PcapFileSource } from '../capture/pcap-file/index.js';
import type { SourceAnomaly, SourceEvents, SourceState } from '../capture/types.js';
import { defaultFrameDecoder } from '../decode/index.js';
import { AlertCatalogue } from '../alerts/catalogue.js';
import { AlertGate, type GatedAlert } from '../alerts/gate.js';
import { OuiRegistry } from '../identify/oui.js';
import { validateConfig, type Config } from '../config/index.js';
import { InventoryAnalyzer, type DeviceRecord } from './inventory/index.js';
import { buildAnalyzers } from './analyzers.js';
import { Pipeline } from './pipeline.js';
import { BatchSink } from './sink.js';

/**
 * The configuration a replay runs with when none is given: the agent's
 * defaults. Sensor identity and sources are placeholders; replay reads the
 * files it is given.
 */
export function replayConfig(overrides: Record<string, unknown> = {}): Config {
  return validateConfig({
    sensor: { id: 'replay', site: 'offline', ward: 'offline' },
    sources: [{ type: 'pcap-file', name: 'replay', path: '-' }],
    ...overrides,
  });
}

/** Alerts a summary lists; more are counted (`replay.alerts_not_listed`). */
const MAX_ALERTS_LISTED = 10_000;

export interface ReplayOptions {
  readonly files: readonly string[];
  /** The agent's configuration (caps, learning period, alert limits); the defaults when absent. */
  readonly config?: Config;
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
  /** The first analyzer exceptions (all are counted in `counters` as analyzer.bug.<name>). */
  readonly bugs: readonly string[];
}

export async function replayFiles(opts: ReplayOptions): Promise<ReplaySummary> {
  const started = process.hrtime.bigint();
  const decoder = defaultFrameDecoder();
  const config = opts.config ?? replayConfig();
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: config.alerts.suppress_s, maxPerMinute: config.alerts.max_per_minute });
  const sink = new BatchSink(gate);
  const analyzers = buildAnalyzers(config, { oui: opts.oui ?? new OuiRegistry() });
  const bugs: string[] = [];
  const pipeline = new Pipeline(decoder, analyzers, sink, { bug: (a, phase, err) => bugs.length < 10 && bugs.push(`${a}/${phase}: ${String(err)}`) });
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
  let alertsOver = 0;
  const keepAlerts = (more: readonly GatedAlert[]): void => {
    for (const a of more) {
      if (alerts.length < MAX_ALERTS_LISTED) alerts.push(a);
      else alertsOver++;
    }
  };
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
      // Nothing is stored or published offline; drain like the agent's commits do, so memory stays bounded.
      if (sink.pending >= config.runtime.commit_pending) keepAlerts(sink.drain().alerts);
      opts.progress?.(doneBefore + (source.counters?.bytesIn ?? 0), total, pipeline.frames);
    }
    doneBefore += source.counters?.bytesIn ?? 0;
    files.push({ file: path, frames: pipeline.frames - before, state, detail, anomalies });
  }
  pipeline.flush();
  keepAlerts(sink.drain().alerts);
  if (alertsOver > 0) sink.count('replay.alerts_not_listed', alertsOver);
  const inventory = analyzers.find((a): a is InventoryAnalyzer => a instanceof InventoryAnalyzer);
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
    devices: inventory?.records() ?? [],
    alerts,
    counters: Object.fromEntries(sink.counters),
    bugs,
  };
}
