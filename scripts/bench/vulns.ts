/**
 * Bench section `vulns` (issue 12): ingesting the advisory feed and
 * re-correlating a large inventory against it.
 *
 * The shared feed holds 14 of CISA's 144 ICSMA advisories, so 144 are made
 * from them: each shared advisory copied under a new tracking id (product
 * trees, versions and vulnerabilities unchanged, so every copy validates and
 * matches like its original: the matcher sees ten times the products per
 * vendor a real feed has, a pessimistic load). The inventory is 10,000
 * devices drawn from realistic identities (pumps, monitors, imaging, DICOM
 * viewers with firmware in and out of the affected ranges, and non-medical
 * devices), seeded, so every run measures the same work.
 *
 * Targets: ingest (read, SHA-512, validate, normalise) under 5 s; one full
 * re-correlation of 10k devices under 1 s.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsafValidator, readFeedDir } from '../../src/identify/advisories/index.js';
import { VulnsAnalyzer } from '../../src/analyze/vulns/index.js';
import { BatchSink } from '../../src/analyze/sink.js';
import { AlertGate } from '../../src/alerts/gate.js';
import { AlertCatalogue } from '../../src/alerts/catalogue.js';
import type { DeviceAttribute, InventoryDevice } from '../../src/telemetry/kinds.js';
import { table, verdict } from './common.js';

export interface VulnsBenchResult {
  readonly advisories: number;
  readonly validatorLoadMs: number;
  readonly ingestColdMs: number;
  readonly ingestWarmMs: number;
  readonly devices: number;
  readonly correlateMs: number;
  readonly recorrelateMs: number;
  /** CPU time of the same steps (user + system): what the work costs when the machine is shared. */
  readonly cpuMs: Readonly<Record<string, number>>;
  readonly matched: number;
}

const IDENTITIES: ReadonlyArray<readonly [string, string, string]> = [
  ['B. Braun', 'SpaceCom2', '012U0000'], ['B. Braun Medical', 'Infusomat Space', '028U0000'], ['B. Braun', 'Perfusor compactPlus', 'A1'],
  ['Medtronic', 'MyCareLink 24950', ''], ['Medtronic', 'MiniMed Paradigm Veo 554', '2.'], ['Medtronic', 'MiniMed 670G MMT-178', ''],
  ['Baxter', 'Sigma Spectrum', 'v'], ['Philips', 'IntelliVue MX450', ''], ['Philips', 'PIC iX', ''], ['Philips', 'MRI 1.5T', ''],
  ['Innokas Yhtymä Oy', 'VC150', '1.7.'], ['BD', 'Alaris Infusion Central', '1.'], ['Smiths Medical', 'Medfusion 4000', '1.'],
  ['GE Healthcare', 'CARESCAPE Monitor B450', '2.'], ['Zebra Technologies', 'ZD421', ''], ['Hewlett Packard', 'LaserJet M404', ''],
  ['Raspberry Pi Trading', 'Raspberry Pi 4', ''], ['Cisco Systems', 'Catalyst 9300', '17.'],
];

