/**
 * The vulns analyzer: which advisories apply to each device, how risky the
 * device is on this ward, and the patch priority list.
 *
 * It follows the inventory through `InventoryAnalyzer.watch` (each delta's
 * records): a device whose identity (vendor, model, firmware, software,
 * class, services, remote peers) changed is re-correlated on the next
 * tick; a new feed (`setFeed`, from the agent's feed watcher) re-correlates
 * every device. Results are stored in the `vulns` area and published as
 * `vulns-delta` (only devices whose result changed) and `vulns-ranking`.
 * Passive indicators (indicators.ts) run on frames and attach their CVEs.
 *
 * Synchronous, no I/O: loading and validating the feed happen outside
 * (src/identify/advisories/), and the analyzer gets the finished index.
 */
import type { Analyzer, Sink, SnapshotReason } from '../types.js';
import type { DecodedFrame } from '../../decode/types.js';
import type { Config } from '../../config/index.js';
import type { DeviceRecord } from '../inventory/record.js';
import { AdvisoryIndex, type Feed } from '../../identify/advisories/index.js';
import { deviceId } from '../../telemetry/device.js';
import { identifierKey, type Identifier } from '../../telemetry/ident.js';
import type { DeviceVulnsBody, RankingEntryBody, VulnMatchBody } from '../../telemetry/kinds.js';
import { matchDevice, type VulnMatch } from './match.js';
import { rank, riskOf } from './risk.js';
import type { AlertInput } from '../../alerts/types.js';
import { attachedRule, indicatorHits, type IndicatorRule } from './indicators.js';

export interface VulnsOptions {
  /** Devices whose results are kept (the inventory's cap is the natural value); the least recently changed go first. */
  readonly maxDevices: number;
  /** Entries in the published ranking. */
  readonly rankingSize: number;
  /** Matches kept per device (highest CVSS first). */
  readonly maxMatchesPerDevice: number;
  /** Devices per vulns-delta message. */
  readonly chunk?: number;
}

export function vulnsOptions(config: Config): VulnsOptions {
  const v = config.vulns;
  return { maxDevices: config.inventory.max_devices, rankingSize: v.ranking_size, maxMatchesPerDevice: v.max_matches_per_device };
}

/** What the analyzer reads of the inventory. */
export interface InventoryFeedback {
  records(): DeviceRecord[];
  watch(listener: (changed: readonly DeviceRecord[], removed: readonly Identifier[]) => void): void;
}

interface Kept {
  body: DeviceVulnsBody;
  /** What a subscriber would see change (signature()): compared instead of the whole body. */
  sig: string;
}

const MAX_INDICATOR_DEVICES = 1024;

export class VulnsAnalyzer implements Analyzer {
  readonly name = 'vulns';
  readonly area = 'vulns' as const;
  private index: AdvisoryIndex | undefined;
  private feedDigest = 'none';
  /** Latest identity per device id (bounded by maxDevices, oldest first). */
  private readonly devices = new Map<string, { record: DeviceRecord; identity: string }>();
  private readonly results = new Map<string, Kept>();
  private readonly pending = new Set<string>();
  private readonly cleared = new Set<string>();
  private all = false;
  private pulled = false;
  /** Indicator rules that fired, per device id (bounded). */
  private readonly indicators = new Map<string, Map<string, IndicatorRule>>();
  readonly counters = { correlated: 0, devices_evicted: 0, indicator_devices_evicted: 0, restore_rejected: 0, indicator_hits: 0 };
  /** Matches by matching input during one correlation pass: a ward's pumps of one model and firmware are matched once. */
  private passCache = new Map<string, { body: DeviceVulnsBody | undefined; sig: string }>();

  constructor(
    private opts: VulnsOptions,
    private readonly inventory?: InventoryFeedback,
  ) {
    inventory?.watch((changed, removed) => this.follow(changed, removed));
  }

  /** A new feed: every device is correlated again on the next tick. */
  setFeed(feed: Feed): void {
    this.index = new AdvisoryIndex(feed);
    this.feedDigest = feed.digest;
    this.all = true;
  }

  get feed(): string {
    return this.feedDigest;
  }

  restore(records: ReadonlyArray<readonly [string, unknown]>): void {
    for (const [key, value] of records) {
      const b = value as DeviceVulnsBody | null;
      if (typeof b !== 'object' || b === null || b.device !== key || typeof b.score !== 'number' || !Array.isArray(b.matches) || !Array.isArray(b.factors)) {
        this.counters.restore_rejected++;
        continue;
      }
      this.results.set(key, { body: b, sig: signature(b) });
    }
  }

  /** The inventory's delta: devices whose identity changed are queued. */
  private follow(changed: readonly DeviceRecord[], removed: readonly Identifier[]): void {
    for (const r of changed) this.remember(r, true);
    for (const id of removed) {
      const k = identifierKey(id);
      this.devices.delete(k);
      this.pending.delete(k);
      if (this.results.has(k)) this.cleared.add(k);
    }
  }

