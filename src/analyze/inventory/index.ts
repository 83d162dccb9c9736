/**
 * The inventory: the ward's devices, one identity per device across media.
 *
 * A device is created by the first frame its link-layer address sends (or,
 * on a capture with no link layer, by a local IP address). Addresses are
 * read from the decoders' views, and the sender is whichever layer is the
 * link layer, not layer 0. Identifiers the traffic links merge: ARP ties an
 * IP to a MAC, so a device first known by IP meets its MAC and becomes one.
 *
 * Local devices versus remote peers (sites.ts): an address outside the site
 * networks is never a device. It is a peer of the local device that talks
 * to it, kept in a bounded list on that device. A MAC that sends with remote
 * (or too many unproven local) source addresses forwards traffic: it gets
 * the role `router` and keeps only the addresses ARP proves are its own.
 *
 * Bounded by `max_devices` (least recently seen evicted, counted, alerted);
 * see table.ts for how nothing else grows during a flood.
 */
import type { Analyzer, Sink, SnapshotReason } from '../types.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { EthernetView } from '../../decode/ethernet/index.js';
import type { SllView } from '../../decode/sll/index.js';
import type { Sll2View } from '../../decode/sll2/index.js';
import type { Ipv4View } from '../../decode/ipv4/index.js';
import type { Ipv6View } from '../../decode/ipv6/index.js';
import type { ArpView } from '../../decode/arp/index.js';
import type { Ieee80211View } from '../../decode/ieee80211/index.js';
import { Attribution } from './attribution.js';
import type { OuiRegistry } from '../../identify/oui.js';
import type { Config } from '../../config/index.js';
import { Confidence } from './identity.js';
import { SiteNetworks } from './sites.js';
import { DeviceTable, ipv4Identifier, macIdentifier, macNumber, MAX_SOURCES, newDevice, type Device } from './table.js';
import type { Sighting, SightingSource } from './sighting.js';
import { identifierKey, parseIpv4Text, type Identifier } from '../../telemetry/ident.js';
import { fromRecord, toRecord } from './convert.js';
import { isDeviceRecord, type DeviceRecord } from './record.js';
import { deviceId } from '../../telemetry/device.js';
import { ClassEngine } from '../../identify/engine.js';
import { classifyChanged } from './classify.js';
import type { AttributeName } from '../../telemetry/kinds.js';

export { type DeviceRecord } from './record.js';
export type { Fact, Sighting, SightingSource } from './sighting.js';

/** The inventory's options from the configuration (the same for `run` and `replay`). */
export function inventoryOptions(config: Config): InventoryOptions {
  const c = config.inventory;
  return {
    maxDevices: c.max_devices,
    learningPeriodS: c.learning_period_s,
    deltaIntervalS: c.delta_interval_s,
    maxIpsPerDevice: c.max_ips_per_device,
    maxPeersPerDevice: c.max_peers_per_device,
    siteNetworks: c.site_networks,
    maxEphemeral: c.max_ephemeral_devices,
  };
}

export interface InventoryOptions {
  readonly maxDevices: number;
  readonly learningPeriodS: number;
  readonly deltaIntervalS: number;
  readonly maxIpsPerDevice: number;
  readonly maxPeersPerDevice?: number;
  /** CIDRs of the ward's networks; the private ranges when absent (sites.ts). */
  readonly siteNetworks?: readonly string[];
  /** Devices known only by a short-lived address kept at once (Sighting.ephemeral); default a quarter of maxDevices. */
  readonly maxEphemeral?: number;
  /** Devices per snapshot or delta message (and five times as many removed ids per delta). */
  readonly snapshotChunk?: number;
}

/** Key under which the start of learning (capture time of the first device ever created) is stored. */
const LEARNING_KEY = '!learning_start';
/** 2^40: dividing a MAC number by it leaves the first octet, whose low bit is the group bit. */
const FIRST_OCTET = 2 ** 40;

