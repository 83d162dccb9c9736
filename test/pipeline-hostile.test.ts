/**
 * Bad input never throws out of the whole pipeline: pcap reader -> decoder ->
 * inventory -> sink, then a tick and a snapshot. Every real capture whole,
 * every prefix of a few, seeded byte flips of a handful, and every frame
 * snapped at every length. Whatever the bytes, no exception escapes, no
 * decoder throws (`decoder.bug`), every frame the reader produced reaches the
 * pipeline, the reader ends cleanly or with a counted anomaly, and the device
 * table stays within its cap.
 *
 * The captures are read from shared/captures (IOMT_CAPTURES overrides), never
 * copied into the repository.
 */
import t from 'tap';
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Analyzer } from '../src/analyze/types.js';
import type { RawFrame } from '../src/capture/types.js';
import { PcapReader } from '../src/capture/pcap/reader.js';
import { PCAP_ANOMALIES, type PcapAnomalyCode } from '../src/capture/pcap/consts.js';
import { EventLog } from '../src/capture/pcap/testing.js';
import { Pipeline } from '../src/analyze/pipeline.js';
import { BatchSink } from '../src/analyze/sink.js';
import { InventoryAnalyzer } from '../src/analyze/inventory/index.js';
import { AlertGate } from '../src/alerts/gate.js';
import { AlertCatalogue } from '../src/alerts/catalogue.js';
import { OuiRegistry } from '../src/identify/oui.js';
import { defaultFrameDecoder, DEFAULT_ROUTES, type FrameDecoder } from '../src/decode/index.js';

const CAPTURES = process.env['IOMT_CAPTURES'] ?? fileURLToPath(new URL('../../../shared/captures', import.meta.url));

/** Every .pcap and .pcapng below `dir`; the .dcf and .log files are not pcap and are left out by extension. */
function captureFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...captureFiles(p));
    else if (/\.pcap(ng)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** Loaded once and shared: every pipeline only reads it. */
const OUI = new OuiRegistry();
/** Small, so that mutated MACs overflow it and eviction runs under hostile input. */
const MAX_DEVICES = 3;
/** Link types with a decoder route; only their frames get past the first lookup. */
const ROUTED = new Set(DEFAULT_ROUTES.filter((r) => r.parent === 'linktype').map((r) => r.key));

/** Fails the run from inside the pipeline the moment the inventory is over its cap. */
class CapWatch implements Analyzer {
  readonly name = 'cap-watch';
  maxSeen = 0;
  constructor(private readonly inv: InventoryAnalyzer) {}
  onFrame(): void {
    if (this.inv.size > this.maxSeen) this.maxSeen = this.inv.size;
  }
  onTick(): void {}
}

interface Rig {
  readonly decoder: FrameDecoder;
  readonly inventory: InventoryAnalyzer;
  readonly watch: CapWatch;
  readonly sink: BatchSink;
  readonly pipeline: Pipeline;
}

function rig(): Rig {
  const decoder = defaultFrameDecoder();
  const inventory = new InventoryAnalyzer({ maxDevices: MAX_DEVICES, learningPeriodS: 0, deltaIntervalS: 0, maxIpsPerDevice: 4, snapshotChunk: 3 }, OUI);
  const watch = new CapWatch(inventory);
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 60, maxPerMinute: 1000 }));
  return { decoder, inventory, watch, sink, pipeline: new Pipeline(decoder, [inventory, watch], sink) };
}

interface Outcome {
  readonly problems: string[];
  readonly frames: number;
  readonly anomalies: string[];
  readonly rig: Rig;
}

/** Everything that must hold after any input, as a list of broken promises (empty when all hold). */
function checkRun(r: Rig, reader: PcapReader, log: EventLog, produced: number): string[] {
  const problems: string[] = [];
  const bugs = r.decoder.counters.bugs;
  if (bugs !== 0) problems.push(`decoder.bug x${bugs} in ${[...r.decoder.counters.bugsByLayer.keys()].join(',')}`);
  if (r.pipeline.frames !== reader.counters.frames) problems.push(`pipeline saw ${r.pipeline.frames} frames, reader counted ${reader.counters.frames}`);
  if (r.pipeline.frames !== produced) problems.push(`pipeline saw ${r.pipeline.frames} frames, reader returned ${produced}`);
  if (r.decoder.counters.frames !== produced) problems.push(`decoder saw ${r.decoder.counters.frames} frames of ${produced}`);
  if (!reader.ended) problems.push('reader did not end');
  const counted = Object.values(reader.counters.anomalies).reduce((a, b) => a + b, 0);
  if (counted !== log.anomalies.length) problems.push(`${counted} anomalies counted, ${log.anomalies.length} reported`);
  log.anomalies.forEach((a, i) => {
    const info = PCAP_ANOMALIES[a.code as PcapAnomalyCode];
    if (info === undefined) problems.push(`undocumented anomaly ${a.code}`);
    else if (info.fatal && i !== log.anomalies.length - 1) problems.push(`fatal ${a.code} is not the last anomaly`);
  });
  if (r.watch.maxSeen > MAX_DEVICES || r.inventory.size > MAX_DEVICES) problems.push(`inventory reached ${r.watch.maxSeen} devices`);
  return problems;
}

