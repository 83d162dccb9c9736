/**
 * Which addresses belong to the ward (devices) and which are remote (peers).
 *
 * With `inventory.site_networks` configured, those CIDRs are local. Without
 * it, the private ranges are: RFC 1918 for IPv4 and RFC 4193 unique local
 * addresses for IPv6. Link-local addresses (RFC 3927 169.254/16, RFC 4291
 * §2.5.6 fe80::/10) are always local: they never cross a router. On top of
 * either, the inventory treats an address that ARP proved on this segment as
 * local whatever its range.
 */

import { parseIpv4Text, parseIpv6Text } from '../../telemetry/ident.js';

interface Net4 {
  readonly net: number;
  readonly mask: number;
}
interface Net6 {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

const PRIVATE4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const PRIVATE6 = ['fc00::/7'];
const LINK_LOCAL4: Net4 = { net: 0xa9fe0000, mask: 0xffff0000 };

/** Parses `a.b.c.d/n` or an IPv6 `x::y/n`; undefined when it is neither. */
export function parseCidr(s: string): { v: 4; net: Net4 } | { v: 6; net: Net6 } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const bitsText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const v4 = parseIpv4Text(addr);
  if (v4 !== undefined) {
    if (bits > 32) return undefined;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return { v: 4, net: { net: (v4 & mask) >>> 0, mask } };
  }
  const v6 = parseIpv6Text(addr);
  if (v6 === undefined || bits > 128) return undefined;
  return { v: 6, net: { bytes: v6, bits } };
}

export class SiteNetworks {
  private readonly v4: Net4[] = [LINK_LOCAL4];
  private readonly v6: Net6[] = [];
  /** True when the networks came from the configuration, not the private-range default. */
  readonly configured: boolean;

  constructor(cidrs: readonly string[] | undefined) {
    this.configured = cidrs !== undefined && cidrs.length > 0;
    for (const c of this.configured ? cidrs! : [...PRIVATE4, ...PRIVATE6]) {
      const p = parseCidr(c);
      if (p === undefined) throw new RangeError(`site network ${JSON.stringify(c)} is not a CIDR`);
      if (p.v === 4) this.v4.push(p.net);
      else this.v6.push(p.net);
    }
  }

  isLocal4(ip: number): boolean {
    for (const n of this.v4) if (((ip & n.mask) >>> 0) === n.net) return true;
    return false;
  }

  /** The 16 bytes at `o` of `b`. */
  isLocal6(b: Uint8Array, o: number): boolean {
    // fe80::/10 link-local, always.
    if (b[o] === 0xfe && (b[o + 1]! & 0xc0) === 0x80) return true;
    for (const n of this.v6) if (prefixMatch(b, o, n)) return true;
    return false;
  }
}

function prefixMatch(b: Uint8Array, o: number, n: Net6): boolean {
  let bits = n.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((b[o + i]! & mask) !== (n.bytes[i]! & mask)) return false;
  }
  return true;
}