export class InventoryAnalyzer implements Analyzer {
  readonly name = 'inventory';
  readonly area = 'devices' as const;
  private readonly table: DeviceTable;
  private readonly sites: SiteNetworks;
  private readonly attribution: Attribution;
  private nextDeltaSec = 0;
  private learningStart: number | undefined;
  private learningDirty = false;
  readonly counters = { devices_new: 0, devices_evicted: 0, devices_merged: 0, restore_rejected: 0, ephemeral_new: 0, ephemeral_evicted: 0 };
  /** Sighting sources by the layer name they read. */
  private readonly sourcesByLayer = new Map<string, SightingSource[]>();
  /** Reused per frame: the (layer, source) pairs the frame carries. */
  private readonly pendingLayers: Layer[] = [];
  private readonly pendingSources: SightingSource[] = [];
  /** The frame whose sightings are being applied, and the device the frame counts towards. */
  private curFrame: DecodedFrame | undefined;
  private curSender: Device | undefined;
  private curCounted: Device | undefined;
  private curOut: Sink | undefined;
  private readonly emit = (s: Sighting): void => this.apply(s);
  /** Analyzers that follow device changes (vulns): called with each delta's records, synchronously. */
  private readonly watchers: Array<(changed: readonly DeviceRecord[], removed: readonly Identifier[]) => void> = [];

  constructor(
    private readonly opts: InventoryOptions,
    private readonly oui: OuiRegistry,
    sources: readonly SightingSource[] = [],
    /** The device-class engine (src/identify/engine.ts), run once per tick on devices whose facts changed. */
    private readonly classes: ClassEngine = new ClassEngine(),
  ) {
    for (const src of sources) {
      for (const l of src.layers) {
        const list = this.sourcesByLayer.get(l);
        if (list === undefined) this.sourcesByLayer.set(l, [src]);
        else list.push(src);
      }
    }
    const chunk = opts.snapshotChunk ?? 200;
    this.table = new DeviceTable(opts.maxDevices, chunk * 5);
    this.sites = new SiteNetworks(opts.siteNetworks);
    this.attribution = new Attribution(this.table, this.sites, { maxIps: opts.maxIpsPerDevice, maxPeers: opts.maxPeersPerDevice ?? 16 }, {
      ip4: (ip, frame, out) => this.createIp4(ip, frame, out),
      ip6: (s, frame, out) => this.createIp6(s, frame, out),
      merged: () => this.counters.devices_merged++,
    });
  }

  get size(): number {
    return this.table.size;
  }

  /** The value of attribute `name` of the device with this MAC (a macKey number), read-only: the Wi-Fi analyzer asks for classes. */
  attributeOfMac(mac: number, name: AttributeName): string | undefined {
    return this.table.byMac.get(mac)?.attrs.find((a) => a.name === name)?.value;
  }

  restore(records: ReadonlyArray<readonly [string, unknown]>): void {
    const restored: Device[] = [];
    for (const [key, value] of records) {
      if (key === LEARNING_KEY) {
        if (typeof value === 'number') this.learningStart = value;
        continue;
      }
      const d = isDeviceRecord(value) && deviceId(value) === key ? fromRecord(value, this.sites) : undefined;
      if (d === undefined) this.counters.restore_rejected++;
      else restored.push(d);
    }
    // The store hands records back in key order; re-establish last-seen order for eviction, and
    // shed the least recently seen of a store filled under a larger max_devices.
    restored.sort((a, b) => a.lastSec - b.lastSec);
    for (const d of restored.slice(Math.max(0, restored.length - this.opts.maxDevices))) this.table.add(d);
    this.counters.devices_evicted += Math.max(0, restored.length - this.opts.maxDevices);
  }