  private remember(r: DeviceRecord, queue: boolean): void {
    const id = deviceId(r);
    const identity = identityOf(r);
    const prev = this.devices.get(id);
    if (prev !== undefined) this.devices.delete(id);
    this.devices.set(id, { record: r, identity });
    if (queue && prev?.identity !== identity) this.pending.add(id);
    while (this.devices.size > this.opts.maxDevices) {
      const oldest = this.devices.keys().next().value as string;
      this.devices.delete(oldest);
      this.pending.delete(oldest);
      if (this.results.has(oldest)) this.cleared.add(oldest);
      this.counters.devices_evicted++;
    }
  }

  onFrame(frame: DecodedFrame, out: Sink): void {
    const hits = indicatorHits(frame);
    for (const h of hits) {
      this.counters.indicator_hits++;
      out.alert({ code: h.rule.code, device: h.device, time: frame.raw.tsSec, facts: { ...h.facts, cves: h.rule.cves.join(',') } });
      this.indicate(h.device, h.rule, out);
    }
  }

  /** Another analyzer's alert: the ones in indicators.ts ATTACHED add their CVEs to the device. */
  onAlert(input: AlertInput, out: Sink): void {
    const rule = attachedRule(input.code);
    if (rule === undefined) return;
    this.counters.indicator_hits++;
    this.indicate(input.device, rule, out);
  }

  /** Remembers that `rule` fired for `device` (bounded by MAX_INDICATOR_DEVICES); a new pair queues the device. */
  private indicate(device: string, rule: IndicatorRule, out: Sink): void {
    let m = this.indicators.get(device);
    if (m === undefined) {
      if (this.indicators.size >= MAX_INDICATOR_DEVICES) {
        this.indicators.delete(this.indicators.keys().next().value as string);
        this.counters.indicator_devices_evicted++;
        out.count('vulns.indicator_devices_evicted');
      }
      m = new Map();
      this.indicators.set(device, m);
    }
    if (!m.has(rule.code)) {
      m.set(rule.code, rule);
      this.pending.add(device);
    }
  }

  onTick(_nowSec: number, out: Sink): void {
    this.correlate(out);
  }

  flush(out: Sink): void {
    this.correlate(out);
  }

  snapshot(out: Sink, reason: SnapshotReason): void {
    if (reason === 'startup' && this.results.size === 0) return;
    this.publishRanking(out);
  }

  gauges(): Record<string, number> {
    return { devices_matched: this.results.size, advisories: this.index?.advisories ?? 0, devices_evicted: this.counters.devices_evicted };
  }

  reconfigure(config: Config): readonly string[] {
    this.opts = { ...this.opts, ...vulnsOptions(config) };
    return [];
  }

  /** Every device's current result, ranked (for the CLI and the ranking). */
  ranked(): DeviceVulnsBody[] {
    return rank([...this.results.values()].map((k) => k.body));
  }

  private correlate(out: Sink): void {
    if (!this.pulled && this.inventory !== undefined) {
      // The inventory restored its table before the first tick: start from all of it.
      for (const r of this.inventory.records()) this.remember(r, false);
      this.pulled = true;
      this.all = true;
    }
    if (this.index === undefined) return;
    const ids = this.all ? [...new Set([...this.devices.keys(), ...this.indicators.keys(), ...this.results.keys()])] : [...this.pending];
    this.all = false;
    this.pending.clear();
    const changed: DeviceVulnsBody[] = [];
    this.passCache = new Map();
    for (const id of ids) {
      const r = this.evaluateSig(id);
      this.counters.correlated++;
      const prev = this.results.get(id);
      if (r === undefined) {
        if (prev !== undefined) this.cleared.add(id);
        continue;
      }
      const { body, sig } = r;
      if (prev?.sig === sig) continue;
      this.results.set(id, { body, sig });
      this.cleared.delete(id);
      out.put('vulns', id, body);
      changed.push(body);
    }
    // Devices no longer in the feed's reach, removed from the inventory, or evicted.
    const cleared = [...this.cleared].filter((k) => this.results.has(k)).sort();
    for (const k of cleared) {
      this.results.delete(k);
      out.del('vulns', k);
    }
    this.cleared.clear();
    this.passCache = new Map();
    if (changed.length === 0 && cleared.length === 0) return;
    const chunk = this.opts.chunk ?? 200;
    changed.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    const parts = Math.max(1, Math.ceil(changed.length / chunk));
    for (let p = 0; p < parts; p++) out.publish('vulns-delta', { devices: changed.slice(p * chunk, (p + 1) * chunk), cleared: p === 0 ? cleared : [], feed: this.feedDigest });
    this.publishRanking(out);
  }

  /** One device's result, or undefined when nothing applies to it. */
  evaluate(id: string): DeviceVulnsBody | undefined {
    return this.evaluateSig(id)?.body;
  }

