/**
 * The feed as the matcher reads it: products by canonical vendor, each with
 * the vulnerabilities that name it. Built once per feed change, so matching
 * one device costs a map lookup and a few products.
 */
import { bestScore, type Advisory, type AdvisoryProduct, type AdvisoryVuln, type CvssScore, type Remediation } from './csaf.js';
import type { Feed } from './feed.js';

export type { Advisory, AdvisoryProduct, AdvisoryVuln, CvssScore, Remediation } from './csaf.js';
export { readFeedDir, buildFeed, listingOf, DEFAULT_FEED_LIMITS, type Feed, type FeedFile, type FeedLimits, type Rejected } from './feed.js';
export { CsafValidator } from './validate.js';
export { canonicalVendor, words, repairMojibake } from './names.js';

/** One vulnerability as it applies to one product. */
export interface ProductVuln {
  readonly cve: string;
  readonly cwe?: string;
  readonly status: 'affected' | 'fixed' | 'not-affected';
  readonly cvss?: CvssScore;
  readonly remediations: readonly Remediation[];
}

export interface IndexedProduct {
  readonly advisory: Advisory;
  readonly product: AdvisoryProduct;
  readonly vulns: readonly ProductVuln[];
  /** The affected vulnerabilities summed up once, so a match costs no sorting: CVEs sorted, worst CVSS, remediations vendor fixes first. */
  readonly summary: ProductSummary;
}

export interface ProductSummary {
  readonly cves: readonly string[];
  readonly cvss: number;
  readonly vector: string;
  readonly remediations: readonly Remediation[];
}

const REMEDIATION_ORDER: Readonly<Record<string, number>> = { vendor_fix: 0, mitigation: 1, workaround: 2, no_fix_planned: 3, none_available: 4 };

/** CVEs, worst score and remediations of some of a product's vulnerabilities. */
export function summarise(vulns: readonly ProductVuln[]): ProductSummary {
  let cvss = 0;
  let vector = '';
  const cves = new Set<string>();
  const rem = new Map<string, Remediation>();
  for (const v of vulns) {
    cves.add(v.cve);
    if (v.cvss !== undefined && v.cvss.baseScore > cvss) {
      cvss = v.cvss.baseScore;
      vector = v.cvss.vector;
    }
    for (const r of v.remediations) if (!rem.has(`${r.category}\0${r.details}`)) rem.set(`${r.category}\0${r.details}`, r);
  }
  return { cves: [...cves].sort(), cvss, vector, remediations: [...rem.values()].sort((a, b) => (REMEDIATION_ORDER[a.category] ?? 9) - (REMEDIATION_ORDER[b.category] ?? 9)) };
}

export class AdvisoryIndex {
  readonly byVendor = new Map<string, IndexedProduct[]>();
  /** Canonical vendor ids with their display names, for vendor detection inside model strings. */
  readonly vendors = new Map<string, string>();
  readonly advisories: number;

  constructor(readonly feed: Feed) {
    this.advisories = feed.advisories.length;
    for (const a of feed.advisories) {
      for (const p of a.products.values()) {
        const vulns: ProductVuln[] = [];
        for (const v of a.vulns) {
          const status = statusOf(v, p.productId);
          if (status === undefined) continue;
          const cvss = bestScore(v, p.productId);
          vulns.push({
            cve: v.cve ?? `${a.id}#${vulns.length}`,
            ...(v.cwe !== undefined ? { cwe: v.cwe } : {}),
            status,
            ...(cvss !== undefined ? { cvss } : {}),
            remediations: v.remediations.filter((r) => r.productIds.length === 0 || r.productIds.includes(p.productId)),
          });
        }
        if (vulns.length === 0) continue;
        const entry: IndexedProduct = { advisory: a, product: p, vulns, summary: summarise(vulns.filter((v) => v.status === 'affected')) };
        const list = this.byVendor.get(p.vendorId);
        if (list === undefined) this.byVendor.set(p.vendorId, [entry]);
        else list.push(entry);
        if (!this.vendors.has(p.vendorId)) this.vendors.set(p.vendorId, p.vendor);
      }
    }
  }
}

function statusOf(v: AdvisoryVuln, pid: string): ProductVuln['status'] | undefined {
  if (v.fixed.has(pid)) return 'fixed';
  if (v.notAffected.has(pid)) return 'not-affected';
  if (v.affected.has(pid)) return 'affected';
  return undefined;
}
