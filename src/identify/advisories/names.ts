/**
 * Vendor and product names: mojibake repair, comparison keys, alias lookup.
 * The tables are in consts.ts.
 */
import { PRODUCT_ALIASES, PRODUCT_STOP_WORDS, VENDOR_ALIASES, VENDOR_SUFFIXES } from './consts.js';

/**
 * Repairs text that was UTF-8, read as Latin-1 and encoded as UTF-8 again
 * ("Innokas YhtymÃ¤ Oy" in ICSMA-21-007-01 upstream). Only text made of
 * such pairs is changed: re-reading it as UTF-8 must succeed without a
 * replacement character, or the original is kept.
 */
export function repairMojibake(s: string): string {
  if (!/[\u00c2-\u00f4][\u0080-\u00bf]/.test(s)) return s;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return s;
  const fixed = Buffer.from(s, 'latin1').toString('utf8');
  return fixed.includes('\ufffd') ? s : fixed;
}

/** Lower case, accents and punctuation gone, words split. */
export function words(s: string): string[] {
  return repairMojibake(s)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** A vendor name's comparison key: its words without corporate suffixes, joined. */
export function vendorKey(name: string): string {
  return words(name).filter((w) => !VENDOR_SUFFIXES.has(w)).join('');
}

const VENDOR_BY_KEY: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [id, names] of Object.entries(VENDOR_ALIASES)) for (const n of names) m.set(vendorKey(n), id);
  return m;
})();

/**
 * The canonical vendor id of a name: an alias, or a name starting with an
 * alias's words ("Philips Medizin Systeme Böblingen" → philips), else the
 * name's own key. Undefined for an empty name.
 */
export function canonicalVendor(name: string): string | undefined {
  const k = vendorKey(name);
  if (k.length === 0) return undefined;
  const direct = VENDOR_BY_KEY.get(k);
  if (direct !== undefined) return direct;
  const w = words(name).filter((x) => !VENDOR_SUFFIXES.has(x));
  for (let n = w.length - 1; n >= 1; n--) {
    const prefix = VENDOR_BY_KEY.get(w.slice(0, n).join(''));
    // One short word ("ge", "bd") is too common to carry a prefix match on its own.
    if (prefix !== undefined && (n > 1 || w[0]!.length >= 4)) return prefix;
  }
  return k;
}

/**
 * A product name's significant words, stop words dropped. Vendor words stay
 * ("MiniMed 508", "Alaris Infusion Central"): the matcher adds the device's
 * vendor words to its model instead, so "Baxter" + "Spectrum" names
 * "Baxter Spectrum".
 */
export function productWords(name: string): string[] {
  return words(name).filter((w) => !PRODUCT_STOP_WORDS.has(w));
}

/** The names of a product, each as its significant words, the advisory's own name first, without repeats. */
export function productKeys(vendorId: string, product: string): string[][] {
  const keys = [productWords(product)];
  // "MiniMed Paradigm Veo 554/754 pumps" names two models: one key each.
  const slash = /([A-Za-z0-9]+(?:\/[A-Za-z0-9]+)+)/.exec(product);
  if (slash !== null) {
    for (const alt of slash[1]!.split('/')) keys.push(productWords(product.slice(0, slash.index) + alt + product.slice(slash.index + slash[1]!.length)));
  }
  const pk = keys[0]!.join(' ');
  for (const a of PRODUCT_ALIASES) {
    if (a.vendor === vendorId && productWords(a.product).join(' ') === pk) for (const alias of a.aliases) keys.push(productWords(alias));
  }
  const seen = new Set<string>();
  return keys.filter((k) => {
    const id = k.join(' ');
    if (k.length === 0 || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * Do a device's model words name this product? Every significant word of
 * one of its keys must appear in the model, or the key's words run
 * together must ("SpaceCom2" names "SpaceCom 2").
 */
export function modelMatches(modelWords: readonly string[], keys: readonly (readonly string[])[]): readonly string[] | undefined {
  if (modelWords.length === 0) return undefined;
  const joined = modelWords.join('');
  for (const key of keys) {
    if (key.every((w) => modelWords.includes(w))) return key;
    const k = key.join('');
    if (k.length >= 4 && joined.includes(k)) return key;
  }
  return undefined;
}
