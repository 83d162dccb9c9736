/**
 * The device-class engine: rules (rules/*.ts) compiled once, then run over
 * one device's facts and attributes at a time.
 *
 * How fired rules combine:
 *   - rules pointing to the same class agree: the class scores its strongest
 *     rule's confidence, plus one when another rule agrees (capped at 4);
 *   - the best-scoring class wins; a class scoring below MIN_CONFIDENCE
 *     leaves the device `unknown` (an OUI alone never classifies);
 *   - another class scoring as much is a conflict: the winner loses one
 *     point (and may drop to unknown), and every candidate stays visible in
 *     the result so an explanation can show the disagreement;
 *   - model and firmware come from the winning class's rules, OS from any
 *     fired rule, the most confident first.
 * The engine keeps no state between calls: the inventory decides when to
 * run it (once per tick for a device whose facts changed).
 */
import type { DeviceClassName } from './classes.js';
import { CLASS_RULES } from './rules/index.js';
import type { ClassRule, Condition } from './rules/types.js';

/** A fingerprint fact (src/analyze/inventory/sighting.ts `Fact`). */
export interface EngineFact {
  readonly key: string;
  readonly value: string;
}

/** What the engine reads about one device. */
export interface ClassifyInput {
  /** The IEEE registry's name for the MAC prefix (the inventory's `vendor` attribute). */
  readonly vendor?: string;
  /** The inventory's `hostname` attribute. */
  readonly hostname?: string;
  readonly facts: readonly EngineFact[];
}

export interface FiredRule {
  readonly name: string;
  readonly class?: DeviceClassName;
  readonly confidence: number;
  /** The values each condition matched, as `key`/`value` (`vendor` and `hostname` for attributes). */
  readonly cites: readonly EngineFact[];
  readonly source: string;
}

export interface Candidate {
  readonly class: DeviceClassName;
  /** Combined score, 1..4. */
  readonly score: number;
  readonly rules: readonly string[];
}

export interface Extracted {
  readonly value: string;
  readonly rule: string;
  readonly confidence: number;
}

export interface Classification {
  /** `unknown` when no class scores MIN_CONFIDENCE. */
  readonly class: DeviceClassName;
  /** 0 for unknown, else 2..4. */
  readonly confidence: number;
  /** The rules behind the class (empty for unknown). */
  readonly rules: readonly string[];
  /** Every rule that fired, in rule order. */
  readonly fired: readonly FiredRule[];
  /** Every class some rule pointed to, best first: the conflicts stay visible. */
  readonly candidates: readonly Candidate[];
  readonly model?: Extracted;
  readonly os?: Extracted;
  readonly firmware?: Extracted;
}

/** A class needs at least medium confidence: one weak hint (an OUI) is a guess, and a guess stays unknown. */
export const MIN_CONFIDENCE = 2;
/** Longest extracted model/OS/firmware text kept. */
export const MAX_EXTRACT_LENGTH = 64;

type Test = (value: string) => RegExpExecArray | boolean;

interface CompiledCondition {
  readonly key: string;
  readonly test: Test;
}

interface CompiledRule {
  readonly rule: ClassRule;
  readonly index: number;
  readonly all: readonly CompiledCondition[];
  readonly none: readonly CompiledCondition[];
}

/** A rule file error names the rule and the condition, at start-up, never at match time. */
export class RuleError extends Error {
  override readonly name = 'RuleError';
}

function compileCondition(c: Condition, rule: string): CompiledCondition {
  const key = c.key;
  if ('equals' in c) {
    const want = c.equals;
    return { key, test: (v) => v === want };
  }
  if ('prefix' in c) {
    const want = c.prefix.toLowerCase();
    return { key, test: (v) => v.toLowerCase().startsWith(want) };
  }
  if ('regex' in c) {
    let re: RegExp;
    try {
      re = new RegExp(c.regex, c.flags ?? 'i');
    } catch (e) {
      throw new RuleError(`rule ${rule}: condition on ${key}: bad regex ${JSON.stringify(c.regex)}: ${(e as Error).message}`);
    }
    return { key, test: (v) => re.exec(v) ?? false };
  }
  if ('oneOf' in c) {
    const set = new Set(c.oneOf.map((s) => s.toLowerCase()));
    return { key, test: (v) => set.has(v.toLowerCase()) };
  }
  const items = c.contains.map((s) => s.toLowerCase());
  return {
    key,
    test: (v) => {
      const have = v.toLowerCase().split(',').map((s) => s.trim());
      return items.every((i) => have.includes(i));
    },
  };
}

