/**
 * The owned device record: what the inventory keeps, stores and publishes.
 * It is the telemetry contract's `InventoryDevice` (src/telemetry/kinds.ts),
 * so the store and the wire cannot drift apart. Its fields can only carry
 * identifiers, attribute values from the fixed attribute list with their
 * evidence, counters and source names: there is no free-form field a
 * payload could leak patient data through.
 */
import { ATTRIBUTE_NAMES, type InventoryDevice } from '../../telemetry/kinds.js';
import { ID_KIND_NAMES, identifierBytes, identifierKey, type Identifier } from '../../telemetry/ident.js';

export type DeviceRecord = InventoryDevice;

/** The store key and id of a record. */
export function recordId(r: DeviceRecord): string {
  return identifierKey(r.ids[0]!);
}

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
    (r.peers === undefined || (Array.isArray(r.peers) && r.peers.every(isIdentifier)))
  );
}

/**
 * A device record of schema 1 (release 0.1): keyed `mac:..` or `ip:..`, with
 * `ips`, `vendor` and [sec, nsec] times. Returns the schema 2 record, or
 * undefined when the old record is not one (the migration drops it).
 */
export function migrateDeviceV1(v: unknown): DeviceRecord | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.key !== 'string' || !Array.isArray(r.ips) || !Array.isArray(r.firstSeen) || !Array.isArray(r.lastSeen)) return undefined;
  if (!isCount(r.frames) || !isCount(r.bytes) || !Array.isArray(r.sources)) return undefined;
  const ids: Identifier[] = [];
  const m = /^(mac|ip):(.+)$/.exec(r.key);
  if (m === null) return undefined;
  const addIp = (s: string): void => {
    const id: Identifier = { kind: s.includes(':') ? 'ipv6' : 'ipv4', value: s };
    if (identifierBytes(id) !== undefined && !ids.some((x) => x.kind === id.kind && x.value === id.value)) ids.push(id);
  };
  if (m[1] === 'mac') {
    const mac: Identifier = { kind: 'mac', value: m[2]!.toLowerCase() };
    if (identifierBytes(mac) === undefined) return undefined;
    ids.push(mac);
  } else {
    addIp(m[2]!);
    if (ids.length === 0) return undefined;
  }
  for (const ip of r.ips) if (typeof ip === 'string') addIp(ip);
  const first = Number(r.firstSeen[0]);
  const last = Number(r.lastSeen[0]);
  if (!isCount(first) || !isCount(last)) return undefined;
  const sources = r.sources.filter((s): s is string => typeof s === 'string');
  const attrs: InventoryDevice['attrs'] =
    typeof r.vendor === 'string' && r.vendor !== ''
      ? [{ name: 'vendor', value: r.vendor, proto: 'oui', field: 'mac', time: first, confidence: 2, source: sources[0] ?? 'unknown' }]
      : [];
  return { ids, attrs, firstSeen: first, lastSeen: last, frames: r.frames, bytes: r.bytes, sources };
}
