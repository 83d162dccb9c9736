/**
 * Versions as medical advisories write them, and a comparator for them.
 *
 * CSAF 2.0 §3.1.2.1 lets `product_version_range` carry either a `vers:` URI
 * or free text; CISA's ICSMA conversions carry free text ("<= 2.6A",
 * "A10 < A11", ">= 1.1 | <= 1.3.2", "v6.x (with Wireless Battery Modules
 * ...)", "<=N"), and `product_version` is free text too ("5.x.x",
 * "B.02 | C.02 | C.03", "v8.x model 35700BAX2", "vers:all/*"). The advisories
 * on the shared feed and the forms the issue lists ("prior to 012U000062",
 * "8.00.07 and prior", "all versions") are the grammar this file accepts.
 *
 * A version is a list of tokens: runs of digits (compared as numbers) and
 * runs of letters (compared case-insensitively); separators (. - _ space)
 * only split. Two versions of different schemes are incomparable rather
 * than ordered: B. Braun's "012U000061" (US) and "011L000093" (rest of the
 * world) share a shape, but the interior letter names a regional branch, so
 * neither is before the other.
 */

export type Token = number | string;

export interface Version {
  readonly text: string;
  readonly tokens: readonly Token[];
}

/** One bound: `hi` of a wildcard ("5.x") is open on the wildcard token. */
export interface Comparator {
  readonly op: '<' | '<=' | '>' | '>=' | '=';
  readonly v: Version;
  /** "5.x.x", "C.0x": the comparator compares against the lowest or highest version the pattern covers. */
  readonly wildcard?: { readonly lo: readonly Token[]; readonly hi: readonly Token[] };
}

/** Every comparator of one alternative must hold (an interval). */
export type Alternative = readonly Comparator[];

export type VersionSpec =
  | { readonly kind: 'all'; readonly text: string; readonly qualifier?: string }
  /** Any alternative holding means affected. */
  | { readonly kind: 'versions'; readonly text: string; readonly alternatives: readonly Alternative[]; readonly exact: boolean; readonly qualifier?: string }
  /** Not a version at all: a model variant written where a version belongs ("MMT-1710", "882300 Gemini 16 Slice"). */
  | { readonly kind: 'variant'; readonly text: string; readonly variants: readonly string[] };

const INF = Number.POSITIVE_INFINITY;

/** Splits a version into digit and letter runs; a leading "v" before a digit is dropped ("v6.x"). */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  const s = text.trim().replace(/^v(?=\d)/i, '');
  const re = /(\d+)|([A-Za-z]+)/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]!.toLowerCase());
  return out;
}

export function version(text: string): Version {
  return { text, tokens: tokens(text) };
}

/** A version-like word: digits first ("1.7.15", "012U000061", "2023.3_Build_9342"), or one letter then a digit or dot ("L81", "B.02", "N"). */
export function isVersionLike(word: string): boolean {
  const w = word.replace(/^v(?=\d)/i, '');
  return /^\d[\w.\-+]*$/.test(w) || /^[A-Za-z](\.?\d[\w.\-]*)?$/.test(w) || /^[A-Za-z]\d[\w.\-]*$/.test(w);
}

/** Letters between two digit runs mark a scheme ("012U000061"), not an order. */
function interior(t: readonly Token[], i: number): boolean {
  return i > 0 && i + 1 < t.length && typeof t[i - 1] === 'number' && typeof t[i + 1] === 'number';
}

/**
 * Orders two token lists: negative, zero, positive, or undefined when they
 * belong to different schemes. Missing numeric tokens count as 0, a missing
 * letter token sorts first ("2.6" < "2.6A").
 */
export function compareTokens(a: readonly Token[], b: readonly Token[]): number | undefined {
  if (a.length === 0 || b.length === 0) return undefined;
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // A number against letters at the same place ("1.7.15" against "L81") is no order this grammar knows.
    if (typeof x !== typeof y) return undefined;
    if (typeof x === 'string' && x !== y && (interior(a, i) || interior(b, i))) return undefined;
  }
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) {
      if (y === 0) continue;
      return -1;
    }
    if (y === undefined) {
      if (x === 0) continue;
      return 1;
    }
    return (x as number) < (y as number) ? -1 : 1;
  }
  return 0;
}

export function compareVersions(a: string, b: string): number | undefined {
  return compareTokens(tokens(a), tokens(b));
}