/** Fills `$1`..`$9` from the capture groups; undefined when the template needs a group that is empty and nothing else remains. */
function fill(template: string, groups: readonly (string | undefined)[]): string | undefined {
  const s = template
    .replace(/\$(\d)/g, (_, n: string) => groups[Number(n) - 1] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  if (s === '') return undefined;
  return s.length > MAX_EXTRACT_LENGTH ? s.slice(0, MAX_EXTRACT_LENGTH) : s;
}

/** Hostname-like facts the `hostname` condition also reads (the first label of an FQDN, an mDNS name without `.local`). */
const HOSTNAME_FACTS = ['dhcp.hostname', 'mdns.hostname', 'nbns.name', 'dhcp.fqdn', 'dhcpv6.fqdn'];

export class ClassEngine {
  private readonly rules: readonly CompiledRule[];
  private readonly byName = new Map<string, ClassRule>();

  constructor(rules: readonly ClassRule[] = CLASS_RULES) {
    const names = this.byName;
    this.rules = rules.map((rule, index) => {
      if (names.has(rule.name)) throw new RuleError(`rule ${rule.name} is defined twice`);
      names.set(rule.name, rule);
      if (rule.all.length === 0) throw new RuleError(`rule ${rule.name}: needs at least one condition`);
      if (rule.class === undefined && rule.os === undefined && rule.model === undefined && rule.firmware === undefined) {
        throw new RuleError(`rule ${rule.name}: yields neither a class nor a model, OS or firmware`);
      }
      return {
        rule,
        index,
        all: rule.all.map((c) => compileCondition(c, rule.name)),
        none: (rule.none ?? []).map((c) => compileCondition(c, rule.name)),
      };
    });
  }

  get size(): number {
    return this.rules.length;
  }

  /** The rule of that name, for explanations. */
  rule(name: string): ClassRule | undefined {
    return this.byName.get(name);
  }

  classify(input: ClassifyInput): Classification {
    const values = gather(input);
    const fired: FiredRule[] = [];
    const groupsOf = new Map<string, (string | undefined)[]>();
    for (const cr of this.rules) {
      const m = match(cr, values);
      if (m === undefined) continue;
      const r = cr.rule;
      fired.push({ name: r.name, ...(r.class !== undefined ? { class: r.class } : {}), confidence: r.confidence, cites: m.cites, source: r.source });
      groupsOf.set(r.name, m.groups);
    }
    const candidates = combine(fired);
    const top = candidates[0];
    let cls: DeviceClassName = 'unknown';
    let confidence = 0;
    let rules: readonly string[] = [];
    if (top !== undefined) {
      const tied = candidates.length > 1 && candidates[1]!.score === top.score;
      const score = tied ? top.score - 1 : top.score;
      if (score >= MIN_CONFIDENCE) {
        cls = top.class;
        confidence = score;
        rules = top.rules;
      }
    }
    const pick = (what: 'model' | 'os' | 'firmware', sameClass: boolean): Extracted | undefined => {
      let best: Extracted | undefined;
      for (const f of fired) {
        const r = this.rule(f.name)!;
        const t = r[what];
        if (t === undefined) continue;
        if (sameClass && (cls === 'unknown' || f.class !== cls)) continue;
        if (best !== undefined && best.confidence >= f.confidence) continue;
        const v = fill(t, groupsOf.get(f.name)!);
        if (v !== undefined) best = { value: v, rule: f.name, confidence: f.confidence };
      }
      return best;
    };
    const model = pick('model', true);
    const os = pick('os', false);
    const firmware = pick('firmware', true);
    return {
      class: cls,
      confidence,
      rules,
      fired,
      candidates,
      ...(model !== undefined ? { model } : {}),
      ...(os !== undefined ? { os } : {}),
      ...(firmware !== undefined ? { firmware } : {}),
    };
  }
}

function gather(input: ClassifyInput): Map<string, string[]> {
  const values = new Map<string, string[]>();
  const add = (k: string, v: string | undefined): void => {
    if (v === undefined || v === '') return;
    const list = values.get(k);
    if (list === undefined) values.set(k, [v]);
    else if (!list.includes(v)) list.push(v);
  };
  add('vendor', input.vendor);
  add('hostname', input.hostname);
  for (const f of input.facts) {
    add(f.key, f.value);
    if (HOSTNAME_FACTS.includes(f.key)) add('hostname', f.value.split('.')[0]);
  }
  return values;
}

function match(cr: CompiledRule, values: ReadonlyMap<string, readonly string[]>): { cites: EngineFact[]; groups: (string | undefined)[] } | undefined {
  const cites: EngineFact[] = [];
  const groups: (string | undefined)[] = [];
  for (const c of cr.all) {
    const list = values.get(c.key);
    if (list === undefined) return undefined;
    let hit = false;
    for (const v of list) {
      const r = c.test(v);
      if (r === false) continue;
      hit = true;
      cites.push({ key: c.key, value: v });
      if (r !== true) for (let i = 1; i < r.length; i++) groups.push(r[i]);
      break;
    }
    if (!hit) return undefined;
  }
  for (const c of cr.none) {
    const list = values.get(c.key);
    if (list !== undefined && list.some((v) => c.test(v) !== false)) return undefined;
  }
  return { cites, groups };
}

/** Scores every class some fired rule points to, best first (ties keep rule order). */
function combine(fired: readonly FiredRule[]): Candidate[] {
  const by = new Map<DeviceClassName, { best: number; rules: string[] }>();
  for (const f of fired) {
    if (f.class === undefined) continue;
    const c = by.get(f.class);
    if (c === undefined) by.set(f.class, { best: f.confidence, rules: [f.name] });
    else {
      c.best = Math.max(c.best, f.confidence);
      c.rules.push(f.name);
    }
  }
  const out: Candidate[] = [];
  for (const [cls, c] of by) out.push({ class: cls, score: Math.min(4, c.best + (c.rules.length > 1 ? 1 : 0)), rules: c.rules });
  // Stable sort: among equal scores the class whose first rule comes first in the rule list stays first.
  return out.sort((a, b) => b.score - a.score);
}