/** A small seeded generator (mulberry32), so every run builds the same inventory. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function benchInventory(n: number, seed = 1): InventoryDevice[] {
  const r = rng(seed);
  const out: InventoryDevice[] = [];
  const ev = (name: DeviceAttribute['name'], value: string): DeviceAttribute => ({ name, value, proto: 'snmp', field: 'sysDescr', time: 1_767_600_000, confidence: 3, source: 'span0' });
  for (let i = 0; i < n; i++) {
    const [vendor, model, fw] = IDENTITIES[Math.floor(r() * IDENTITIES.length)]!;
    const attrs = [ev('vendor', vendor), ev('model', model)];
    const minor = Math.floor(r() * 100);
    if (fw !== '') attrs.push(ev('firmware', `${fw}${String(minor).padStart(2, '0')}`));
    else if (r() < 0.5) attrs.push(ev('software', ['B.02', 'C.03', 'D.01', 'M.00', 'P.01', '5.7.1', '6.1'][Math.floor(r() * 7)]!));
    const mac = `02:00:${((i >> 24) & 255).toString(16).padStart(2, '0')}:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    out.push({ ids: [{ kind: 'mac', value: mac }], attrs, firstSeen: 1_767_600_000, lastSeen: 1_767_600_000, frames: 1, bytes: 100, sources: ['span0'] });
  }
  return out;
}

/** Writes `count` advisories made from the shared ones into a new directory. */
export function syntheticFeed(sharedDir: string, count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-bench-feed-'));
  const files = readdirSync(sharedDir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no advisories in ${sharedDir}`);
  for (let i = 0; i < count; i++) {
    const f = files[i % files.length]!;
    const doc = JSON.parse(readFileSync(join(sharedDir, f), 'utf8')) as { document: { tracking: { id: string } } };
    if (i >= files.length) doc.document.tracking.id = `${doc.document.tracking.id}-SYN${String(i).padStart(3, '0')}`;
    writeFileSync(join(dir, `${String(i).padStart(3, '0')}-${f}`), JSON.stringify(doc));
  }
  return dir;
}

export async function vulnsSection(opts: { sharedDir?: string; advisories?: number; devices?: number } = {}): Promise<{ result: VulnsBenchResult; lines: string[] }> {
  const shared = opts.sharedDir ?? fileURLToPath(new URL('../../../../shared/feeds/csaf_icsma', import.meta.url));
  const dir = syntheticFeed(shared, opts.advisories ?? 144);
  try {
    const validator = new CsafValidator();
    const cpuMs: Record<string, number> = {};
    let c0 = process.cpuUsage();
    const cpu = (name: string): void => {
      const d = process.cpuUsage(c0);
      cpuMs[name] = (d.user + d.system) / 1000;
      c0 = process.cpuUsage();
    };
    let t0 = performance.now();
    const feed = await readFeedDir(dir, validator, { maxAdvisories: 4096, maxFileBytes: 16 << 20 });
    const ingestColdMs = performance.now() - t0;
    cpu('ingestCold');
    t0 = performance.now();
    await readFeedDir(dir, validator, { maxAdvisories: 4096, maxFileBytes: 16 << 20 });
    const ingestWarmMs = performance.now() - t0;
    cpu('ingestWarm');
    if (feed.rejected.length > 0) throw new Error(`synthetic feed rejected: ${feed.rejected.map((r) => `${r.file}: ${r.reason}`).join('; ')}`);
    const devices = benchInventory(opts.devices ?? 10_000);
    const a = new VulnsAnalyzer({ maxDevices: devices.length, rankingSize: 20, maxMatchesPerDevice: 16 }, { records: () => devices, watch: () => undefined });
    const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 1000 }));
    a.setFeed(feed);
    c0 = process.cpuUsage();
    t0 = performance.now();
    a.onTick(0, sink);
    const correlateMs = performance.now() - t0;
    cpu('correlate');
    sink.drain();
    // A feed change: everything again (the results are compared with the previous ones, none changed).
    a.setFeed(feed);
    t0 = performance.now();
    a.onTick(1, sink);
    const recorrelateMs = performance.now() - t0;
    cpu('recorrelate');
    const result: VulnsBenchResult = { advisories: feed.advisories.length, validatorLoadMs: validator.loadMs, ingestColdMs, ingestWarmMs, devices: devices.length, correlateMs, recorrelateMs, cpuMs, matched: a.gauges().devices_matched! };
    const lines = [
      `vulns: ${result.advisories} advisories (14 shared + synthetic copies), ${result.devices} devices, ${result.matched} with a match; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`,
      '',
      ...table([
        ['', 'wall ms', 'CPU ms', 'target (wall)'],
        ['validator load (once per process)', result.validatorLoadMs.toFixed(0), '', ''],
        ['ingest, cold (incl. validator load)', result.ingestColdMs.toFixed(0), cpuMs.ingestCold!.toFixed(0), `< 5000 ${verdict(result.ingestColdMs < 5000)}`],
        ['ingest, warm', result.ingestWarmMs.toFixed(0), cpuMs.ingestWarm!.toFixed(0), `< 5000 ${verdict(result.ingestWarmMs < 5000)}`],
        ['correlate 10k devices (first)', result.correlateMs.toFixed(0), cpuMs.correlate!.toFixed(0), `< 1000 ${verdict(result.correlateMs < 1000)}`],
        ['re-correlate 10k after a feed change', result.recorrelateMs.toFixed(0), cpuMs.recorrelate!.toFixed(0), `< 1000 ${verdict(result.recorrelateMs < 1000)}`],
      ]),
      '',
    ];
    return { result, lines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Standalone: node dist/scripts/bench/vulns.js
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { lines, result } = await vulnsSection();
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(result)}\n`);
}