/** "5.x.x" → lo 5.0.0, hi 5.∞.∞; "C.0x" → lo C.00, hi C.09. Undefined when the text has no wildcard. */
function wildcard(text: string): { lo: Token[]; hi: Token[] } | undefined {
  const s = text.trim().replace(/^v(?=\d)/i, '');
  if (!/(^|[.\-_])[x*](?=$|[.\-_])|\d[x*]($|[.\-_])/i.test(s)) return undefined;
  const lo: Token[] = [];
  const hi: Token[] = [];
  for (const part of s.split(/[.\-_ ]+/)) {
    if (/^[x*]$/i.test(part)) {
      lo.push(0);
      hi.push(INF);
      continue;
    }
    const digitWild = /^(\d*)([x*]+)$/i.exec(part);
    if (digitWild !== null) {
      const width = digitWild[2]!.length;
      lo.push(Number(digitWild[1]! + '0'.repeat(width)));
      hi.push(Number(digitWild[1]! + '9'.repeat(width)));
      continue;
    }
    const t = tokens(part);
    lo.push(...t);
    hi.push(...t);
  }
  return { lo, hi };
}

function comparator(op: Comparator['op'], text: string): Comparator {
  const w = wildcard(text);
  return w === undefined ? { op, v: version(text) } : { op, v: version(text), wildcard: w };
}

/**
 * B. Braun writes "L81" for the L-branch build "0xxL000081": a reference
 * starting with letters lines up with the same letters inside a version
 * that starts with a number, and the comparison starts there.
 */
function align(v: readonly Token[], ref: readonly Token[]): readonly Token[] {
  const first = ref[0];
  if (typeof first !== 'string' || typeof v[0] !== 'number') return v;
  for (let k = 1; k < v.length; k++) if (v[k] === first && typeof v[k - 1] === 'number') return v.slice(k);
  return v;
}

/** Does `v` satisfy the comparator? Undefined when the schemes differ. */
export function satisfies(version: readonly Token[], c: Comparator): boolean | undefined {
  const v = align(version, c.wildcard?.lo ?? c.v.tokens);
  if (c.wildcard !== undefined) {
    const lo = compareTokens(v, c.wildcard.lo);
    const hi = compareTokens(v, c.wildcard.hi);
    if (lo === undefined || hi === undefined) return undefined;
    switch (c.op) {
      case '=': return lo >= 0 && hi <= 0;
      case '<=': return hi <= 0;
      case '<': return lo < 0;
      case '>=': return lo >= 0;
      case '>': return hi > 0;
    }
  }
  const r = compareTokens(v, c.v.tokens);
  if (r === undefined) return undefined;
  switch (c.op) {
    case '=': return r === 0;
    case '<=': return r <= 0;
    case '<': return r < 0;
    case '>=': return r >= 0;
    case '>': return r > 0;
  }
}

/** Words around a version that say nothing about it ("Version 1.1", "Software versions 2.6A"). */
const NOISE = /\b(all\s+)?(software|firmware|hardware)?\s*(versions?|revisions?|rev\.?|releases?|builds?)\b/gi;

/**
 * Parses a version text or range. `range` is true for `product_version_range`
 * (CSAF 2.0 §3.1.2.3.3), whose bare values are still exact versions here.
 */
export function parseVersionSpec(input: string): VersionSpec {
  const text = input.trim();
  let s = text;
  // A parenthesised note is a qualifier on another component ("with Wireless Battery Modules v9 | v11"): kept as evidence, not checked.
  let qualifier: string | undefined;
  const paren = /\(([^)]*)\)/.exec(s);
  if (paren !== null) {
    qualifier = paren[1]!.trim();
    s = (s.slice(0, paren.index) + s.slice(paren.index + paren[0].length)).trim();
  }
  // "v8.x model 35700BAX2": the model is a qualifier on the version.
  const model = /\s+model\s+(.+)$/i.exec(s);
  if (model !== null) {
    qualifier = qualifier === undefined ? `model ${model[1]!}` : `${qualifier}; model ${model[1]!}`;
    s = s.slice(0, model.index).trim();
  }
  if (/^(vers:all\/\*|all|all versions|\*|any)$/i.test(s.replace(NOISE, ' all ').replace(/\s+/g, ' ').trim()) || /^vers:all\/\*$/i.test(s)) {
    return qualifier === undefined ? { kind: 'all', text } : { kind: 'all', text, qualifier };
  }
  const parts = s.split('|').map((p) => p.trim()).filter((p) => p.length > 0);
  const alternatives: Comparator[][] = [];
  let exact = true;
  const variants: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const alt = parseAlternative(parts[i]!);
    if (alt === undefined) {
      variants.push(parts[i]!);
      continue;
    }
    // CISA's converter writes an interval as ">= a | <= b": a lower bound followed by an upper bound is one alternative.
    const next = i + 1 < parts.length ? parseAlternative(parts[i + 1]!) : undefined;
    if (alt.length === 1 && (alt[0]!.op === '>=' || alt[0]!.op === '>') && next !== undefined && next.length === 1 && (next[0]!.op === '<=' || next[0]!.op === '<')) {
      alternatives.push([alt[0]!, next[0]!]);
      exact = false;
      i++;
      continue;
    }
    if (alt.length !== 1 || alt[0]!.op !== '=' || alt[0]!.wildcard !== undefined) exact = false;
    alternatives.push(alt);
  }
  if (alternatives.length === 0) return { kind: 'variant', text, variants: variants.length > 0 ? variants : [s] };
  // Model variants beside versions in one list are kept as a note; the versions decide.
  const note = variants.length > 0 ? [qualifier, variants.join(' | ')].filter((x) => x !== undefined).join('; ') : qualifier;
  return note === undefined ? { kind: 'versions', text, alternatives, exact } : { kind: 'versions', text, alternatives, exact, qualifier: note };
}

