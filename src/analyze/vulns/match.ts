/**
 * Matching one device against the advisory index.
 *
 * The device's side is its attributes with their evidence (vendor, model,
 * firmware, software; src/telemetry/kinds.ts), from whatever protocol said
 * them: DHCP, HTTP, SNMP, banners, DICOM implementation version, BLE Device
 * Information, Zigbee SWBuildID, the IEEE OUI registry. The advisory's side
 * is a product branch and its version text (CSAF 2.0 §3.1.5).
 *
 * Confidence, strongest first:
 *   exact   the device's version is one the advisory lists, or its model is a listed variant;
 *   range   the version falls in a listed range or wildcard, or the advisory says all versions;
 *   product the product matches, the version is unknown or of another scheme;
 *   vendor  only the vendor matches: the device's model is not known.
 * A device whose version the advisory's range excludes, or that a `fixed`
 * or `known_not_affected` product names, does not match at all.
 */
import { summarise, type AdvisoryIndex, type IndexedProduct, type Remediation } from '../../identify/advisories/index.js';
import { canonicalVendor, words } from '../../identify/advisories/names.js';
import { covers, versionIn } from '../../identify/advisories/version.js';
import type { DeviceAttribute, InventoryDevice } from '../../telemetry/kinds.js';

export const CONFIDENCES = ['vendor', 'product', 'range', 'exact'] as const;
export type MatchConfidence = (typeof CONFIDENCES)[number];

export interface VulnMatch {
  readonly advisory: string;
  readonly advisoryVersion: string;
  /** The product's full name in the advisory. */
  readonly product: string;
  readonly confidence: MatchConfidence;
  /** Affected CVEs, sorted. */
  readonly cves: readonly string[];
  /** Highest CVSS base score among them, and its vector. */
  readonly cvss: number;
  readonly vector: string;
  /** Which advisory field matched: `ICSMA-21-294-01 /product_tree/branches/0/branches/2/branches/0 product_version_range "<= 012U000061"`. */
  readonly advisoryEvidence: string;
  /** Which device attributes matched, with their own evidence: `model "SpaceCom2" (snmp sysDescr, confidence 3, span0)`. */
  readonly deviceEvidence: readonly string[];
  /** The advisory's remediations for this product, vendor fixes first. */
  readonly remediations: readonly Remediation[];
}

const RANK: Readonly<Record<MatchConfidence, number>> = { vendor: 1, product: 2, range: 3, exact: 4 };

const evidence = (a: DeviceAttribute): string => `${a.name} ${JSON.stringify(a.value)} (${a.proto} ${a.field}, confidence ${a.confidence}, ${a.source})`;

interface Candidate {
  readonly p: IndexedProduct;
  readonly confidence: MatchConfidence;
  readonly used: DeviceAttribute[];
  /** The version verdict came from the device's version (not only its model). */
  readonly versioned: boolean;
}

/** Every advisory that applies to the device, one match per advisory (its strongest product), sorted by advisory id. */
export function matchDevice(dev: Pick<InventoryDevice, 'attrs'>, index: AdvisoryIndex): VulnMatch[] {
  const vendors: DeviceAttribute[] = [];
  const models: DeviceAttribute[] = [];
  const versions: DeviceAttribute[] = [];
  for (const a of dev.attrs) {
    if (a.name === 'vendor') vendors.push(a);
    else if (a.name === 'model') models.push(a);
    else if (a.name === 'firmware') versions.unshift(a);
    else if (a.name === 'software') versions.push(a);
  }
  // The vendor named by a vendor attribute, or at the start of a model string ("B. Braun SpaceCom2").
  const vendorIds = new Map<string, DeviceAttribute>();
  for (const a of [...vendors, ...models]) {
    const id = canonicalVendor(a.value);
    if (id !== undefined && index.byVendor.has(id) && !vendorIds.has(id)) vendorIds.set(id, a);
  }
  if (vendorIds.size === 0) return [];
  const modelWords: string[] = [];
  for (const a of [...models, ...vendors]) modelWords.push(...words(a.value));
  const modelSet = new Set(modelWords);
  const joined = modelWords.join('');
  const out = new Map<string, VulnMatch>();
  for (const [vendorId, vendorAttr] of vendorIds) {
    const products = index.byVendor.get(vendorId)!;
    if (models.length === 0) {
      vendorOnly(products, vendorAttr, out);
      continue;
    }
    const candidates: Candidate[] = [];
    // Advisories where the device's version was judged against one of their products: a product-only match there is a near miss.
    const decided = new Set<string>();
    // CVEs a `fixed` or `known_not_affected` product the device is (by version or variant) takes off.
    const fixed = new Map<string, Set<string>>();
    for (const p of products) {
      if (!modelMatchesAny(modelSet, joined, p.product.keys)) continue;
      const used = [vendorAttr, ...models.filter((m) => m !== vendorAttr)];
      const c = judge(p, modelWords, versions, used);
      if (c === 'cleared') {
        decided.add(p.advisory.id);
        continue;
      }
      if (c.versioned) decided.add(p.advisory.id);
      if (!p.vulns.some((v) => v.status === 'affected')) {
        if (c.versioned || c.confidence === 'exact') {
          const set = fixed.get(p.advisory.id) ?? new Set<string>();
          for (const v of p.vulns) set.add(v.cve);
          fixed.set(p.advisory.id, set);
        }
        continue;
      }
      candidates.push(c);
    }
    for (const c of candidates) {
      const id = c.p.advisory.id;
      if (c.confidence === 'product' && decided.has(id)) continue;
      const drop = fixed.get(id);
      const vulns = drop === undefined ? undefined : c.p.vulns.filter((v) => v.status === 'affected' && !drop.has(v.cve));
      if ((vulns ?? c.p.vulns).every((v) => v.status !== 'affected')) continue;
      const m = toMatch(c.p, c.confidence, vulns, c.used);
      const prev = out.get(m.advisory);
      out.set(m.advisory, prev === undefined ? m : merge(prev, m));
    }
  }
  return [...out.values()].sort((a, b) => (a.advisory < b.advisory ? -1 : a.advisory > b.advisory ? 1 : 0));
}

