/**
 * Which addresses belong to which device, and which are remote peers: the
 * rules of the inventory's header comment, frame by frame. A source address
 * on the ward belongs to its link-layer sender unless the sender forwards;
 * ARP proves (and moves) an IPv4 address; a remote source behind a MAC, or
 * more than a host's share of unproven ones, makes it a router.
 */
import type { Sink } from '../types.js';
import type { DecodedFrame } from '../../decode/types.js';
import type { Ipv4View } from '../../decode/ipv4/index.js';
import type { Ipv6View } from '../../decode/ipv6/index.js';
import type { ArpView } from '../../decode/arp/index.js';
import { ipv6String } from '../../decode/bytes.js';
import { Confidence } from './identity.js';
import type { SiteNetworks } from './sites.js';
import { MAX_SOURCES, type Device, type DeviceTable } from './table.js';

/** Unproven local source addresses (or routable IPv6 ones) behind one MAC beyond which it is taken for a router. */
const ROUTER_LOCAL_SOURCES = 4;

/** 0.0.0.0/8 (this network), 224.0.0.0/4 multicast and 240/4 (reserved, broadcast) never identify a host. */
export function isUsableIpv4(n: number): boolean {
  const a = n >>> 24;
  return a !== 0 && a < 224;
}

/** fe80::/10 in RFC 5952 text. */
function isLinkLocal6(s: string): boolean {
  return /^fe[89ab]/.test(s);
}

function isUnspecifiedIpv6(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 16; i++) if (b[o + i] !== 0) return false;
  return true;
}

/** What attribution asks of the inventory: devices for local addresses heard without a link layer, and a count. */
export interface AttributionHooks {
  ip4(ip: number, frame: DecodedFrame, out: Sink): Device;
  ip6(s: string, frame: DecodedFrame, out: Sink): Device;
  merged(): void;
}

export class Attribution {
  constructor(
    private readonly table: DeviceTable,
    private readonly sites: SiteNetworks,
    private readonly limits: { readonly maxIps: number; readonly maxPeers: number },
    private readonly create: AttributionHooks,
  ) {}

  /** The sender's IPv4 source belongs to it if local; a remote one means it forwards. */
  ipv4(v: Ipv4View, linkSender: boolean, dev: Device | undefined, dstMac: number, frame: DecodedFrame, out: Sink): Device | undefined {
    const src = v.src;
    const dst = v.dst;
    const srcOk = isUsableIpv4(src);
    const dstRemote = isUsableIpv4(dst) && !this.isLocal4(dst);
    if (linkSender) {
      if (dev === undefined) return undefined;
      if (srcOk) {
        if (this.isLocal4(src)) {
          if (!dev.router) this.claimIpv4(dev, src, false, frame, out);
        } else {
          this.becomeRouter(dev, frame, out);
          const to = dstMac > 0 ? this.table.byMac.get(dstMac) : undefined;
          if (to !== undefined && !to.router) this.addPeer4(to, src, out);
        }
      }
      if (dstRemote && !dev.router) this.addPeer4(dev, dst, out);
      return dev;
    }
    // No link layer: the IP address is the only identity, and only a local one makes a device.
    if (srcOk && this.isLocal4(src)) {
      const d = this.table.byIp4.get(src) ?? this.create.ip4(src, frame, out);
      if (dstRemote) this.addPeer4(d, dst, out);
      return d;
    }
    if (srcOk) {
      const to = this.table.byIp4.get(dst);
      if (to !== undefined) this.addPeer4(to, src, out);
      out.count('inventory.remote_sender_frames');
    }
    return undefined;
  }

  /** IPv6 as IPv4, but without ARP: a source is the sender's own unless the sender is known to forward. */
  ipv6(v: Ipv6View, linkSender: boolean, dev: Device | undefined, dstMac: number, frame: DecodedFrame, out: Sink): Device | undefined {
    const b = v.bytes;
    const so = v.srcOffset;
    const doff = v.dstOffset;
    const srcOk = b[so] !== 0xff && !isUnspecifiedIpv6(b, so);
    const dst = b[doff] !== 0xff && !isUnspecifiedIpv6(b, doff) && !this.sites.isLocal6(b, doff) ? ipv6String(b, doff) : undefined;
    if (linkSender) {
      if (dev === undefined) return undefined;
      if (srcOk) {
        // SLAAC hosts send from global addresses of their own; only a known router's are forwarded.
        const s = ipv6String(b, so);
        if (!dev.router) this.claimIpv6(dev, s, frame, out);
        else if (!this.sites.isLocal6(b, so)) {
          const to = dstMac > 0 ? this.table.byMac.get(dstMac) : undefined;
          if (to !== undefined && !to.router) this.addPeer6(to, s, out);
        }
      }
      if (dst !== undefined && !dev.router && !this.table.byIp6.has(dst)) this.addPeer6(dev, dst, out);
      return dev;
    }
    if (srcOk && this.sites.isLocal6(b, so)) {
      const s = ipv6String(b, so);
      const d = this.table.byIp6.get(s) ?? this.create.ip6(s, frame, out);
      if (dst !== undefined && !this.table.byIp6.has(dst)) this.addPeer6(d, dst, out);
      return d;
    }
    if (srcOk) {
      const to = this.table.byIp6.get(ipv6String(b, doff));
      if (to !== undefined) this.addPeer6(to, ipv6String(b, so), out);
      out.count('inventory.remote_sender_frames');
    }
    return undefined;
  }

