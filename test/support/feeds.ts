/**
 * Where the shared reference feeds are, for tests that read them in place
 * (never copied into the repository): $IOMT_FEEDS, or ../shared/feeds beside
 * the repository. A test that finds no advisories must fail, not pass on
 * nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from './shared.js';
import { writeFileSync } from 'node:fs';
import { Store } from '../../src/store/store.js';
import { deviceId } from '../../src/telemetry/device.js';
import { pcapFile } from '../../src/capture/pcap/writer.js';
import { ethernet, ipv4, udp } from '../builders/frames.js';
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

/**
 * A ward as the inventory last stored it, for the agent's vulns tests: the
 * devices in a real LevelDB state under `dir/state`, and a capture
 * `dir/ward.pcap` in which each keeps talking (one UDP frame a second for
 * `seconds`, from now, so a realtime replay keeps the agent up).
 */
export async function storedWard(dir: string, devices: readonly InventoryDevice[], seconds: number): Promise<{ state: string; capture: string }> {
  const state = join(dir, 'state');
  const store = await Store.open(state);
  for (const d of devices) await store.put('devices', deviceId(d), d);
  await store.close();
  const t0 = Math.floor(Date.now() / 1000);
  const frames = [];
  for (let s = 0; s < seconds; s++) {
    for (const [i, d] of devices.entries()) {
      const mac = d.ids[0]!.value;
      frames.push({ tsSec: t0 + s, tsNsec: i, bytes: ethernet({ src: mac, dst: '00:00:5e:00:53:fe', type: 0x0800 }, ipv4({ src: `10.7.0.${10 + i}`, dst: '10.7.0.1', proto: 17 }, udp({ sport: 4000, dport: 2575 }, new Uint8Array(16)))) });
    }
  }
  const capture = join(dir, 'ward.pcap');
  writeFileSync(capture, pcapFile(1, frames));
  return { state, capture };
}