/** Reads `bytes` in chunks of `chunk` through the whole pipeline, then ticks, snapshots and drains. */
function runBytes(bytes: Uint8Array, chunk = bytes.length || 1): Outcome {
  const r = rig();
  const log = new EventLog();
  const reader = new PcapReader('hostile', log);
  let produced = 0;
  try {
    for (let o = 0; o < bytes.length; o += chunk) {
      const frames = reader.push(bytes.subarray(o, o + chunk));
      produced += frames.length;
      r.pipeline.process(frames);
    }
    const last = reader.end();
    produced += last.length;
    r.pipeline.process(last);
    r.pipeline.tick(2_000_000_000);
    r.inventory.snapshot(r.sink);
    r.sink.drain();
  } catch (e) {
    return { problems: [`threw ${(e as Error).stack ?? String(e)}`], frames: produced, anomalies: log.anomalies.map((a) => a.code), rig: r };
  }
  return { problems: checkRun(r, reader, log, produced), frames: produced, anomalies: log.anomalies.map((a) => a.code), rig: r };
}

const files = existsSync(CAPTURES) ? captureFiles(CAPTURES) : [];
const bytesOf = new Map(files.map((f) => [relative(CAPTURES, f), new Uint8Array(readFileSync(f))]));
function capture(name: string): Uint8Array {
  const b = bytesOf.get(name);
  if (b === undefined) throw new Error(`${name} is not under ${CAPTURES}`);
  return b;
}

t.test('every capture, whole', async (t) => {
  t.ok(files.length >= 50, `${files.length} captures under ${CAPTURES}`);
  for (const [name, bytes] of bytesOf) {
    const o = runBytes(bytes, 4096);
    t.same(o.problems, [], `${name}: ${o.frames} frames`);
    t.ok(o.frames > 0, `${name}: the reader produced frames`);
    t.notOk(o.anomalies.some((c) => PCAP_ANOMALIES[c as PcapAnomalyCode]?.fatal), `${name}: no fatal anomaly on the whole file`);
  }
});

/** Cut points: every byte of the first 4 KiB, every 97th after. */
function cuts(len: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= len; i += i < 4096 ? 1 : 97) out.push(i);
  if (out[out.length - 1] !== len) out.push(len);
  return out;
}

t.test('every prefix of small real captures', async (t) => {
  const rows: string[] = [
    'ethernet_fingerprint/wireshark-wiki_dhcp.pcap',
    'ethernet_fingerprint/chrissanders_dhcp_nolease_initialization.pcapng',
    'ethernet_fingerprint/wireshark-wiki_SSDP_ipv6.pcap',
    'ethernet_fingerprint/ndpi_mqtt.pcapng',
    'ethernet_medical/ndpi_hl7-mllp_adt-a01.pcap',
    // Red Hat 6.1 "modified" pcap records: the reader guesses the layout from two records.
    'ble_ll/iotsec-medical_fitbit-inspire2_adv_3.pcap',
    // Raw IP (LINKTYPE_RAW), larger: every byte of the first 4 KiB, then every 97th.
    'iomt_app_traffic/iotsec-medical_fitbitfitness_wifi_6_3.pcap',
  ];
  for (const name of rows) {
    const bytes = capture(name);
    const problems: string[] = [];
    let truncatedEnds = 0;
    let frames = 0;
    const at = cuts(bytes.length);
    for (const len of at) {
      const o = runBytes(bytes.subarray(0, len));
      for (const p of o.problems) problems.push(`${len}: ${p}`);
      if (o.anomalies.length > 0) truncatedEnds++;
      frames += o.frames;
    }
    t.same(problems.slice(0, 5), [], `${name}: ${at.length} prefixes, ${frames} frames`);
    t.ok(truncatedEnds > 0, `${name}: ${truncatedEnds} prefixes ended in a counted anomaly`);
  }
});

