/**
 * Server ports as fingerprint facts: `port.server` = "tcp/443" for the
 * device that answers on that port (sighting.ts; the class engine reads
 * them, e.g. tcp/104 for a DICOM node, tcp/9100 for a JetDirect printer).
 *
 * TCP: the sender of a SYN+ACK answers a SYN (RFC 9293 §3.5), so it serves
 * on its source port. This is proof, not a guess, and needs no state.
 *
 * UDP has no handshake. A datagram is taken as a response when it comes
 * from a service port (below 1024, or one of UDP_SERVICE_PORTS) to a port
 * that is neither (an ephemeral client port, RFC 6335 §6), or is one of the
 * fixed server-to-client pairs of DHCP (RFC 2131 §4.1: 67 -> 68) and
 * DHCPv6 (RFC 8415 §7.2: 547 -> 546). Peer-to-peer protocols that use the
 * same port on both sides (NTP 123/123, mDNS 5353/5353) prove nothing and
 * emit nothing.
 *
 * Only a local source address (inside the site networks, sites.ts) makes a
 * fact: a SYN+ACK from a remote server arrives with the router's MAC, and
 * the router serves nothing on that port.
 *
 * Bounded per device by the inventory: facts are distinct per key and
 * value and capped at MAX_FACTS_PER_DEVICE (oldest out). A repeat of the
 * same fact costs a lookup, not a slot.
 */
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { Ipv4View } from '../../decode/ipv4/index.js';
import type { Ipv6View } from '../../decode/ipv6/index.js';
import type { Sighting, SightingSource } from '../inventory/sighting.js';
import { SiteNetworks } from '../inventory/sites.js';

/** UDP services above 1023 that answer clients (IANA service names registry). */
export const UDP_SERVICE_PORTS: ReadonlySet<number> = new Set([
  1812, 1813, // RADIUS (RFC 2865 §3, RFC 2866 §3)
  1900, // SSDP unicast M-SEARCH responses (UPnP Device Architecture 2.0 §1.3.3)
  3478, // STUN (RFC 8489 §18.6)
  3702, // WS-Discovery ProbeMatches (WS-Discovery 1.1 §2.4)
  5060, // SIP (RFC 3261 §18.1.1)
  5683, // CoAP (RFC 7252 §6.1)
]);

function isServicePort(p: number): boolean {
  return p < 1024 || UDP_SERVICE_PORTS.has(p);
}

/** True when a UDP datagram from `sport` to `dport` is a server's response (see the file comment). */
export function udpResponse(sport: number, dport: number): boolean {
  if (sport === 67) return dport === 68;
  if (sport === 547) return dport === 546;
  if (sport === 0 || dport === 0) return false;
  return isServicePort(sport) && !isServicePort(dport);
}

/**
 * Facts are made once per port and protocol and reused: the inventory
 * copies what it keeps, and the same frozen object serves every frame.
 */
class FactCache {
  private readonly tcp = new Map<number, Sighting>();
  private readonly udp = new Map<number, Sighting>();

  get(proto: 'tcp' | 'udp', port: number): Sighting {
    const m = proto === 'tcp' ? this.tcp : this.udp;
    let s = m.get(port);
    if (s === undefined) {
      s = Object.freeze({ subject: 'sender', counts: false, facts: Object.freeze([Object.freeze({ key: 'port.server', value: `${proto}/${port}` })]) });
      m.set(port, s);
    }
    return s;
  }
}

export class ServerPortSource implements SightingSource {
  readonly name = 'server-port';
  readonly layers = ['tcp', 'udp'] as const;
  private readonly cache = new FactCache();
  private readonly sites: SiteNetworks;

  /** `siteNetworks`: the inventory's `site_networks` (the private ranges when absent). */
  constructor(siteNetworks?: readonly string[]) {
    this.sites = new SiteNetworks(siteNetworks);
  }

  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const sport = layer.altKey;
    const dport = layer.nextKey;
    if (layer.name === 'tcp') {
      // SYN and ACK set, RST not (RFC 9293 §3.1 flag bits of byte 13).
      const flags = (layer as unknown as { flags: number }).flags;
      if ((flags & 0x16) === 0x12 && sport !== 0 && this.localSource(frame, layer)) emit(this.cache.get('tcp', sport));
      return;
    }
    if (udpResponse(sport, dport) && this.localSource(frame, layer)) emit(this.cache.get('udp', sport));
  }

  /** The IP layer just outside `layer` has a local source address. */
  private localSource(frame: DecodedFrame, layer: Layer): boolean {
    const ls = frame.layers;
    const i = ls.indexOf(layer);
    const ip = i > 0 ? ls[i - 1]! : undefined;
    if (ip?.name === 'ipv4') return this.sites.isLocal4((ip as Ipv4View).src);
    if (ip?.name === 'ipv6') {
      const v = ip as Ipv6View;
      return this.sites.isLocal6(v.bytes, v.offset + 8);
    }
    return false;
  }
}
