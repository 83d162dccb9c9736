/**
 * The device record as release 0.1 stored it, for migration 2. The store
 * owns its migrations; the target shape is the telemetry contract's device
 * (the inventory stores exactly what it publishes).
 */
import type { InventoryDevice } from '../telemetry/kinds.js';
import { identifierBytes, type Identifier } from '../telemetry/ident.js';

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * A device record of schema 1 (release 0.1): keyed `mac:..` or `ip:..`, with
 * `ips`, `vendor` and [sec, nsec] times. Returns the schema 2 record, or
 * undefined when the old record is not one (the migration drops it).
 */
export function migrateDeviceV1(v: unknown): InventoryDevice | undefined {
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