function modelMatchesAny(modelWords: ReadonlySet<string>, joined: string, keys: readonly (readonly string[])[]): boolean {
  for (const key of keys) {
    if (key.every((w) => modelWords.has(w))) return true;
    const k = key.join('');
    if (k.length >= 4 && joined.includes(k)) return true;
  }
  return false;
}

/** The confidence of a product match, `cleared` when the device's version is outside the product's versions, undefined when nothing decides. */
function judge(p: IndexedProduct, modelWords: readonly string[], versions: readonly DeviceAttribute[], used: DeviceAttribute[]): Candidate | 'cleared' {
  const spec = p.product.version;
  if (spec.kind === 'all') return { p, confidence: 'range', used, versioned: false };
  if (spec.kind === 'variant') {
    // "MMT-1710", "882476 Gemini TF Big Bore": the device's model names the variant, or its first word (a model number).
    const hit = spec.variants.some((v) => {
      const w = words(v);
      return w.length > 0 && (w.every((x) => modelWords.includes(x)) || (w[0]!.length >= 4 && /\d/.test(w[0]!) && modelWords.includes(w[0]!)) || (w.length > 1 && modelWords.join('').includes(w.join(''))));
    });
    return { p, confidence: hit ? 'exact' : 'product', used, versioned: false };
  }
  for (const a of versions) {
    const v = versionIn(a.value);
    if (v === undefined) continue;
    const verdict = covers(spec, v);
    if (verdict === 'unknown') continue;
    if (verdict === 'not-affected') return 'cleared';
    return { p, confidence: spec.exact ? 'exact' : 'range', used: [...used, a], versioned: true };
  }
  return { p, confidence: 'product', used, versioned: false };
}

function vendorOnly(products: readonly IndexedProduct[], vendorAttr: DeviceAttribute, out: Map<string, VulnMatch>): void {
  for (const p of products) {
    if (p.summary.cves.length === 0) continue;
    const m = toMatch(p, 'vendor', undefined, [vendorAttr]);
    const prev = out.get(m.advisory);
    out.set(m.advisory, prev === undefined ? m : merge(prev, m));
  }
}

function toMatch(p: IndexedProduct, confidence: MatchConfidence, vulns: IndexedProduct['vulns'] | undefined, used: readonly DeviceAttribute[]): VulnMatch {
  // The product's own summary unless a fixed product took some CVEs off.
  const sum = vulns === undefined ? p.summary : summarise(vulns);
  const pr = p.product;
  return {
    advisory: p.advisory.id,
    advisoryVersion: p.advisory.version,
    product: pr.fullName,
    confidence,
    cves: sum.cves,
    cvss: sum.cvss,
    vector: sum.vector,
    advisoryEvidence: `${p.advisory.id} ${pr.path} ${pr.versionField}${pr.version.text !== '' ? ` ${JSON.stringify(pr.version.text)}` : ''}`,
    deviceEvidence: used.map(evidence),
    remediations: sum.remediations,
  };
}

/** Two products of one advisory: the stronger confidence leads, CVEs are joined. */
function merge(a: VulnMatch, b: VulnMatch): VulnMatch {
  const [lead, other] = RANK[b.confidence] > RANK[a.confidence] || (RANK[b.confidence] === RANK[a.confidence] && b.cvss > a.cvss) ? [b, a] : [a, b];
  const cves = [...new Set([...lead.cves, ...other.cves])].sort();
  return { ...lead, cves, cvss: Math.max(lead.cvss, other.cvss), vector: lead.cvss >= other.cvss ? lead.vector : other.vector };
}

export function confidenceRank(c: MatchConfidence): number {
  return RANK[c];
}
