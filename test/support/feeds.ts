/**
 * Where the shared reference feeds are, for tests that read them in place
 * (never copied into the repository): $IOMT_FEEDS, or ../shared/feeds beside
 * the repository. A test that finds no advisories must fail, not pass on
 * nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from './shared.js';
import type { DeviceAttribute, InventoryDevice } from '../../src/telemetry/kinds.js';
import type { AttributeName } from '../../src/telemetry/kinds.js';

export function feedsDir(): string {
  const env = process.env['IOMT_FEEDS'];
  if (env !== undefined && env !== '') return env;
  return sharedPath('feeds');
}

/** The shared CSAF ICSMA advisories folder, and its JSON files (sorted); [] when missing. */
export function csafDir(): string {
  return join(feedsDir(), 'csaf_icsma');
}

export function csafFiles(): string[] {
  const d = csafDir();
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).sort() : [];
}

/** One attribute with plausible evidence: `[name, value, proto, field]`. */
export type AttrRow = readonly [AttributeName, string, string?, string?];

/** A device as the inventory publishes it, with the given attributes. */
export function deviceWith(mac: string, attrs: readonly AttrRow[], extra: Partial<InventoryDevice> = {}): InventoryDevice {
  const list: DeviceAttribute[] = attrs.map(([name, value, proto, field]) => ({ name, value, proto: proto ?? 'snmp', field: field ?? 'sysDescr', time: 1_767_600_000, confidence: 3, source: 'span0' }));
  return { ids: [{ kind: 'mac', value: mac }], attrs: list, firstSeen: 1_767_600_000, lastSeen: 1_767_600_100, frames: 10, bytes: 1000, sources: ['span0'], ...extra };
}