/** One alternative, or undefined when it is not a version expression. */
function parseAlternative(raw: string): Comparator[] | undefined {
  const s = raw.replace(NOISE, ' ').replace(/\s+/g, ' ').trim();
  if (s.length === 0) return undefined;
  let m = /^(<=|>=|<|>|=)\s*(\S+)$/.exec(s);
  if (m !== null) return isVersionLike(m[2]!) ? [comparator(m[1] as Comparator['op'], m[2]!)] : undefined;
  // "A10 < A11", "A.01 <= C.0x": CISA's prose for them is "A10 and A11", "A.01 to C.0x", so both ends are in.
  m = /^(\S+)\s*(<=|<)\s*(\S+)$/.exec(s);
  if (m !== null && isVersionLike(m[1]!) && isVersionLike(m[3]!)) return [comparator('>=', m[1]!), comparator('<=', m[3]!)];
  m = /^(?:prior to|before|earlier than|older than|up to but not including)\s+(\S+)$/i.exec(s);
  if (m !== null && isVersionLike(m[1]!)) return [comparator('<', m[1]!)];
  m = /^(?:up to|through)\s+(\S+)$/i.exec(s);
  if (m !== null && isVersionLike(m[1]!)) return [comparator('<=', m[1]!)];
  m = /^(\S+)\s+(?:and|or)\s+(?:prior|earlier|lower|below|older|before)$/i.exec(s);
  if (m !== null && isVersionLike(m[1]!)) return [comparator('<=', m[1]!)];
  m = /^(\S+)\s+(?:and|or)\s+(?:later|higher|above|newer|after)$/i.exec(s);
  if (m !== null && isVersionLike(m[1]!)) return [comparator('>=', m[1]!)];
  m = /^(\S+)\s+(?:to|through|until)\s+(\S+)$/i.exec(s);
  if (m !== null && isVersionLike(m[1]!) && isVersionLike(m[2]!)) return [comparator('>=', m[1]!), comparator('<=', m[2]!)];
  if (/^\S+$/.test(s) && isVersionLike(s)) return [comparator('=', s)];
  return undefined;
}

export type VersionVerdict = 'affected' | 'not-affected' | 'unknown';

/** Is `v` covered by the spec? `unknown` when no alternative can order it (another scheme) or the spec is a variant. */
export function covers(spec: VersionSpec, v: string): VersionVerdict {
  if (spec.kind === 'all') return 'affected';
  if (spec.kind === 'variant') return 'unknown';
  const t = tokens(v);
  let anyKnown = false;
  for (const alt of spec.alternatives) {
    let all = true;
    let known = true;
    for (const c of alt) {
      const r = satisfies(t, c);
      if (r === undefined) known = false;
      else if (!r) all = false;
    }
    if (known) anyKnown = true;
    if (known && all) return 'affected';
  }
  return anyKnown ? 'not-affected' : 'unknown';
}

/** The first version-like word of an attribute value ("SpaceCom2 012U000062" → "012U000062"), or undefined. */
export function versionIn(value: string): string | undefined {
  const v = value.trim();
  if (isVersionLike(v)) return v;
  for (const w of v.split(/[\s,;/()]+/)) {
    const word = w.replace(/^(version|ver|fw|sw|rev)[:=]?/i, '');
    if (word.length > 0 && /\d/.test(word) && isVersionLike(word)) return word;
  }
  return undefined;
}
