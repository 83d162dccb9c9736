/**
 * The device table: devices by id in least-recently-seen order, indexes by
 * MAC and IP, the set of devices changed since the last delta, and the ids
 * removed since then.
 *
 * Everything here is bounded by the configured caps: the table by
 * `max_devices` (eviction takes the head of the Map, which a device leaves
 * at most once per tick when it is heard), the changed set by the table
 * (an evicted device leaves it), and the removed list by `maxRemovedListed`
 * (beyond it removals are only counted, and the next snapshot repairs the
 * subscriber). A store deletion is queued at the moment of removal, so no
 * list of pending deletions grows during a flood.
 */
import type { Sink } from '../types.js';
import { macString, ipv4String } from '../../decode/bytes.js';
import { identifierKey, type Identifier } from '../../telemetry/ident.js';
import { observe, type Attribute, type AttributeName, type Observation } from './identity.js';
import { MAX_FACT_LENGTH, MAX_FACTS_PER_DEVICE, MAX_OTHER_IDS, MAX_VALUES_PER_FACT_KEY, type Fact } from './sighting.js';
import { SINGLE_VALUED_FACTS } from './facts.js';

/** How many source names one device remembers. */
export const MAX_SOURCES = 8;

export interface Device {
  /** identifierKey of `primary`; the store key. */
  readonly id: string;
  readonly primary: Identifier;
  /** The MAC as a number, or -1 for a device known only by IP. */
  readonly mac: number;
  ipv4: number[];
  /** Parallel to ipv4: proven on this segment (ARP), not merely seen as a source. */
  ip4Proven: boolean[];
  ipv6: string[];
  attrs: Attribute[];
  firstSec: number;
  lastSec: number;
  lastNsec: number;
  frames: number;
  bytes: number;
  sources: string[];
  peers4: number[];
  peers6: string[];
  /** Identifiers other than the MAC and IPs (BLE, BSSID, 802.15.4), at most MAX_OTHER_IDS. */
  others: Identifier[];
  /** Fingerprint facts for the class engine, at most MAX_FACTS_PER_DEVICE, oldest first. */
  facts: Fact[];
  /** Known only by a short-lived address: kept in the capped ephemeral pool. */
  ephemeral: boolean;
  /** Forwards traffic for other addresses: its role is router, and it owns only proven addresses. */
  router: boolean;
  /** Written to the store at least once (so a removal must delete it there). */
  stored: boolean;
  touched: number;
}

export function newDevice(primary: Identifier, mac: number, tsSec: number, tsNsec: number, tick: number): Device {
  return {
    id: identifierKey(primary), primary, mac, ipv4: [], ip4Proven: [], ipv6: [], attrs: [],
    firstSec: tsSec, lastSec: tsSec, lastNsec: tsNsec, frames: 0, bytes: 0, sources: [],
    peers4: [], peers6: [], others: [], facts: [], ephemeral: false, router: false, stored: false, touched: tick,
  };
}

export class DeviceTable {
  readonly devices = new Map<string, Device>();
  readonly byMac = new Map<number, Device>();
  readonly byIp4 = new Map<number, Device>();
  readonly byIp6 = new Map<string, Device>();
  /** Every identifier that is not a MAC or IP address (a primary one included), by identifierKey. */
  readonly byKey = new Map<string, Device>();
  /** Ephemeral devices, oldest first (see Sighting.ephemeral). */
  readonly ephemerals = new Map<string, Device>();
  readonly dirty = new Set<Device>();
  /**
   * Devices whose fingerprint facts, vendor or hostname changed since the
   * class engine last ran (once per tick, classify.ts). Bounded like `dirty`:
   * only devices in the table, and a removed device leaves it.
   */
  readonly factsChanged = new Set<Device>();
  /** Ids removed since the last delta, by id (a device evicted twice is listed once). */
  readonly removed = new Map<string, Identifier>();
  removedUnlisted = 0;
  tick = 0;

  constructor(
    private readonly maxDevices: number,
    private readonly maxRemovedListed: number,
  ) {}

  get size(): number {
    return this.devices.size;
  }

