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
import type { RawFrame, SourceAnomaly, SourceEvents, SourceState } from '../capture/types.js';
import { defaultFrameDecoder, NOTE_PREFIX } from '../decode/index.js';
import { describeLinktype, linktypeName } from '../capture/pcap/linktypes.js';
import { AlertCatalogue } from '../alerts/catalogue.js';
import { AlertGate, type GatedAlert } from '../alerts/gate.js';
import { OuiRegistry } from '../identify/oui.js';
import type { Config } from '../config/index.js';
import { replayDefaults } from '../config/defaults.js';
import { InventoryAnalyzer, type DeviceRecord } from './inventory/index.js';
import { buildAnalyzers } from './analyzers.js';
import { Pipeline } from './pipeline.js';
import { BatchSink } from './sink.js';

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
  /** 802.15.4 (issue 10): the files' LINKTYPE 195 frames end in TI CC24xx metadata (pcap-file `fcs_format`). */
  readonly fcsFormat?: 'crc16' | 'ti-cc24xx';
}

/** Frames of one link type in one file, and whether a route in src/decode/routes.ts reads it. */
export interface LinktypeSeen {
  readonly linkType: number;
  /** The LINKTYPE name (src/capture/pcap/linktypes.ts), or undefined when the registry has none. */
  readonly name: string | undefined;
  readonly frames: number;
  readonly supported: boolean;
}

export interface FileResult {
  readonly file: string;
  readonly frames: number;
  /** Frames whose link layer decoded. */
  readonly decoded: number;
  readonly state: SourceState;
  readonly detail: string | undefined;
  /** The reader's anomalies (container: pcap.*, pcapng.*) by code. */
  readonly anomalies: Readonly<Record<string, number>>;
  /** Decode anomalies of this file's frames by code (linktype.unsupported, ipv4.bad_ihl ...). */
  readonly decodeAnomalies: Readonly<Record<string, number>>;
  /** Decode notes of this file's frames by code (ethernet.zero_source ...). */
  readonly notes: Readonly<Record<string, number>>;
  readonly linkTypes: readonly LinktypeSeen[];
  /** Why nothing in this file could be read, in a phrase for a person; undefined when something was. */
  readonly unread: string | undefined;
}

export interface ReplaySummary {
  readonly frames: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly files: readonly FileResult[];
  /** Decode counters and anomalies by code (truncated frames included, see `snapped`); notes are apart. */
  readonly decodeAnomalies: Readonly<Record<string, number>>;
  /** Decode notes by code: senders the analyzers do not keep (all-zero MAC, 240/4 ...). */
  readonly decodeNotes: Readonly<Record<string, number>>;
  /** Frames whose link layer decoded, in all files. */
  readonly decoded: number;
  /** Why nothing in any file could be read (one line); undefined when something was. */
  readonly unread: string | undefined;
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
  const config = opts.config ?? replayDefaults();
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
    const source = new PcapFileSource({ name: path === '-' ? 'stdin' : basename(path), path, ...(opts.fcsFormat === undefined ? {} : { fcsFormat: opts.fcsFormat }) });
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
    const countsBefore = decoder.counters.snapshot();
    const seen = new Map<number, number>();
    for await (const batch of source.open(signal, events)) {
      countLinktypes(batch, seen);
      pipeline.process(batch);
      // Nothing is stored or published offline; drain like the agent's commits do, so memory stays bounded.
      if (sink.pending >= config.runtime.commit_pending) keepAlerts(sink.drain().alerts);
      opts.progress?.(doneBefore + (source.counters?.bytesIn ?? 0), total, pipeline.frames);
    }
    doneBefore += source.counters?.bytesIn ?? 0;
    const delta = diffCounts(countsBefore, decoder.counters.snapshot());
    const linkTypes = [...seen].map(([lt, n]) => ({ linkType: lt, name: linktypeName(lt), frames: n, supported: decoder.supportsLinktype(lt) }));
    const frames = pipeline.frames - before;
    const decoded = delta.decoded ?? 0;
    files.push({
      file: path,
      frames,
      decoded,
      state,
      detail,
      anomalies,
      decodeAnomalies: pick(delta, (k) => k.includes('.') && !k.startsWith(NOTE_PREFIX)),
      notes: unprefix(pick(delta, (k) => k.startsWith(NOTE_PREFIX))),
      linkTypes,
      unread: decoded > 0 ? undefined : whyUnread(state, detail, frames, linkTypes),
    });
  }
  pipeline.flush();
  keepAlerts(sink.drain().alerts);
  if (alertsOver > 0) sink.count('replay.alerts_not_listed', alertsOver);
  const inventory = analyzers.find((a): a is InventoryAnalyzer => a instanceof InventoryAnalyzer);
  const c = decoder.counters;
  let bytes = 0;
  for (const s of pipeline.perSource.values()) bytes += s.bytes;
  const snap = c.snapshot();
  return {
    frames: pipeline.frames,
    bytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    files,
    decodeAnomalies: pick(snap, (k) => !k.startsWith(NOTE_PREFIX)),
    decodeNotes: unprefix(pick(snap, (k) => k.startsWith(NOTE_PREFIX))),
    decoded: c.decoded,
    unread: c.decoded > 0 ? undefined : whyNothingRead(files),
    snapped: c.snapped,
    devices: inventory?.records() ?? [],
    alerts,
    counters: Object.fromEntries(sink.counters),
    bugs,
  };
}

/** Adds each frame's link type to `seen`; a batch is nearly always one link type, so runs are counted at once. */
function countLinktypes(batch: readonly RawFrame[], seen: Map<number, number>): void {
  let lt = -1;
  let run = 0;
  for (let i = 0; i < batch.length; i++) {
    const t = batch[i]!.linkType;
    if (t === lt) {
      run++;
      continue;
    }
    if (run > 0) seen.set(lt, (seen.get(lt) ?? 0) + run);
    lt = t;
    run = 1;
  }
  if (run > 0) seen.set(lt, (seen.get(lt) ?? 0) + run);
}

/** after - before for every key of `after` that grew. */
function diffCounts(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

function pick(counts: Readonly<Record<string, number>>, keep: (key: string) => boolean): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([k]) => keep(k)));
}

function unprefix(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k.slice(NOTE_PREFIX.length), v]));
}

/** Why no frame of a file decoded: the source's failure, what the file is instead, or its link types. */
function whyUnread(state: SourceState, detail: string | undefined, frames: number, linkTypes: readonly LinktypeSeen[]): string {
  if (state === 'failed') return detail ?? 'failed';
  if (frames === 0) return detail === 'pcap' || detail === 'pcapng' ? `${detail} with no frames` : detail ?? 'no frames';
  const unsupported = linkTypes.filter((l) => !l.supported);
  if (unsupported.length > 0) return unsupported.map((l) => `link type ${describeLinktype(l.linkType)}: not supported yet`).join(', ');
  return 'no frame decoded (see its decode anomalies)';
}

/** One line for a person: what each file was, de-duplicated. */
function whyNothingRead(files: readonly FileResult[]): string {
  if (files.length === 0) return 'no files';
  const reasons = [...new Set(files.map((f) => f.unread ?? 'no frame decoded'))];
  const what = files.length === 1 ? basename(files[0]!.file) : `any of ${files.length} files`;
  return `nothing could be read from ${what}: ${reasons.join('; ')}`;
}
