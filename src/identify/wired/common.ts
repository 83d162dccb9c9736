/**
 * Helpers shared by the wired discovery sighting sources: evidence records
 * and bounded fact lists.
 */
import type { DecodedFrame } from '../../decode/types.js';
import type { Fact } from '../../analyze/inventory/sighting.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';

/** Facts one frame may add at most, so one chatty datagram cannot push a device's other facts out (MAX_FACTS_PER_DEVICE). */
export const MAX_FACTS_PER_FRAME = 8;

export function observation(frame: DecodedFrame, value: string, proto: string, field: string, confidence: number): Observation {
  return { value, proto, field, time: frame.raw.tsSec, confidence, source: frame.raw.source };
}

export function attr(frame: DecodedFrame, name: AttributeName, value: string, proto: string, field: string, confidence: number): readonly [AttributeName, Observation] {
  return [name, observation(frame, value, proto, field, confidence)];
}

/** Collects facts: distinct, non-empty, at most MAX_FACTS_PER_FRAME. */
export class FactList {
  readonly facts: Fact[] = [];
  private readonly seen = new Set<string>();

  add(key: string, value: string | undefined): void {
    if (value === undefined) return;
    const v = value.trim();
    if (v === '' || this.facts.length >= MAX_FACTS_PER_FRAME) return;
    const k = `${key}\u0000${v}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.facts.push({ key, value: v });
  }
}

/**
 * A host name as the inventory keeps it: the first label of a DNS name, so
 * "pump-7", "pump-7.local" and "pump-7.ward.example." agree. Undefined for
 * an empty or implausible name (a space or a control character is not a
 * host name; RFC 1123 §2.1 allows letters, digits and hyphens).
 */
export function hostLabel(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const first = name.split('.')[0]!.trim();
  if (first === '' || first.length > 63 || /[\s\u0000-\u001f\u007f]/.test(first)) return undefined;
  return first;
}
