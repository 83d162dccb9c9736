/**
 * A CSAF 2.0 advisory (OASIS CSAF v2.0, 2022), read into owned records the
 * matcher can use. The document has already passed the validator
 * (validate.ts); this reader still checks every field it reads, because a
 * valid document may leave out everything optional.
 *
 * What is read: the product tree (§3.1.5: branches with vendor,
 * product_family, product_name, product_version, product_version_range;
 * full_product_names; relationships; product_groups), and per
 * vulnerability (§3.2.3) the CVE, CWE, CVSS v3 and v4 scores, the product
 * status lists, remediations with their categories, and the summary note.
 */
import { canonicalVendor, productKeys, repairMojibake } from './names.js';
import { parseVersionSpec, type VersionSpec } from './version.js';

export interface AdvisoryProduct {
  readonly productId: string;
  /** The vendor as the advisory names it, mojibake repaired. */
  readonly vendor: string;
  readonly vendorId: string;
  /** The product_name branch (or the full product name when there is no branch). */
  readonly name: string;
  readonly family?: string;
  /** `product.name` as the advisory writes it. */
  readonly fullName: string;
  readonly version: VersionSpec;
  /** Where the version came from: `product_version`, `product_version_range`, or `none` for a product-only branch. */
  readonly versionField: 'product_version' | 'product_version_range' | 'none';
  /** The branch path, e.g. `/product_tree/branches/0/branches/2/branches/0`. */
  readonly path: string;
  /** Significant words of each name the product goes by (names.ts). */
  readonly keys: readonly (readonly string[])[];
}

export interface CvssScore {
  readonly version: string;
  readonly baseScore: number;
  readonly vector: string;
  readonly severity?: string;
}

/** CSAF 2.0 §3.2.3.12.1 remediation categories. */
export const REMEDIATION_CATEGORIES = ['mitigation', 'no_fix_planned', 'none_available', 'vendor_fix', 'workaround'] as const;
export type RemediationCategory = (typeof REMEDIATION_CATEGORIES)[number];

export interface Remediation {
  readonly category: RemediationCategory;
  /** Bounded to MAX_TEXT characters. */
  readonly details: string;
  readonly url?: string;
  readonly productIds: readonly string[];
}

export interface AdvisoryVuln {
  readonly cve?: string;
  readonly cwe?: string;
  readonly title?: string;
  readonly scores: readonly { readonly productIds: readonly string[]; readonly cvss: readonly CvssScore[] }[];
  readonly affected: ReadonlySet<string>;
  readonly fixed: ReadonlySet<string>;
  readonly notAffected: ReadonlySet<string>;
  readonly remediations: readonly Remediation[];
  /** The summary or description note, bounded. */
  readonly summary?: string;
}

export interface Advisory {
  /** document.tracking.id, e.g. ICSMA-21-294-01. */
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly released: string;
  readonly products: ReadonlyMap<string, AdvisoryProduct>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly vulns: readonly AdvisoryVuln[];
}

/** Longest free text kept from an advisory (remediation details, summaries). */
export const MAX_TEXT = 400;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bounded = (s: string): string => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);

interface BranchCtx {
  vendor?: string;
  family?: string;
  name?: string;
}