  /** ARP (RFC 826) for Ethernet/IPv4: the sender's protocol address belongs to the sender's hardware address. */
  arp(a: ArpView, dev: Device, out: Sink): void {
    if (a.hardwareType !== 1 || a.protocolType !== 0x0800 || a.hardwareLength !== 6 || a.protocolLength !== 4) return;
    if (a.senderMac !== dev.mac) return;
    const spa = a.senderIp;
    if (isUsableIpv4(spa)) this.claimIpv4(dev, spa, true, undefined, out);
  }

  private isLocal4(ip: number): boolean {
    if (this.sites.isLocal4(ip)) return true;
    const d = this.table.byIp4.get(ip);
    return d !== undefined && d.ip4Proven[d.ipv4.indexOf(ip)] === true;
  }

  private claimIpv4(dev: Device, ip: number, proven: boolean, frame: DecodedFrame | undefined, out: Sink): void {
    const owner = this.table.byIp4.get(ip);
    if (owner === dev) {
      const i = dev.ipv4.indexOf(ip);
      if (proven && !dev.ip4Proven[i]) {
        dev.ip4Proven[i] = true;
        this.table.markDirty(dev);
      }
      return;
    }
    if (owner !== undefined) {
      if (owner.mac < 0) this.merge(owner, dev, out);
      else if (proven) {
        // ARP says the address moved to another MAC: the later, proven claim wins.
        this.table.dropIpv4(owner, owner.ipv4.indexOf(ip));
        out.count('inventory.ip_moved');
      } else return;
    }
    if (dev.ipv4.length + dev.ipv6.length >= this.limits.maxIps) {
      out.count('inventory.ips_not_kept');
      return;
    }
    this.table.addIpv4(dev, ip, proven);
    if (!proven && frame !== undefined && dev.ip4Proven.filter((p) => !p).length > ROUTER_LOCAL_SOURCES) this.becomeRouter(dev, frame, out);
  }

  private claimIpv6(dev: Device, s: string, frame: DecodedFrame | undefined, out: Sink): void {
    if (this.table.byIp6.has(s)) return;
    if (dev.ipv4.length + dev.ipv6.length >= this.limits.maxIps) {
      out.count('inventory.ips_not_kept');
      return;
    }
    this.table.addIpv6(dev, s);
    // A host has a few routable addresses (privacy extensions rotate them); more means forwarding.
    if (frame !== undefined && dev.ipv6.filter((a) => !isLinkLocal6(a)).length > ROUTER_LOCAL_SOURCES) this.becomeRouter(dev, frame, out);
  }

  /** It forwards traffic: role router, and only the addresses ARP proved stay its own. */
  private becomeRouter(dev: Device, frame: DecodedFrame, out: Sink): void {
    if (dev.router) return;
    dev.router = true;
    for (let i = dev.ipv4.length - 1; i >= 0; i--) if (!dev.ip4Proven[i]) this.table.dropIpv4(dev, i);
    // Without ARP for IPv6, only link-local addresses (never forwarded, RFC 4291 §2.5.6) stay its own.
    for (let i = dev.ipv6.length - 1; i >= 0; i--) if (!isLinkLocal6(dev.ipv6[i]!)) this.table.dropIpv6(dev, i);
    const t = frame.raw.tsSec;
    this.table.observe(dev, 'role', { value: 'router', proto: 'ip', field: 'forwarded source address', time: t, confidence: Confidence.strong, source: frame.raw.source });
    this.table.observe(dev, 'class', { value: 'network-infrastructure', proto: 'ip', field: 'forwarded source address', time: t, confidence: Confidence.medium, source: frame.raw.source });
    out.count('inventory.routers');
  }

  private addPeer4(d: Device, ip: number, out: Sink): void {
    this.addPeer(d, d.peers4, ip, out);
  }

  private addPeer6(d: Device, s: string, out: Sink): void {
    this.addPeer(d, d.peers6, s, out);
  }

  /** One remote peer more on `list` (the device's IPv4 or IPv6 peers), within max_peers_per_device over both. */
  private addPeer<T>(d: Device, list: T[], peer: T, out: Sink): void {
    if (list.includes(peer)) return;
    if (d.peers4.length + d.peers6.length >= this.limits.maxPeers) {
      out.count('inventory.peers_not_kept');
      return;
    }
    list.push(peer);
    this.table.markDirty(d);
  }

  /** A device known only by IP meets the MAC it belongs to: one device from now on. */
  private merge(from: Device, into: Device, out: Sink): void {
    this.table.remove(from, out);
    into.frames += from.frames;
    into.bytes += from.bytes;
    into.firstSec = Math.min(into.firstSec, from.firstSec);
    for (const s of from.sources) if (!into.sources.includes(s) && into.sources.length < MAX_SOURCES) into.sources.push(s);
    for (const ip of from.ipv6) this.claimIpv6(into, ip, undefined, out);
    for (const p of from.peers4) this.addPeer4(into, p, out);
    for (const p of from.peers6) this.addPeer6(into, p, out);
    for (const a of from.attrs) this.table.observe(into, a.name, a);
    this.create.merged();
    out.count('inventory.devices_merged');
    this.table.markDirty(into);
  }
}
