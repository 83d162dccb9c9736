/**
 * The owned device record: what the inventory keeps, stores and publishes.
 * It is the telemetry contract's `InventoryDevice` (src/telemetry/kinds.ts),
 * so the store and the wire cannot drift apart. Its fields can only carry
 * identifiers, attribute values from the fixed attribute list with their
 * evidence, counters, source names and fingerprint facts (bounded values
 * of protocol fields such as a DHCP vendor class, never a credential):
 * there is no free-form field a payload could leak patient data through.
 */
import { ATTRIBUTE_NAMES, type InventoryDevice } from '../../telemetry/kinds.js';
import { ID_KIND_NAMES, identifierBytes, type Identifier } from '../../telemetry/ident.js';
import { MAX_FACT_LENGTH, MAX_FACTS_PER_DEVICE } from './sighting.js';

export type DeviceRecord = InventoryDevice;

function isIdentifier(v: unknown): v is Identifier {
  if (typeof v !== 'object' || v === null) return false;
  const i = v as Record<string, unknown>;
  return (
    typeof i.kind === 'string' &&
    (ID_KIND_NAMES as string[]).includes(i.kind) &&
    typeof i.value === 'string' &&
    (i.extra === undefined || (typeof i.extra === 'number' && Number.isInteger(i.extra))) &&
    identifierBytes(i as unknown as Identifier) !== undefined
  );
}

function isFact(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return typeof f.key === 'string' && f.key.length > 0 && typeof f.value === 'string' && f.value.length <= MAX_FACT_LENGTH;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

function isObservation(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.value === 'string' && typeof o.proto === 'string' && typeof o.field === 'string' && isCount(o.time) && isCount(o.confidence) && typeof o.source === 'string';
}

/** Parses what the store gave back; anything else is dropped and counted by the caller. */
export function isDeviceRecord(v: unknown): v is DeviceRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    Array.isArray(r.ids) &&
    r.ids.length > 0 &&
    r.ids.every(isIdentifier) &&
    Array.isArray(r.attrs) &&
    r.attrs.every((a) => isObservation(a) && (ATTRIBUTE_NAMES as readonly string[]).includes((a as { name: string }).name) && ((a as { conflict?: unknown }).conflict === undefined || isObservation((a as { conflict?: unknown }).conflict))) &&
    isCount(r.firstSeen) &&
    isCount(r.lastSeen) &&
    isCount(r.frames) &&
    isCount(r.bytes) &&
    Array.isArray(r.sources) &&
    r.sources.every((s) => typeof s === 'string') &&
    (r.peers === undefined || (Array.isArray(r.peers) && r.peers.every(isIdentifier))) &&
    (r.facts === undefined || (Array.isArray(r.facts) && r.facts.length <= MAX_FACTS_PER_DEVICE && r.facts.every(isFact)))
  );
}