/** Reads a validated CSAF 2.0 document. Returns a reason instead of throwing when a field it needs is missing. */
export function readCsaf(doc: unknown): { ok: true; advisory: Advisory } | { ok: false; reason: string } {
  const d = obj(doc);
  const document = obj(d?.document);
  const tracking = obj(document?.tracking);
  const id = str(tracking?.id);
  if (d === undefined || document === undefined || tracking === undefined || id === undefined) return { ok: false, reason: 'not a CSAF document: /document/tracking/id missing' };
  const products = new Map<string, AdvisoryProduct>();
  const tree = obj(d.product_tree);
  const add = (p: Json | undefined, ctx: BranchCtx, path: string, versionField: AdvisoryProduct['versionField'], versionText: string | undefined): void => {
    const productId = str(p?.product_id);
    const fullName = str(p?.name);
    if (productId === undefined || fullName === undefined) return;
    const vendor = repairMojibake(ctx.vendor ?? '');
    const name = ctx.name ?? fullName;
    const vendorId = canonicalVendor(vendor) ?? '';
    const version: VersionSpec = versionText === undefined ? { kind: 'all', text: '' } : parseVersionSpec(versionText);
    const keys = productKeys(vendorId, name);
    if (ctx.family !== undefined) keys.push(...productKeys(vendorId, ctx.family));
    products.set(productId, { productId, vendor, vendorId, name, ...(ctx.family !== undefined ? { family: ctx.family } : {}), fullName, version, versionField, path, keys });
  };
  // CSAF 2.0 §3.1.5.1: branches nest vendor → product_family → product_name → product_version(_range).
  const walk = (branches: unknown, ctx: BranchCtx, path: string): void => {
    arr(branches).forEach((b, i) => {
      const br = obj(b);
      const category = str(br?.category);
      const name = str(br?.name);
      if (br === undefined || category === undefined || name === undefined) return;
      const here = `${path}/${i}`;
      const next: BranchCtx = { ...ctx };
      if (category === 'vendor') next.vendor = name;
      else if (category === 'product_family') next.family = name;
      else if (category === 'product_name') next.name = name;
      const product = obj(br.product);
      if (product !== undefined) {
        if (category === 'product_version') add(product, next, here, 'product_version', name);
        else if (category === 'product_version_range') add(product, next, here, 'product_version_range', name);
        // A product at a name or family branch has no version: every version is meant (a product-only branch).
        else add(product, next, here, 'none', undefined);
      }
      walk(br.branches, next, `${here}/branches`);
    });
  };
  walk(tree?.branches, {}, '/product_tree/branches');
  arr(tree?.full_product_names).forEach((p, i) => {
    const fp = obj(p);
    const helper = obj(fp?.product_identification_helper);
    add(fp, {}, `/product_tree/full_product_names/${i}`, 'none', undefined);
    void helper;
  });
  // §3.1.5.4: "X installed on Y" is a new product id; what it runs is the referenced product's.
  arr(tree?.relationships).forEach((r, i) => {
    const rel = obj(r);
    const fp = obj(rel?.full_product_name);
    const ref = products.get(str(rel?.product_reference) ?? '');
    const pid = str(fp?.product_id);
    if (ref === undefined || pid === undefined || products.has(pid)) return;
    products.set(pid, { ...ref, productId: pid, fullName: str(fp?.name) ?? ref.fullName, path: `/product_tree/relationships/${i}` });
  });
  const groups = new Map<string, string[]>();
  for (const g of arr(tree?.product_groups)) {
    const gid = str(obj(g)?.group_id);
    if (gid !== undefined) groups.set(gid, arr(obj(g)?.product_ids).filter((x): x is string => typeof x === 'string'));
  }
  const ids = (o: Json | undefined): string[] => {
    const out = arr(o?.product_ids).filter((x): x is string => typeof x === 'string');
    for (const g of arr(o?.group_ids)) if (typeof g === 'string') out.push(...(groups.get(g) ?? []));
    return out;
  };
  const vulns: AdvisoryVuln[] = [];
  for (const v of arr(d.vulnerabilities)) {
    const vj = obj(v);
    if (vj === undefined) continue;
    const status = obj(vj.product_status);
    const list = (...keys: string[]): Set<string> => new Set(keys.flatMap((k) => arr(status?.[k]).filter((x): x is string => typeof x === 'string')));
    const scores = arr(vj.scores).map((s) => {
      const sj = obj(s);
      const cvss: CvssScore[] = [];
      for (const [key, version] of [['cvss_v3', undefined], ['cvss_v4', '4.0']] as const) {
        const c = obj(sj?.[key]);
        const base = c?.baseScore;
        const vector = str(c?.vectorString);
        if (typeof base !== 'number' || vector === undefined) continue;
        const sev = str(c?.baseSeverity);
        cvss.push({ version: version ?? str(c?.version) ?? '3.x', baseScore: base, vector, ...(sev !== undefined ? { severity: sev } : {}) });
      }
      return { productIds: ids(sj), cvss };
    });
    const remediations: Remediation[] = [];
    for (const r of arr(vj.remediations)) {
      const rj = obj(r);
      const category = str(rj?.category);
      if (rj === undefined || category === undefined || !(REMEDIATION_CATEGORIES as readonly string[]).includes(category)) continue;
      const url = str(rj.url);
      remediations.push({ category: category as RemediationCategory, details: bounded(str(rj.details) ?? ''), ...(url !== undefined ? { url } : {}), productIds: ids(rj) });
    }
    const notes = arr(vj.notes).map(obj);
    const summary = str((notes.find((n) => n?.category === 'summary') ?? notes.find((n) => n?.category === 'description'))?.text);
    const cwe = str(obj(vj.cwe)?.id);
    const cve = str(vj.cve);
    const title = str(vj.title);
    vulns.push({
      ...(cve !== undefined ? { cve } : {}),
      ...(cwe !== undefined ? { cwe } : {}),
      ...(title !== undefined ? { title } : {}),
      scores,
      affected: list('known_affected', 'first_affected', 'last_affected'),
      fixed: list('fixed', 'first_fixed'),
      notAffected: list('known_not_affected'),
      remediations,
      ...(summary !== undefined ? { summary: bounded(summary) } : {}),
    });
  }
  return {
    ok: true,
    advisory: {
      id,
      version: str(tracking.version) ?? '?',
      title: repairMojibake(str(document.title) ?? id),
      released: str(tracking.current_release_date) ?? '',
      products,
      groups,
      vulns,
    },
  };
}

/** The highest CVSS base score a vulnerability gives a product (v4 preferred when both are given), with its vector. */
export function bestScore(v: AdvisoryVuln, productId: string): CvssScore | undefined {
  let best: CvssScore | undefined;
  for (const s of v.scores) {
    if (s.productIds.length > 0 && !s.productIds.includes(productId)) continue;
    for (const c of s.cvss) if (best === undefined || (c.version === '4.0' && best.version !== '4.0') || (c.version === best.version && c.baseScore > best.baseScore)) best = c;
  }
  return best;
}
