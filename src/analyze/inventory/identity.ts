/**
 * Device identity across media: the identifiers a device can be known by,
 * and its attributes with the evidence behind each.
 *
 * Rules for attributes (one value per attribute name):
 *   - stronger evidence wins over weaker;
 *   - of the same strength, the later observation wins;
 *   - a conflict stays visible: the value that lost (or was replaced) is kept
 *     in `conflict`, never silently overwritten.
 * An observation that only repeats what is known changes nothing, so a
 * device is not marked changed on every frame.
 */

export type { AttributeName, Observation } from '../../telemetry/kinds.js';
import type { AttributeName, DeviceAttribute, Observation } from '../../telemetry/kinds.js';

/** How much an observation is worth. 1 guessed from a weak hint (an OUI), 4 stated by the device itself in a field meant for it. */
export const Confidence = { weak: 1, medium: 2, strong: 3, certain: 4 } as const;

/** An attribute as stored and published: its value, its evidence, and a conflicting value if any. */
export type Attribute = DeviceAttribute;

/**
 * Applies an observation to the current attribute. Returns the new
 * attribute, or undefined when nothing worth recording changed.
 */
export function observe(name: AttributeName, cur: Attribute | undefined, obs: Observation): Attribute | undefined {
  if (cur === undefined) return { name, ...obs };
  if (obs.value === cur.value) {
    // Same value: only stronger evidence is news (a repeat would dirty the device every frame).
    if (obs.confidence <= cur.confidence) return undefined;
    return withConflict({ name, ...obs }, cur.conflict);
  }
  if (obs.confidence > cur.confidence || (obs.confidence === cur.confidence && obs.time >= cur.time)) {
    return withConflict({ name, ...obs }, strip(cur));
  }
  // Weaker evidence for another value: keep ours, but show the disagreement once.
  if (cur.conflict !== undefined && cur.conflict.value === obs.value && cur.conflict.confidence >= obs.confidence) return undefined;
  return withConflict({ ...strip(cur), name }, obs);
}

function strip(a: Attribute): Observation {
  return { value: a.value, proto: a.proto, field: a.field, time: a.time, confidence: a.confidence, source: a.source };
}

function withConflict(a: Attribute, conflict: Observation | undefined): Attribute {
  return conflict === undefined ? a : { ...a, conflict };
}
