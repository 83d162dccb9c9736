/** Between the inventory's working `Device` and the owned `DeviceRecord` it stores and publishes. */
import { ipv4Number, ipv4String } from '../../decode/bytes.js';
import { identifierBytes, type Identifier } from '../../telemetry/ident.js';
import type { DeviceRecord } from './record.js';
import type { SiteNetworks } from './sites.js';
import { MAX_FACTS_PER_DEVICE, MAX_OTHER_IDS } from './sighting.js';
import { macNumber, newDevice, type Device } from './table.js';

export function toRecord(d: Device): DeviceRecord {
  const ids: Identifier[] = [d.primary];
  for (const ip of d.ipv4) {
    const v = ipv4String(ip);
    if (!(d.primary.kind === 'ipv4' && d.primary.value === v)) ids.push({ kind: 'ipv4', value: v });
  }
  for (const v of d.ipv6) if (!(d.primary.kind === 'ipv6' && d.primary.value === v)) ids.push({ kind: 'ipv6', value: v });
  for (const o of d.others) ids.push(o);
  const peers: Identifier[] = [...d.peers4.map((p): Identifier => ({ kind: 'ipv4', value: ipv4String(p) })), ...d.peers6.map((p): Identifier => ({ kind: 'ipv6', value: p }))];
  return {
    ids,
    attrs: d.attrs.map((a) => ({ ...a })),
    firstSeen: d.firstSec,
    lastSeen: d.lastSec,
    frames: d.frames,
    bytes: d.bytes,
    sources: [...d.sources],
    ...(peers.length > 0 ? { peers } : {}),
    ...(d.facts.length > 0 ? { facts: d.facts.map((f) => ({ key: f.key, value: f.value })) } : {}),
  };
}

/**
 * A working device from a stored record, or undefined when the record is not
 * a ward device: one known only by an address outside the site networks (a
 * schema 1 store made remote addresses into devices).
 */
export function fromRecord(r: DeviceRecord, sites: SiteNetworks): Device | undefined {
  const primary = r.ids[0]!;
  const bytes = identifierBytes(primary);
  if (bytes === undefined) return undefined;
  let mac = -1;
  if (primary.kind === 'mac') mac = macNumber(primary.value);
  else if (primary.kind === 'ipv4' && !sites.isLocal4(ipv4Number(bytes, 0))) return undefined;
  else if (primary.kind === 'ipv6' && !sites.isLocal6(bytes, 0)) return undefined;
  const d = newDevice(primary, mac, r.firstSeen, 0, -1);
  d.lastSec = r.lastSeen;
  d.frames = r.frames;
  d.bytes = r.bytes;
  d.sources = r.sources.slice(0, 8);
  d.attrs = r.attrs.map((a) => ({ ...a }));
  d.router = r.attrs.some((a) => a.name === 'role' && a.value === 'router');
  d.stored = true;
  for (const id of r.ids) {
    const b = identifierBytes(id);
    if (b === undefined) continue;
    // Restored addresses are unproven until ARP shows them again.
    if (id.kind === 'ipv4') {
      d.ipv4.push(ipv4Number(b, 0));
      d.ip4Proven.push(false);
    }
    else if (id.kind === 'ipv6') d.ipv6.push(id.value);
    else if (id !== primary && d.others.length < MAX_OTHER_IDS) d.others.push(id);
  }
  d.facts = (r.facts ?? []).slice(0, MAX_FACTS_PER_DEVICE).map((f) => ({ key: f.key, value: f.value }));
  for (const p of r.peers ?? []) {
    const b = identifierBytes(p);
    if (b === undefined) continue;
    if (p.kind === 'ipv4') d.peers4.push(ipv4Number(b, 0));
    else if (p.kind === 'ipv6') d.peers6.push(p.value);
  }
  return d;
}
