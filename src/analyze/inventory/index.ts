/**
 * The inventory: every device heard, keyed by its link-layer address, or by
 * its IP address where the capture has no link layer (raw IP). First and last
 * seen, the IP addresses it sent from, its IEEE vendor, frame and byte
 * counters and the sources that heard it.
 *
 * Bounded by `maxDevices`. The table is a Map whose insertion order is kept
 * close to least-recently-seen order: a device is moved to the end at most
 * once per tick, so the per-frame cost stays one Map read, and eviction takes
 * the head. Evictions are counted and raise `inventory.table_full`.
 */
import type { Analyzer, Sink, SnapshotReason } from '../types.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { OuiRegistry } from '../../identify/oui.js';
import { macKey, macString, ipv4Number, ipv4String, ipv6String, u16be } from '../../decode/bytes.js';
import type { Config } from '../../config/index.js';
import { isDeviceRecord, type DeviceRecord } from './record.js';

export { type DeviceRecord } from './record.js';


/** The inventory's options from the configuration (the same for `run` and `replay`). */
export function inventoryOptions(config: Config): InventoryOptions {
  const c = config.inventory;
  return { maxDevices: c.max_devices, learningPeriodS: c.learning_period_s, deltaIntervalS: c.delta_interval_s, maxIpsPerDevice: c.max_ips_per_device };
}

export interface InventoryOptions {
  readonly maxDevices: number;
  readonly learningPeriodS: number;
  readonly deltaIntervalS: number;
  readonly maxIpsPerDevice: number;
  /** Devices per snapshot or delta message (and five times as many removed keys per delta). */
  readonly snapshotChunk?: number;
}

/** Key under which the start of learning (capture time of the first device ever created) is stored. */
const LEARNING_KEY = '!learning_start';
/** How many source names one device remembers. */
const MAX_SOURCES = 8;
/** Offset added to IPv4 numbers so they never collide with 48-bit MAC numbers in the same Map. */
const IPV4_KEY_BASE = 2 ** 48;

interface Device {
  /** Key in the device Map: the MAC as a number, IPV4_KEY_BASE + IPv4, or the key string for IPv6. */
  readonly mapKey: number | string;
  readonly key: string;
  readonly mac: number;
  vendor: string | undefined;
  ipv4: number[];
  ipv6: string[];
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  frames: number;
  bytes: number;
  sources: string[];
  dirty: boolean;
  touched: number;
}

function isUsableIpv4(n: number): boolean {
  // 0.0.0.0/8 (this network), 224.0.0.0/4 multicast and 240/4 incl. broadcast never identify a sender.
  const a = n >>> 24;
  return a !== 0 && a < 224;
}

export class InventoryAnalyzer implements Analyzer {
  readonly name = 'inventory';
  readonly area = 'devices' as const;
  private readonly devices = new Map<number | string, Device>();
  private readonly dirty: Device[] = [];
  /** Devices evicted since the last delta. */
  private readonly removed: Device[] = [];
  private tick = 0;
  private nextDeltaSec = 0;
  private learningStart: number | undefined;
  private learningDirty = false;
  readonly counters = { devices_new: 0, devices_evicted: 0, restore_rejected: 0 };

  constructor(
    private readonly opts: InventoryOptions,
    private readonly oui: OuiRegistry,
  ) {}

  get size(): number {
    return this.devices.size;
  }

  restore(records: ReadonlyArray<readonly [string, unknown]>): void {
    for (const [key, value] of records) {
      if (key === LEARNING_KEY) {
        if (typeof value === 'number') this.learningStart = value;
        continue;
      }
      if (!isDeviceRecord(value) || value.key !== key) {
        this.counters.restore_rejected++;
        continue;
      }
      const d = this.fromRecord(value);
      if (d === undefined) {
        this.counters.restore_rejected++;
        continue;
      }
      this.devices.set(d.mapKey, d);
    }
    // The store hands records back in key order; re-establish last-seen order for eviction.
    const sorted = [...this.devices.entries()].sort((a, b) => a[1].lastSec - b[1].lastSec || a[1].lastNsec - b[1].lastNsec);
    this.devices.clear();
    for (const [k, d] of sorted) this.devices.set(k, d);
    // A store filled under a larger max_devices: shed the least recently seen now, or the
    // table would stay over its limit for good (create() evicts one per new device).
    for (const [k, d] of this.devices) {
      if (this.devices.size <= this.opts.maxDevices) break;
      this.devices.delete(k);
      this.removed.push(d);
      this.counters.devices_evicted++;
    }
  }