  get full(): boolean {
    return this.devices.size >= this.maxDevices;
  }

  /** The least recently seen device. */
  head(): Device | undefined {
    const h = this.devices.values().next();
    return h.done ? undefined : h.value;
  }

  add(d: Device): void {
    this.devices.set(d.id, d);
    if (d.mac >= 0) this.byMac.set(d.mac, d);
    for (const ip of d.ipv4) this.byIp4.set(ip, d);
    for (const ip of d.ipv6) this.byIp6.set(ip, d);
    if (!isAddressKind(d.primary)) this.byKey.set(d.id, d);
    for (const o of d.others) this.indexOther(o, d);
    if (d.ephemeral) this.ephemerals.set(d.id, d);
    // Heard again after an eviction in the same interval: it is not removed after all.
    this.removed.delete(d.id);
  }

  /** Moves a device to the tail (most recently seen), at most once per tick. */
  touch(d: Device): void {
    if (d.touched === this.tick) return;
    this.devices.delete(d.id);
    this.devices.set(d.id, d);
    d.touched = this.tick;
  }

  /** Applies an observation to one of the device's attributes (identity.ts rules); marks it changed if it did. */
  observe(d: Device, name: AttributeName, obs: Observation): void {
    const i = d.attrs.findIndex((a) => a.name === name);
    const before = i < 0 ? undefined : d.attrs[i]!.value;
    const next = observe(name, i < 0 ? undefined : d.attrs[i], obs);
    if (next === undefined) return;
    if (i < 0) d.attrs.push(next);
    else d.attrs[i] = next;
    this.dirty.add(d);
    // The class engine reads these two attributes beside the facts.
    if ((name === 'vendor' || name === 'hostname') && next.value !== before) this.factsChanged.add(d);
  }

  markDirty(d: Device): void {
    this.dirty.add(d);
  }

  /** Takes a device out of the table and its indexes; deletes it from the store if it was ever written. */
  remove(d: Device, out: Sink): void {
    if (this.devices.get(d.id) !== d) return;
    this.devices.delete(d.id);
    if (d.mac >= 0 && this.byMac.get(d.mac) === d) this.byMac.delete(d.mac);
    for (const ip of d.ipv4) if (this.byIp4.get(ip) === d) this.byIp4.delete(ip);
    for (const ip of d.ipv6) if (this.byIp6.get(ip) === d) this.byIp6.delete(ip);
    if (this.byKey.get(d.id) === d) this.byKey.delete(d.id);
    for (const o of d.others) {
      const k = identifierKey(o);
      if (this.byKey.get(k) === d) this.byKey.delete(k);
      if (o.kind === 'mac' && this.byMac.get(macNumber(o.value)) === d) this.byMac.delete(macNumber(o.value));
    }
    this.ephemerals.delete(d.id);
    this.dirty.delete(d);
    this.factsChanged.delete(d);
    if (!d.stored) return;
    out.del('devices', d.id);
    if (this.removed.size < this.maxRemovedListed) this.removed.set(d.id, d.primary);
    else this.removedUnlisted++;
  }

  /**
   * Adds a secondary identifier. One already held by another device moves
   * here (the newer sighting wins; counted by the caller); returns false when
   * the device already holds MAX_OTHER_IDS.
   */
  addOther(d: Device, id: Identifier): boolean {
    if (d.others.length >= MAX_OTHER_IDS) return false;
    const k = identifierKey(id);
    const prev = this.byKey.get(k);
    if (prev !== undefined && prev !== d) {
      const i = prev.others.findIndex((o) => identifierKey(o) === k);
      if (i >= 0) {
        prev.others.splice(i, 1);
        this.dirty.add(prev);
      }
    }
    d.others.push(id);
    this.indexOther(id, d);
    this.dirty.add(d);
    return true;
  }

  /** A secondary MAC (an access point's, next to its BSSID) also finds the device from wired frames. */
  private indexOther(id: Identifier, d: Device): void {
    this.byKey.set(identifierKey(id), d);
    if (id.kind === 'mac' && !this.byMac.has(macNumber(id.value))) this.byMac.set(macNumber(id.value), d);
  }