  onFrame(frame: DecodedFrame, out: Sink): void {
    const layers = frame.layers;
    let link: Layer | undefined;
    let ip: Layer | undefined;
    let arp: ArpView | undefined;
    const bySource = this.sourcesByLayer.size > 0 ? this.sourcesByLayer : undefined;
    const pl = this.pendingLayers;
    const ps = this.pendingSources;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!;
      if (bySource !== undefined) {
        const list = bySource.get(l.name);
        if (list !== undefined) for (const s of list) pl.push(l), ps.push(s);
      }
      switch (l.name) {
        case 'ethernet':
        case 'sll':
        case 'sll2':
          link ??= l;
          break;
        case 'ipv4':
        case 'ipv6':
          ip ??= l;
          break;
        case 'arp':
          arp ??= l as ArpView;
          break;
        case 'ieee80211':
          // wifi: an 802.11 data frame whose body decoded (LLC) names its sender as Ethernet does.
          if (l.nextKey >= 0) link ??= l;
          break;
      }
    }
    let srcMac = -1;
    let dstMac = -1;
    if (link !== undefined) {
      if (link.name === 'ethernet') {
        srcMac = (link as EthernetView).src;
        dstMac = (link as EthernetView).dst;
      } else if (link.name === 'ieee80211') {
        srcMac = (link as Ieee80211View).sa;
        dstMac = (link as Ieee80211View).da;
      } else {
        // Linux cooked captures carry the sender's link-layer address; a 6-byte one is a MAC
        // whatever the ARPHRD type, as tshark reads it too.
        const v = link as SllView | Sll2View;
        if (v.addressLength === 6) srcMac = v.mac;
      }
    }
    let dev: Device | undefined;
    if (srcMac > 0 && Math.floor(srcMac / FIRST_OCTET) % 2 === 0) dev = this.table.byMac.get(srcMac) ?? this.createMac(srcMac, frame, out);
    else if (srcMac === 0) out.count('inventory.zero_source_mac');
    else if (srcMac > 0) out.count('inventory.group_source_mac');
    if (ip !== undefined) {
      const a = this.attribution;
      dev = ip.name === 'ipv4' ? a.ipv4(ip as Ipv4View, srcMac >= 0, dev, dstMac, frame, out) : a.ipv6(ip as Ipv6View, srcMac >= 0, dev, dstMac, frame, out);
    } else if (arp !== undefined && dev !== undefined) {
      this.attribution.arp(arp, dev, out);
    }
    if (pl.length > 0) dev = this.runSources(frame, dev, out);
    if (dev === undefined) return;
    this.count(dev, frame);
  }

  /** Runs the frame's sighting sources; returns the device the frame counts towards. */
  private runSources(frame: DecodedFrame, sender: Device | undefined, out: Sink): Device | undefined {
    const pl = this.pendingLayers;
    const ps = this.pendingSources;
    this.curFrame = frame;
    this.curSender = sender;
    this.curCounted = sender;
    this.curOut = out;
    try {
      for (let i = 0; i < pl.length; i++) ps[i]!.extract(pl[i]!, frame, this.emit);
      return this.curCounted;
    } finally {
      pl.length = 0;
      ps.length = 0;
      this.curFrame = undefined;
      this.curSender = undefined;
      this.curCounted = undefined;
      this.curOut = undefined;
    }
  }

  /** Applies one sighting of the current frame (sighting.ts). */
  private apply(s: Sighting): void {
    const frame = this.curFrame;
    const out = this.curOut;
    if (frame === undefined || out === undefined) return;
    let dev: Device | undefined;
    if (s.subject === 'sender') dev = this.curSender;
    else {
      dev = this.findOrCreate(s.subject, s.ephemeral === true, frame, out);
      if (dev !== undefined && s.counts !== false) {
        if (this.curCounted === undefined) this.curCounted = dev;
        else if (this.curCounted !== dev) this.count(dev, frame);
      }
    }
    if (dev === undefined) {
      out.count('inventory.sightings_unattributed');
      return;
    }
    const table = this.table;
    if (s.also !== undefined) {
      for (const id of s.also) {
        // IP addresses are the attribution's (ARP proves them); a sighting may add MACs and non-address identifiers.
        if (id.kind === 'ipv4' || id.kind === 'ipv6') continue;
        const k = identifierKey(id);
        const owner = id.kind === 'mac' ? (table.byMac.get(macNumber(id.value)) ?? table.byKey.get(k)) : table.byKey.get(k);
        if (owner === dev) continue;
        if (owner !== undefined) out.count('inventory.identifier_moved');
        if (!table.addOther(dev, id)) out.count('inventory.identifiers_dropped');
      }
    }
    if (s.attrs !== undefined) for (const [name, obs] of s.attrs) table.observe(dev, name, obs);
    if (s.facts !== undefined) for (const f of s.facts) if (table.addFact(dev, f.key, f.value) === 2) out.count('inventory.facts_evicted');
  }

  /** The device a sighting names, created (and alerted, unless ephemeral) when new. */
  private findOrCreate(id: Identifier, ephemeral: boolean, frame: DecodedFrame, out: Sink): Device | undefined {
    const table = this.table;
    if (id.kind === 'mac') {
      const mac = macNumber(id.value);
      if (!Number.isFinite(mac)) return undefined;
      return table.byMac.get(mac) ?? this.createMac(mac, frame, out, ephemeral);
    }
    // An IP address names a device only once the inventory has attributed it (never from a sighting alone).
    if (id.kind === 'ipv4') {
      const n = parseIpv4Text(id.value);
      return n === undefined ? undefined : table.byIp4.get(n);
    }
    if (id.kind === 'ipv6') return table.byIp6.get(id.value);
    const found = table.byKey.get(identifierKey(id));
    if (found !== undefined) return found;
    const raw = frame.raw;
    const d = newDevice(id, -1, raw.tsSec, raw.tsNsec, table.tick);
    return this.create(d, frame, out, ephemeral);
  }

  private count(dev: Device, frame: DecodedFrame): void {
    const raw = frame.raw;
    dev.frames++;
    dev.bytes += raw.origLen;
    if (raw.tsSec > dev.lastSec || (raw.tsSec === dev.lastSec && raw.tsNsec > dev.lastNsec)) {
      dev.lastSec = raw.tsSec;
      dev.lastNsec = raw.tsNsec;
    }
    const src = dev.sources;
    if (src[src.length - 1] !== raw.source && !src.includes(raw.source) && src.length < MAX_SOURCES) src.push(raw.source);
    this.table.markDirty(dev);
    this.table.touch(dev);
  }

  onTick(nowSec: number, out: Sink): void {
    this.table.tick++;
    classifyChanged(this.table, this.classes, out);
    if (this.learningDirty && this.learningStart !== undefined) {
      out.put('devices', LEARNING_KEY, this.learningStart);
      this.learningDirty = false;
    }
    if (nowSec < this.nextDeltaSec) return;
    this.flush(out);
    this.nextDeltaSec = nowSec + this.opts.deltaIntervalS;
  }

  /** Follow the records of every delta (changed devices and removed ids); the listener must not keep the arrays. */
  watch(listener: (changed: readonly DeviceRecord[], removed: readonly Identifier[]) => void): void {
    this.watchers.push(listener);
  }

  /** Publishes and stores what changed since the last delta. Called on ticks and at shutdown. */
  flush(out: Sink): void {
    const table = this.table;
    // A replay ends with a flush and no tick after the last frames: classify what they taught.
    classifyChanged(table, this.classes, out);
    if (table.dirty.size === 0 && table.removed.size === 0 && table.removedUnlisted === 0) return;
    const devices: DeviceRecord[] = [];
    for (const d of table.dirty) {
      const r = toRecord(d);
      devices.push(r);
      out.put('devices', d.id, r);
      d.stored = true;
    }
    table.dirty.clear();
    const removed = [...table.removed.values()];
    const unlisted = table.removedUnlisted;
    table.removed.clear();
    table.removedUnlisted = 0;
    for (const w of this.watchers) w(devices, removed);
    // A flood can change thousands of devices in one interval: split so no message outgrows a broker's limit.
    const chunk = this.opts.snapshotChunk ?? 200;
    const parts = Math.max(1, Math.ceil(devices.length / chunk), Math.ceil(removed.length / (chunk * 5)));
    for (let p = 0; p < parts; p++) {
      out.publish('inventory-delta', {
        devices: devices.slice(p * chunk, (p + 1) * chunk),
        removed: removed.slice(p * chunk * 5, (p + 1) * chunk * 5),
        ...(p === 0 && unlisted > 0 ? { removedUnlisted: unlisted } : {}),
      });
    }
  }

  /** Publishes the whole table in chunks (the periodic full snapshot). */
  snapshot(out: Sink, reason: SnapshotReason = 'command'): void {
    if (reason === 'startup' && this.table.size === 0) return;
    const chunk = this.opts.snapshotChunk ?? 200;
    const all = this.records();
    const parts = Math.max(1, Math.ceil(all.length / chunk));
    for (let p = 0; p < parts; p++) {
      out.publish('inventory-snapshot', { devices: all.slice(p * chunk, (p + 1) * chunk), part: p, parts });
    }
  }

  gauges(): Record<string, number> {
    const out: Record<string, number> = { devices: this.table.size, ephemeral: this.table.ephemerals.size };
    for (const src of new Set([...this.sourcesByLayer.values()].flat())) {
      for (const [k, v] of Object.entries(src.gauges?.() ?? {})) out[`${src.name}.${k}`] = v;
    }
    return out;
  }

  /** Sizing keys are fixed while running: the table and its records are laid out for them. */
  reconfigure(config: Config): readonly string[] {
    return JSON.stringify(inventoryOptions(config)) === JSON.stringify({ ...this.opts, snapshotChunk: undefined }) ? [] : ['inventory'];
  }

  /** All devices as owned records, least recently seen first. */
  records(): DeviceRecord[] {
    return [...this.table.devices.values()].map(toRecord);
  }

  private createMac(mac: number, frame: DecodedFrame, out: Sink, ephemeral = false): Device {
    const raw = frame.raw;
    const dev = this.create(newDevice(macIdentifier(mac), mac, raw.tsSec, raw.tsNsec, this.table.tick), frame, out, ephemeral);
    const vendor = this.oui.lookup(mac);
    // The IEEE registry names the maker of the network interface, which is usually, not always, the device's.
    if (vendor !== undefined) this.table.observe(dev, 'vendor', { value: vendor, proto: 'oui', field: 'mac', time: raw.tsSec, confidence: Confidence.medium, source: raw.source });
    return dev;
  }

  private createIp4(ip: number, frame: DecodedFrame, out: Sink): Device {
    const raw = frame.raw;
    const dev = this.create(newDevice(ipv4Identifier(ip), -1, raw.tsSec, raw.tsNsec, this.table.tick), frame, out);
    this.table.addIpv4(dev, ip, false);
    return dev;
  }

  private createIp6(s: string, frame: DecodedFrame, out: Sink): Device {
    const raw = frame.raw;
    const dev = this.create(newDevice({ kind: 'ipv6', value: s }, -1, raw.tsSec, raw.tsNsec, this.table.tick), frame, out);
    this.table.addIpv6(dev, s);
    return dev;
  }

  private create(d: Device, frame: DecodedFrame, out: Sink, ephemeral = false): Device {
    const raw = frame.raw;
    if (this.learningStart === undefined) {
      this.learningStart = raw.tsSec;
      this.learningDirty = true;
    }
    if (ephemeral) {
      d.ephemeral = true;
      const cap = this.opts.maxEphemeral ?? Math.max(1, Math.floor(this.opts.maxDevices / 4));
      if (this.table.ephemerals.size >= cap) {
        const oldest = this.table.ephemerals.values().next().value;
        if (oldest !== undefined) {
          this.table.remove(oldest, out);
          this.counters.ephemeral_evicted++;
          out.count('inventory.ephemeral_evicted');
        }
      }
    }
    if (this.table.full) this.evictOne(raw.tsSec, out);
    this.table.add(d);
    this.table.markDirty(d);
    if (ephemeral) {
      // Randomised addresses come and go by design: counted, never alerted one by one.
      this.counters.ephemeral_new++;
      out.count('inventory.ephemeral_new');
      return d;
    }
    this.counters.devices_new++;
    out.count('inventory.devices_new');
    if (raw.tsSec >= this.learningStart + this.opts.learningPeriodS) {
      const facts: Record<string, string> = { source: raw.source };
      const vendor = d.mac >= 0 ? this.oui.lookup(d.mac) : undefined;
      if (vendor !== undefined) facts.vendor = vendor;
      out.alert({ code: 'inventory.new_device', device: d.id, time: raw.tsSec, facts });
    }
    return d;
  }

  private evictOne(nowSec: number, out: Sink): void {
    const victim = this.table.head();
    if (victim === undefined) return;
    this.table.remove(victim, out);
    this.counters.devices_evicted++;
    out.count('inventory.devices_evicted');
    out.alert({ code: 'inventory.table_full', device: 'sensor', time: nowSec, facts: { max_devices: this.opts.maxDevices, evicted: victim.id } });
  }
}
