/**
 * The shape of a device-class rule. Rules are data: a name, the conditions
 * that must all hold over a device's facts and attributes, the class they
 * point to, what they can extract (model, OS, firmware) and where the
 * evidence for the rule comes from. The engine (../engine.ts) compiles them
 * once and never changes them.
 */
import type { DeviceClassName } from '../classes.js';

/**
 * What a condition reads: a fingerprint fact key (`dhcp.prl`, `http.user_agent`;
 * the shared vocabulary of src/analyze/inventory/sighting.ts `Fact`), or one
 * of the device's attributes: `vendor` (the IEEE registry's name for the MAC
 * prefix) or `hostname`.
 */
export type ConditionKey = string;

/**
 * One test over every value the device has for `key` (facts such as
 * `dns.query` or `mdns.service` have several); it holds when any value passes.
 *   - `equals`: the whole value, case-sensitive (a DHCP option 55 order is exact);
 *   - `prefix`: the value starts with it, case-insensitive;
 *   - `regex`: a JavaScript regular expression (flags `i` unless `flags` says
 *     otherwise); its capture groups feed the rule's `model`/`os`/`firmware`
 *     templates as `$1`, `$2` ... in the order the conditions are listed;
 *   - `oneOf`: the whole value is one of the list (case-insensitive);
 *   - `contains`: the value is a comma-separated list (`dhcp.prl`,
 *     `lldp.capabilities`) that holds every item given.
 */
export type Condition =
  | { readonly key: ConditionKey; readonly equals: string }
  | { readonly key: ConditionKey; readonly prefix: string }
  | { readonly key: ConditionKey; readonly regex: string; readonly flags?: string }
  | { readonly key: ConditionKey; readonly oneOf: readonly string[] }
  | { readonly key: ConditionKey; readonly contains: readonly string[] };

/** 1 weak (an OUI alone) .. 4 certain (the device names itself in a field meant for it). */
export type RuleConfidence = 1 | 2 | 3 | 4;

export interface ClassRule {
  /** Stable dotted name: `<vendor or area>.<product>.<evidence>`; cited in explanations and evidence. */
  readonly name: string;
  /** Every condition must hold. */
  readonly all: readonly Condition[];
  /** No condition here may hold (a bridge that is also a telephone is not a switch). */
  readonly none?: readonly Condition[];
  /** The class it points to; absent for a rule that only extracts (an OS from a DHCP fingerprint). */
  readonly class?: DeviceClassName;
  readonly confidence: RuleConfidence;
  /** Templates: literal text with `$1`..`$9` standing for regex capture groups. */
  readonly model?: string;
  readonly os?: string;
  readonly firmware?: string;
  /**
   * Where the evidence for this rule comes from: a vendor manual, FCC filing,
   * public capture, advisory, fingerprint database, or `assumption: ...` when
   * no public source shows the value and the rule rests on the OUI plus a
   * port or service pattern (such rules carry lower confidence).
   */
  readonly source: string;
}

/** Condition helpers: the rule files read as tables. */
export const vendor = (regex: string): Condition => ({ key: 'vendor', regex });
export const hostname = (regex: string): Condition => ({ key: 'hostname', regex });
export const fact = (key: string, regex: string): Condition => ({ key, regex });
export const port = (...ports: string[]): Condition => ({ key: 'port.server', oneOf: ports });