  /**
   * Records a fingerprint fact; returns true when it is new for this device.
   * A single-valued key (facts.ts) replaces its previous value.
   */
  /**
   * Adds a fact: 0 when the device had it already, 1 when added, 2 when
   * added at the cost of an older fact (per-key cap first, then the
   * device's cap, which takes from the key with the most values).
   */
  addFact(d: Device, key: string, value: string): 0 | 1 | 2 {
    const v = value.length > MAX_FACT_LENGTH ? value.slice(0, MAX_FACT_LENGTH) : value;
    const f = d.facts;
    const single = SINGLE_VALUED_FACTS.has(key);
    let firstOfKey = -1;
    let ofKey = 0;
    for (let i = 0; i < f.length; i++) {
      if (f[i]!.key !== key) continue;
      if (f[i]!.value === v) return 0;
      if (single) {
        f.splice(i, 1);
        break;
      }
      if (firstOfKey < 0) firstOfKey = i;
      ofKey++;
    }
    let evicted = false;
    if (ofKey >= MAX_VALUES_PER_FACT_KEY) {
      f.splice(firstOfKey, 1);
      evicted = true;
    } else if (f.length >= MAX_FACTS_PER_DEVICE) {
      f.splice(oldestOfCommonestKey(f), 1);
      evicted = true;
    }
    f.push({ key, value: v });
    this.dirty.add(d);
    this.factsChanged.add(d);
    return evicted ? 2 : 1;
  }

  addIpv4(d: Device, ip: number, proven: boolean): void {
    d.ipv4.push(ip);
    d.ip4Proven.push(proven);
    this.byIp4.set(ip, d);
    this.dirty.add(d);
  }

  dropIpv4(d: Device, i: number): void {
    const ip = d.ipv4[i]!;
    d.ipv4.splice(i, 1);
    d.ip4Proven.splice(i, 1);
    if (this.byIp4.get(ip) === d) this.byIp4.delete(ip);
    this.dirty.add(d);
  }

  dropIpv6(d: Device, i: number): void {
    const ip = d.ipv6[i]!;
    d.ipv6.splice(i, 1);
    if (this.byIp6.get(ip) === d) this.byIp6.delete(ip);
    this.dirty.add(d);
  }

  addIpv6(d: Device, ip: string): void {
    d.ipv6.push(ip);
    this.byIp6.set(ip, d);
    this.dirty.add(d);
  }
}

/** MACs and IP addresses have their own numeric indexes; everything else goes by key. */
export function isAddressKind(id: Identifier): boolean {
  return id.kind === 'mac' || id.kind === 'ipv4' || id.kind === 'ipv6';
}

export function macNumber(text: string): number {
  // The canonical "aa:bb:cc:dd:ee:ff" (macString's) read digit by digit; anything else as before.
  if (text.length === 17) {
    let n = 0;
    for (let i = 0; i < 17; i++) {
      const c = text.charCodeAt(i);
      if (i % 3 === 2) {
        if (c !== 58) return parseInt(text.replaceAll(':', ''), 16);
        continue;
      }
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return parseInt(text.replaceAll(':', ''), 16);
      n = n * 16 + d;
    }
    return n;
  }
  return parseInt(text.replaceAll(':', ''), 16);
}

export function macIdentifier(mac: number): Identifier {
  return { kind: 'mac', value: macString(mac) };
}

export function ipv4Identifier(ip: number): Identifier {
  return { kind: 'ipv4', value: ipv4String(ip) };
}

/** Index of the oldest fact of the key that has the most values (the first such key on a tie). */
function oldestOfCommonestKey(f: readonly Fact[]): number {
  const counts = new Map<string, number>();
  let best = 0;
  let at = 0;
  for (let i = 0; i < f.length; i++) {
    const n = (counts.get(f[i]!.key) ?? 0) + 1;
    counts.set(f[i]!.key, n);
    if (n > best) {
      best = n;
      at = f.findIndex((x) => x.key === f[i]!.key);
    }
  }
  return at;
}