t.test('seeded random byte flips', async (t) => {
  const rows: [name: string, seed: number][] = [
    ['ethernet_fingerprint/wireshark-wiki_dhcp.pcap', 1],
    ['ethernet_fingerprint/chrissanders_dhcp_nolease_initialization.pcapng', 2],
    ['ethernet_fingerprint/wireshark-wiki_SSDP_ipv6.pcap', 3],
    ['ethernet_fingerprint/zeek_tls1.2.pcap', 4],
    ['ethernet_medical/profuzzbench_dicom_store.pcap', 5],
    ['iomt_app_traffic/iotsec-medical_kardiamobile_2_3.pcap', 6],
  ];
  let allEvictions = 0;
  for (const [name, seed] of rows) {
    const original = capture(name);
    let readerAnomalies = 0;
    let decodeAnomalies = 0;
    let evictions = 0;
    // Flips cluster where headers live as often as they land anywhere in the file.
    const offset = fc.oneof(fc.nat({ max: Math.min(original.length, 512) - 1 }), fc.nat({ max: original.length - 1 }));
    const mutation = fc.record({
      flips: fc.array(fc.tuple(offset, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 24 }),
      chunk: fc.integer({ min: 1, max: 8192 }),
    });
    const details = fc.check(fc.property(mutation, ({ flips, chunk }) => {
      const bytes = original.slice();
      for (const [o, x] of flips) bytes[o] = bytes[o]! ^ x;
      const o = runBytes(bytes, chunk);
      if (o.anomalies.length > 0) readerAnomalies++;
      const c = o.rig.decoder.counters;
      if (c.malformed + c.truncated + c.unsupported > 0) decodeAnomalies++;
      evictions += o.rig.inventory.counters.devices_evicted;
      if (o.problems.length > 0) throw new Error(o.problems.join('; '));
    }), { seed, numRuns: 300 });
    t.notOk(details.failed, details.failed ? `${name}: ${fc.defaultReportMessage(details)}` : `${name}: 300 mutations`);
    // The flips must reach both the reader and the decoders, or this test proves little.
    t.ok(readerAnomalies > 0, `${name}: ${readerAnomalies} runs with reader anomalies`);
    t.ok(decodeAnomalies > 0, `${name}: ${decodeAnomalies} runs with decode anomalies`);
    t.comment(`${name}: ${evictions} evictions`);
    allEvictions += evictions;
  }
  // Flipped MAC and IP bytes make new devices; the cap held (checked per frame above) while it evicted.
  t.ok(allEvictions > 0, `the table overflowed under mutation (${allEvictions} evictions)`);
});

t.test('every frame snapped at every length', async (t) => {
  let total = 0;
  let truncated = 0;
  for (const [name, bytes] of bytesOf) {
    const log = new EventLog();
    const reader = new PcapReader('snapped', log);
    const frames = [...reader.push(bytes), ...reader.end()].filter((f) => ROUTED.has(f.linkType));
    if (frames.length === 0) continue;
    const r = rig();
    let fed = 0;
    let threw: string | undefined;
    try {
      for (const f of frames) {
        const batch: RawFrame[] = [];
        for (let len = 0; len < f.bytes.length; len++) batch.push({ ...f, bytes: f.bytes.subarray(0, len), origLen: f.origLen });
        fed += batch.length;
        r.pipeline.process(batch);
      }
      r.pipeline.tick(2_000_000_000);
      r.inventory.snapshot(r.sink);
      r.sink.drain();
    } catch (e) {
      threw = (e as Error).stack ?? String(e);
    }
    const c = r.decoder.counters;
    t.same(
      { threw, bugs: c.bugs, frames: r.pipeline.frames, snapped: c.snapped, overCap: r.watch.maxSeen > MAX_DEVICES },
      { threw: undefined, bugs: 0, frames: fed, snapped: fed, overCap: false },
      `${name}: ${frames.length} frames, ${fed} snapped copies`,
    );
    total += fed;
    truncated += c.truncated;
  }
  t.ok(total > 100_000, `${total} snapped frames in all`);
  t.ok(truncated > 0, `${truncated} were counted truncated`);
});