  /**
   * One device's result and its signature. Within a pass, devices with the
   * same matching input and the same risk inputs (class, services, peers,
   * indicators) share one computation: only the device id differs.
   */
  private evaluateSig(id: string): { body: DeviceVulnsBody; sig: string } | undefined {
    const index = this.index;
    if (index === undefined) return undefined;
    const rec = this.devices.get(id)?.record;
    const rules = [...(this.indicators.get(id)?.values() ?? [])].sort((a, b) => (a.code < b.code ? -1 : 1));
    const key = `${rec === undefined ? '' : matchingInput(rec)}\u0002${rec === undefined ? '' : identityOf(rec)}\u0002${rules.map((r) => r.code).join(',')}`;
    const cached = this.passCache.get(key);
    if (cached !== undefined) return cached.body === undefined ? undefined : { body: { ...cached.body, device: id }, sig: cached.sig };
    const matches: VulnMatch[] = rec === undefined ? [] : matchDevice(rec, index);
    if (matches.length === 0 && rules.length === 0) {
      this.passCache.set(key, { body: undefined, sig: '' });
      return undefined;
    }
    const indicatorCves = rules.flatMap((r) => r.cves);
    const risk = riskOf(rec ?? { attrs: [] }, matches, { ...(index.feed.kev !== undefined ? { kev: index.feed.kev } : {}), ...(index.feed.epss !== undefined ? { epss: index.feed.epss } : {}), indicatorCves });
    const bodies: VulnMatchBody[] = [...matches]
      .sort((a, b) => b.cvss - a.cvss || (a.advisory < b.advisory ? -1 : 1))
      .slice(0, this.opts.maxMatchesPerDevice)
      .map(matchBody);
    for (const r of rules) {
      bodies.push({ advisory: r.source.slice(0, 120), product: 'passive indicator', confidence: 'range', cves: [...r.cves], cvss10: 0, advisoryEvidence: r.source, deviceEvidence: [`alert ${r.code}`], indicator: r.code });
    }
    const body: DeviceVulnsBody = {
      device: id,
      score: risk.score,
      factors: risk.factors.map((f) => ({ name: f.name, value100: Math.round(f.value * 100), weight: f.weight, points: f.points, detail: f.detail })),
      matches: bodies,
    };
    const sig = signature(body);
    this.passCache.set(key, { body, sig });
    return { body, sig };
  }

  private publishRanking(out: Sink): void {
    const list = this.ranked();
    out.publish('vulns-ranking', { feed: this.feedDigest, entries: list.slice(0, this.opts.rankingSize).map(rankingEntry), devices: list.length });
  }
}

function matchBody(m: VulnMatch): VulnMatchBody {
  const r = m.remediations[0];
  return {
    advisory: m.advisory,
    product: m.product,
    confidence: m.confidence,
    cves: m.cves,
    cvss10: Math.round(m.cvss * 10),
    advisoryEvidence: m.advisoryEvidence,
    deviceEvidence: m.deviceEvidence,
    ...(r !== undefined ? { remediation: r.category, remediationText: r.details.slice(0, 300) } : {}),
  };
}

/** The top reasons of one ranked device: its factors, then its worst match. */
export function rankingEntry(b: DeviceVulnsBody, i: number): RankingEntryBody {
  const top = b.matches[0];
  const reasons = b.factors.map((f) => `${f.name} ${f.points}/${f.weight}: ${f.detail}`);
  if (top !== undefined) reasons.push(`${top.advisory} ${top.product}: ${top.cves.slice(0, 3).join(', ')}${top.cves.length > 3 ? ` +${top.cves.length - 3}` : ''} (${top.confidence})`);
  const remediation = top?.remediation !== undefined ? `${top.remediation}: ${top.remediationText ?? ''}`.slice(0, 300) : undefined;
  return { rank: i + 1, device: b.device, score: b.score, reasons, ...(remediation !== undefined ? { remediation } : {}) };
}

/** A result's signature: score, factors and what each match says, without the texts that only follow from them. */
function signature(b: DeviceVulnsBody): string {
  let s = `${b.score}`;
  for (const f of b.factors) s += `|${f.points}:${f.detail}`;
  for (const m of b.matches) s += `|${m.advisoryEvidence}:${m.confidence}:${m.cves.join(',')}:${m.cvss10}:${m.remediation ?? ''}:${m.remediationText?.length ?? 0}:${m.deviceEvidence.join(',')}`;
  return s;
}

/** Everything `matchDevice` reads, evidence included: equal inputs, equal matches. */
function matchingInput(r: DeviceRecord): string {
  let s = '';
  for (const a of r.attrs) {
    if (a.name === 'vendor' || a.name === 'model' || a.name === 'firmware' || a.name === 'software') s += `${a.name}\u0000${a.value}\u0000${a.proto}\u0000${a.field}\u0000${a.confidence}\u0000${a.source}\u0001`;
  }
  return s;
}

/** What matching reads of a device: a change here, and only here, re-correlates it. */
function identityOf(r: DeviceRecord): string {
  let s = '';
  for (const a of r.attrs) if (a.name === 'vendor' || a.name === 'model' || a.name === 'firmware' || a.name === 'software' || a.name === 'class' || a.name === 'services') s += `${a.name}=${a.value}\u0000`;
  return `${s}peers=${r.peers?.length ?? 0}`;
}
