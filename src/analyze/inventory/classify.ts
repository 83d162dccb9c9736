/**
 * The class engine's place in the inventory: once per tick, each device
 * whose facts, vendor or hostname changed is classified again, and the
 * result becomes its `class`, `model`, `os` and `firmware` attributes, with
 * the evidence `proto: 'classify'`, `field`: the rules that fired.
 *
 * The engine's own earlier answer is replaced outright (it was computed from
 * the same facts, and the facts now say something else); an attribute that
 * came from a protocol (a router seen forwarding, a DHCP hostname) is met
 * by identity.ts's rules, so stronger evidence keeps winning. A class that
 * the engine held with strong confidence and now replaces by another is a
 * different device behind the same address, or a spoof: that raises
 * `inventory.class_changed`. The first classification never does.
 */
import type { Sink } from '../types.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import type { ClassEngine, Classification } from '../../identify/engine.js';
import { Confidence, type Attribute } from './identity.js';
import type { Device, DeviceTable } from './table.js';

/** The evidence protocol of attributes the engine sets. */
export const CLASSIFY_PROTO = 'classify';
/** A class held at least this strongly, replaced by another at least MIN_NEW_CLASS, raises inventory.class_changed. */
export const CHANGE_FROM_CONFIDENCE = Confidence.strong;
export const CHANGE_TO_CONFIDENCE = Confidence.medium;

function attr(d: Device, name: AttributeName): Attribute | undefined {
  for (const a of d.attrs) if (a.name === name) return a;
  return undefined;
}

/** The engine's input from the working device. */
export function engineInput(d: Pick<Device, 'attrs' | 'facts'>): { vendor?: string; hostname?: string; facts: Device['facts'] } {
  let vendor: string | undefined;
  let hostname: string | undefined;
  for (const a of d.attrs) {
    if (a.name === 'vendor') vendor = a.value;
    else if (a.name === 'hostname') hostname = a.value;
  }
  return { ...(vendor !== undefined ? { vendor } : {}), ...(hostname !== undefined ? { hostname } : {}), facts: d.facts };
}

/** Classifies every device whose facts changed since the last call; returns how many ran. */
export function classifyChanged(table: DeviceTable, engine: ClassEngine, out: Sink): number {
  const changed = table.factsChanged;
  if (changed.size === 0) return 0;
  let n = 0;
  for (const d of changed) {
    applyClassification(table, d, engine.classify(engineInput(d)), out);
    n++;
  }
  changed.clear();
  out.count('inventory.classified', n);
  return n;
}

export function applyClassification(table: DeviceTable, d: Device, c: Classification, out: Sink): void {
  const time = d.lastSec;
  const source = d.sources[d.sources.length - 1] ?? CLASSIFY_PROTO;
  const prev = attr(d, 'class');
  if (c.class !== 'unknown') {
    set(table, d, 'class', { value: c.class, proto: CLASSIFY_PROTO, field: c.rules.join(','), time, confidence: c.confidence, source });
    const now = attr(d, 'class');
    if (
      prev !== undefined &&
      prev.proto === CLASSIFY_PROTO &&
      prev.value !== c.class &&
      now?.value === c.class &&
      prev.confidence >= CHANGE_FROM_CONFIDENCE &&
      c.confidence >= CHANGE_TO_CONFIDENCE
    ) {
      out.alert({
        code: 'inventory.class_changed',
        device: d.id,
        time,
        facts: { from: prev.value, to: c.class, from_rules: prev.field, to_rules: c.rules.join(','), confidence: c.confidence },
      });
      out.count('inventory.class_changed');
    }
  }
  for (const name of ['model', 'os', 'firmware'] as const) {
    const x = c[name];
    if (x !== undefined) set(table, d, name, { value: x.value, proto: CLASSIFY_PROTO, field: x.rule, time, confidence: x.confidence, source });
  }
}

/** The engine's own earlier value is replaced (the old one kept as the conflict); anything else goes by identity.ts. */
function set(table: DeviceTable, d: Device, name: AttributeName, obs: Observation): void {
  const i = d.attrs.findIndex((a) => a.name === name);
  const cur = i < 0 ? undefined : d.attrs[i]!;
  if (cur === undefined || cur.proto !== CLASSIFY_PROTO) {
    table.observe(d, name, obs);
    return;
  }
  if (cur.value === obs.value && cur.confidence === obs.confidence && cur.field === obs.field) return;
  const conflict =
    cur.value !== obs.value
      ? { value: cur.value, proto: cur.proto, field: cur.field, time: cur.time, confidence: cur.confidence, source: cur.source }
      : cur.conflict;
  d.attrs[i] = { name, ...obs, ...(conflict !== undefined ? { conflict } : {}) };
  table.markDirty(d);
}