  onFrame(frame: DecodedFrame, out: Sink): void {
    const layers = frame.layers;
    const bytes = frame.raw.bytes;
    let dev: Device | undefined;
    // A frame with a link-layer sender is that sender's; only frames without one (raw IP,
    // cooked tunnels) are keyed by IP. A group or all-zero sender address is nobody's.
    let linkSender = false;
    let ipLayer: Layer | undefined;
    let arp: Layer | undefined;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!;
      switch (l.name) {
        case 'ethernet':
          if (i === 0) {
            linkSender = true;
            dev = this.byMac(bytes, l.offset + 6, frame, out);
          }
          break;
        // Linux cooked captures carry the sender's link-layer address; a 6-byte one is a MAC
        // whatever the ARPHRD type (Ethernet, 802.11, ...), as tshark reads it too.
        case 'sll':
          // v1: address length at 4, address at 6.
          if (i === 0 && u16be(bytes, l.offset + 4) === 6) {
            linkSender = true;
            dev = this.byMac(bytes, l.offset + 6, frame, out);
          }
          break;
        case 'sll2':
          // v2: address length at 11, address at 12.
          if (i === 0 && bytes[l.offset + 11] === 6) {
            linkSender = true;
            dev = this.byMac(bytes, l.offset + 12, frame, out);
          }
          break;
        case 'arp':
          arp ??= l;
          break;
        case 'ipv4':
        case 'ipv6':
          ipLayer ??= l;
          break;
      }
    }
    if (ipLayer !== undefined) {
      if (ipLayer.name === 'ipv4') {
        const ip = ipv4Number(bytes, ipLayer.offset + 12);
        if (isUsableIpv4(ip)) {
          if (!linkSender) dev = this.byIpv4(ip, frame, out);
          if (dev !== undefined) this.addIpv4(dev, ip);
        }
      } else {
        const o = ipLayer.offset + 8;
        if (!this.isUnspecifiedIpv6(bytes, o) && bytes[o] !== 0xff) {
          const s = ipv6String(bytes, o);
          if (!linkSender) dev = this.byIpv6(s, frame, out);
          if (dev !== undefined) this.addIpv6(dev, s);
        }
      }
    } else if (arp !== undefined && dev !== undefined) {
      this.arpSender(bytes, arp, dev);
    }
    if (dev === undefined) return;
    dev.frames++;
    dev.bytes += frame.raw.origLen;
    const raw = frame.raw;
    if (raw.tsSec > dev.lastSec || (raw.tsSec === dev.lastSec && raw.tsNsec > dev.lastNsec)) {
      dev.lastSec = raw.tsSec;
      dev.lastNsec = raw.tsNsec;
    }
    if (dev.sources[dev.sources.length - 1] !== raw.source && !dev.sources.includes(raw.source) && dev.sources.length < MAX_SOURCES) {
      dev.sources.push(raw.source);
    }
    if (!dev.dirty) {
      dev.dirty = true;
      this.dirty.push(dev);
    }
    if (dev.touched !== this.tick) {
      // Move to the end of the Map: the head stays the least recently seen.
      this.devices.delete(dev.mapKey);
      this.devices.set(dev.mapKey, dev);
      dev.touched = this.tick;
    }
  }

  onTick(nowSec: number, out: Sink): void {
    this.tick++;
    if (this.learningDirty && this.learningStart !== undefined) {
      out.put('devices', LEARNING_KEY, this.learningStart);
      this.learningDirty = false;
    }
    if (nowSec < this.nextDeltaSec) return;
    this.flush(out);
    this.nextDeltaSec = nowSec + this.opts.deltaIntervalS;
  }

  /** Publishes and stores what changed since the last delta. Called on ticks and at shutdown. */
  flush(out: Sink): void {
    if (this.dirty.length === 0 && this.removed.length === 0) return;
    const devices: DeviceRecord[] = [];
    for (const d of this.dirty) {
      d.dirty = false;
      // A device evicted after it was marked dirty is in `removed` instead.
      if (this.devices.get(d.mapKey) !== d) continue;
      const r = this.toRecord(d);
      devices.push(r);
      out.put('devices', d.key, r);
    }
    this.dirty.length = 0;
    const removed: string[] = [];
    // A Set, not removed.includes(): a flood evicts tens of thousands of devices per delta.
    const gone = new Set<string>();
    for (const v of this.removed) {
      // Evicted, then heard again before this delta: it is back in the table and in `devices`.
      // Deleting it after the put above would lose it from the store.
      if (this.devices.has(v.mapKey) || gone.has(v.key)) continue;
      gone.add(v.key);
      removed.push(v.key);
      out.del('devices', v.key);
    }
    this.removed.length = 0;
    // A flood can change thousands of devices in one interval: split so no message outgrows a broker's limit.
    const chunk = this.opts.snapshotChunk ?? 200;
    const parts = Math.max(1, Math.ceil(devices.length / chunk), Math.ceil(removed.length / (chunk * 5)));
    for (let p = 0; p < parts; p++) {
      out.publish('inventory-delta', {
        devices: devices.slice(p * chunk, (p + 1) * chunk),
        removed: removed.slice(p * chunk * 5, (p + 1) * chunk * 5),
      });
    }
  }

  /** Publishes the whole table in chunks (the periodic full snapshot). */
  snapshot(out: Sink, reason: SnapshotReason = 'command'): void {
    if (reason === 'startup' && this.devices.size === 0) return;
    const chunk = this.opts.snapshotChunk ?? 200;
    const all = [...this.devices.values()].map((d) => this.toRecord(d));
    const parts = Math.max(1, Math.ceil(all.length / chunk));
    for (let p = 0; p < parts; p++) {
      out.publish('inventory-snapshot', { devices: all.slice(p * chunk, (p + 1) * chunk), part: p, parts });
    }
  }

  gauges(): Record<string, number> {
    return { devices: this.devices.size };
  }

  /** Sizing keys are fixed while running: the table and its records are laid out for them. */
  reconfigure(config: Config): readonly string[] {
    const now = inventoryOptions(config);
    return JSON.stringify(now) === JSON.stringify(this.opts) ? [] : ['inventory'];
  }

  /** All devices as owned records, least recently seen first. */
  records(): DeviceRecord[] {
    return [...this.devices.values()].map((d) => this.toRecord(d));
  }

  private byMac(bytes: Uint8Array, o: number, frame: DecodedFrame, out: Sink): Device | undefined {
    // Group bit set: a multicast or broadcast destination-style address never sends.
    if (bytes[o]! & 0x01) return undefined;
    const mac = macKey(bytes, o);
    if (mac === 0) return undefined;
    const d = this.devices.get(mac);
    if (d !== undefined) return d;
    const key = `mac:${macString(mac)}`;
    return this.create(mac, key, mac, this.oui.lookup(mac), frame, out);
  }

  private byIpv4(ip: number, frame: DecodedFrame, out: Sink): Device {
    const mk = IPV4_KEY_BASE + ip;
    return this.devices.get(mk) ?? this.create(mk, `ip:${ipv4String(ip)}`, -1, undefined, frame, out);
  }

  private byIpv6(s: string, frame: DecodedFrame, out: Sink): Device {
    const mk = `ip:${s}`;
    return this.devices.get(mk) ?? this.create(mk, mk, -1, undefined, frame, out);
  }

  private create(mapKey: number | string, key: string, mac: number, vendor: string | undefined, frame: DecodedFrame, out: Sink): Device {
    const raw = frame.raw;
    if (this.learningStart === undefined) {
      this.learningStart = raw.tsSec;
      this.learningDirty = true;
    }
    const d: Device = {
      mapKey,
      key,
      mac,
      vendor,
      ipv4: [],
      ipv6: [],
      firstSec: raw.tsSec,
      firstNsec: raw.tsNsec,
      lastSec: raw.tsSec,
      lastNsec: raw.tsNsec,
      frames: 0,
      bytes: 0,
      sources: [],
      dirty: false,
      touched: this.tick,
    };
    if (this.devices.size >= this.opts.maxDevices) this.evictOne(raw.tsSec, out);
    this.devices.set(mapKey, d);
    this.counters.devices_new++;
    out.count('inventory.devices_new');
    if (raw.tsSec >= this.learningStart + this.opts.learningPeriodS) {
      const facts: Record<string, string> = { source: raw.source };
      if (vendor !== undefined) facts.vendor = vendor;
      out.alert({ code: 'inventory.new_device', device: key, time: raw.tsSec, facts });
    }
    return d;
  }

  private evictOne(nowSec: number, out: Sink): void {
    const head = this.devices.entries().next();
    if (head.done) return;
    const [k, victim] = head.value;
    this.devices.delete(k);
    this.removed.push(victim);
    this.counters.devices_evicted++;
    out.count('inventory.devices_evicted');
    out.alert({ code: 'inventory.table_full', device: 'sensor', time: nowSec, facts: { max_devices: this.opts.maxDevices, evicted: victim.key } });
  }

  private addIpv4(d: Device, ip: number): void {
    const list = d.ipv4;
    for (let i = 0; i < list.length; i++) if (list[i] === ip) return;
    if (list.length + d.ipv6.length >= this.opts.maxIpsPerDevice) return;
    list.push(ip);
    this.markDirty(d);
  }

  private addIpv6(d: Device, s: string): void {
    if (d.ipv6.includes(s) || d.ipv4.length + d.ipv6.length >= this.opts.maxIpsPerDevice) return;
    d.ipv6.push(s);
    this.markDirty(d);
  }

  private markDirty(d: Device): void {
    if (!d.dirty) {
      d.dirty = true;
      this.dirty.push(d);
    }
  }

  /** ARP (RFC 826) for Ethernet/IPv4: the sender's protocol address belongs to the sender's hardware address. */
  private arpSender(bytes: Uint8Array, arp: Layer, dev: Device): void {
    const o = arp.offset;
    if (arp.payloadEnd - o < 28) return;
    if (u16be(bytes, o) !== 1 || u16be(bytes, o + 2) !== 0x0800 || bytes[o + 4] !== 6 || bytes[o + 5] !== 4) return;
    if (macKey(bytes, o + 8) !== dev.mac) return;
    const spa = ipv4Number(bytes, o + 14);
    if (isUsableIpv4(spa)) this.addIpv4(dev, spa);
  }

  private isUnspecifiedIpv6(b: Uint8Array, o: number): boolean {
    for (let i = 0; i < 16; i++) if (b[o + i] !== 0) return false;
    return true;
  }

  private toRecord(d: Device): DeviceRecord {
    return {
      key: d.key,
      mac: d.mac >= 0 ? macString(d.mac) : undefined,
      ips: [...d.ipv4.map(ipv4String), ...d.ipv6],
      vendor: d.vendor,
      firstSeen: [d.firstSec, d.firstNsec],
      lastSeen: [d.lastSec, d.lastNsec],
      frames: d.frames,
      bytes: d.bytes,
      sources: [...d.sources],
    };
  }

  private fromRecord(r: DeviceRecord): Device | undefined {
    let mac = -1;
    let mapKey: number | string;
    if (r.key.startsWith('mac:')) {
      const hex = r.key.slice(4).replaceAll(':', '');
      if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
      mac = parseInt(hex, 16);
      mapKey = mac;
    } else if (r.key.startsWith('ip:')) {
      const ip = r.key.slice(3);
      if (isIpv6Text(ip)) mapKey = r.key;
      else if (isIpv4Text(ip)) mapKey = IPV4_KEY_BASE + parseIpv4(ip);
      else return undefined;
    } else return undefined;
    const ipv4: number[] = [];
    const ipv6: string[] = [];
    for (const ip of r.ips) {
      if (typeof ip !== 'string') continue;
      if (isIpv6Text(ip)) ipv6.push(ip);
      else if (isIpv4Text(ip)) ipv4.push(parseIpv4(ip));
      else return undefined;
    }
    // NaN times or counters would poison eviction order and every later delta.
    const times = [r.firstSeen[0], r.firstSeen[1], r.lastSeen[0], r.lastSeen[1], r.frames, r.bytes];
    if (!times.every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
    return {
      mapKey,
      key: r.key,
      mac,
      vendor: typeof r.vendor === 'string' ? r.vendor : undefined,
      ipv4,
      ipv6,
      firstSec: Number(r.firstSeen[0]),
      firstNsec: Number(r.firstSeen[1]),
      lastSec: Number(r.lastSeen[0]),
      lastNsec: Number(r.lastSeen[1]),
      frames: r.frames,
      bytes: r.bytes,
      sources: r.sources.filter((s): s is string => typeof s === 'string').slice(0, MAX_SOURCES),
      dirty: false,
      touched: -1,
    };
  }
}

function isIpv4Text(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && s.split('.').every((p) => Number(p) <= 255);
}

/** Loose on purpose: restored IPv6 text is only stored and compared, never parsed. */
function isIpv6Text(s: string): boolean {
  return s.includes(':') && /^[0-9a-f:.]+$/i.test(s);
}

function parseIpv4(s: string): number {
  const p = s.split('.');
  return (((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0);
}
