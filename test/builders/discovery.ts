/**
 * Frame builders for the wired discovery protocols (issue 7 part A): DHCPv4
 * and DHCPv6, DNS/mDNS/NBNS messages, SSDP and WS-Discovery text, LLDP,
 * LLC/SNAP and CDP. Each returns the bytes of its layer only; wrap them with
 * frames.ts (`ethernet`, `ipv4`, `udp`) for a whole frame. Nothing here is
 * checked against our own decoders: the conformance test writes these
 * frames to a pcap and has tshark read them back.
 */
import { concat, ethernet, ipv4, ipv6, parseIpv4, parseMac, udp, type Bytes } from './frames.js';

const enc = new TextEncoder();
const ascii = (s: string): Bytes => enc.encode(s);

function u16(n: number): Bytes {
  return new Uint8Array([(n >>> 8) & 0xff, n & 0xff]);
}

function u32(n: number): Bytes {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

// ---- DHCPv4 (RFC 2131 §2, RFC 2132) ----

export interface DhcpOpts {
  op?: number;
  xid?: number;
  chaddr: string;
  ciaddr?: string;
  yiaddr?: string;
  giaddr?: string;
  /** Options in order as [code, data]; an end option is appended unless `noEnd`. */
  options: ReadonlyArray<readonly [number, Bytes | string]>;
  noEnd?: boolean;
  /** Replace the magic cookie. */
  cookie?: number;
}

export function dhcp(o: DhcpOpts): Bytes {
  const h = new Uint8Array(240);
  h[0] = o.op ?? 1;
  h[1] = 1;
  h[2] = 6;
  h.set(u32(o.xid ?? 0x12345678), 4);
  h.set(parseIpv4(o.ciaddr ?? '0.0.0.0'), 12);
  h.set(parseIpv4(o.yiaddr ?? '0.0.0.0'), 16);
  h.set(parseIpv4(o.giaddr ?? '0.0.0.0'), 24);
  h.set(parseMac(o.chaddr), 28);
  h.set(u32(o.cookie ?? 0x63825363), 236);
  const opts = o.options.map(([c, d]) => {
    const b = typeof d === 'string' ? ascii(d) : d;
    return concat(new Uint8Array([c, b.length]), b);
  });
  return concat(h, ...opts, o.noEnd ? new Uint8Array(0) : new Uint8Array([255]));
}

/** Option 81 (RFC 4702): flags, rcode1, rcode2, then the name (ASCII, or wire format when flags has E). */
export function dhcpFqdn(flags: number, name: string): Bytes {
  const body = (flags & 4) !== 0 ? dnsName(name) : ascii(name);
  return concat(new Uint8Array([flags, 0, 0]), body);
}

// ---- DHCPv6 (RFC 8415 §8, §9) ----

export function dhcpv6(type: number, xid: number, options: ReadonlyArray<readonly [number, Bytes]>): Bytes {
  return concat(new Uint8Array([type, (xid >>> 16) & 0xff, (xid >>> 8) & 0xff, xid & 0xff]), ...options.map(([c, d]) => concat(u16(c), u16(d.length), d)));
}

export function dhcpv6Relay(type: number, inner: Bytes, hop = 0): Bytes {
  return concat(new Uint8Array([type, hop]), new Uint8Array(32), u16(9), u16(inner.length), inner);
}

/** DUID-LLT over Ethernet (RFC 8415 §11.2). */
export function duidLlt(mac: string, time = 0x2a2b2c2d): Bytes {
  return concat(u16(1), u16(1), u32(time), parseMac(mac));
}

/** Vendor class (option 16 data): enterprise number, then length-prefixed strings. */
export function vendorClass6(enterprise: number, ...data: string[]): Bytes {
  return concat(u32(enterprise), ...data.map((d) => concat(u16(d.length), ascii(d))));
}

// ---- DNS / mDNS / NBNS (RFC 1035 §4.1, RFC 6762, RFC 1002) ----

/** A name in wire format, uncompressed; a trailing pointer when `ptr` is given. */
export function dnsName(name: string, ptr?: number): Bytes {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts = labels.map((l) => concat(new Uint8Array([ascii(l).length]), ascii(l)));
  const tail = ptr === undefined ? new Uint8Array([0]) : new Uint8Array([0xc0 | (ptr >>> 8), ptr & 0xff]);
  return concat(...parts, tail);
}

export interface DnsRr {
  name: Bytes | string;
  type: number;
  cls?: number;
  ttl?: number;
  rdata?: Bytes;
}

export interface DnsOpts {
  id?: number;
  flags?: number;
  questions?: readonly DnsRr[];
  answers?: readonly DnsRr[];
  authorities?: readonly DnsRr[];
  additionals?: readonly DnsRr[];
  /** Override the four counts. */
  counts?: readonly [number, number, number, number];
}

export function dns(o: DnsOpts): Bytes {
  const q = o.questions ?? [];
  const an = o.answers ?? [];
  const ns = o.authorities ?? [];
  const ar = o.additionals ?? [];
  const c = o.counts ?? [q.length, an.length, ns.length, ar.length];
  const name = (n: Bytes | string): Bytes => (typeof n === 'string' ? dnsName(n) : n);
  const head = concat(u16(o.id ?? 0), u16(o.flags ?? 0), u16(c[0]), u16(c[1]), u16(c[2]), u16(c[3]));
  const qs = q.map((r) => concat(name(r.name), u16(r.type), u16(r.cls ?? 1)));
  const rr = (r: DnsRr): Bytes => {
    const d = r.rdata ?? new Uint8Array(0);
    return concat(name(r.name), u16(r.type), u16(r.cls ?? 1), u32(r.ttl ?? 120), u16(d.length), d);
  };
  return concat(head, ...qs, ...an.map(rr), ...ns.map(rr), ...ar.map(rr));
}

export function txtRdata(...items: string[]): Bytes {
  return concat(...items.map((s) => concat(new Uint8Array([ascii(s).length]), ascii(s))));
}

export function srvRdata(priority: number, weight: number, port: number, target: Bytes | string): Bytes {
  return concat(u16(priority), u16(weight), u16(port), typeof target === 'string' ? dnsName(target) : target);
}

/** RFC 1001 §14.1 first-level encoding of a NetBIOS name (padded with spaces to 15) and its suffix, with an optional scope. */
export function nbName(name: string, suffix: number, scope = ''): Bytes {
  const raw = new Uint8Array(16).fill(0x20);
  raw.set(ascii(name.toUpperCase()).subarray(0, 15), 0);
  raw[15] = suffix;
  const encd = new Uint8Array(33);
  encd[0] = 32;
  for (let i = 0; i < 16; i++) {
    encd[1 + 2 * i] = 0x41 + (raw[i]! >>> 4);
    encd[2 + 2 * i] = 0x41 + (raw[i]! & 15);
  }
  return concat(encd, scope === '' ? new Uint8Array([0]) : dnsName(scope));
}

// ---- SSDP, WS-Discovery ----

export function ssdp(startLine: string, headers: ReadonlyArray<readonly [string, string]>): Bytes {
  return ascii(`${startLine}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
}

export interface WsdOpts {
  action: string;
  body: string;
  prefix?: string;
}

/** A SOAP 1.2 envelope with the 2005/04 WS-Discovery namespaces, as Windows and DPWS stacks send. */
export function wsd(o: WsdOpts): Bytes {
  const s = o.prefix ?? 'soap';
  return ascii(
    `<?xml version="1.0" encoding="utf-8"?><${s}:Envelope xmlns:${s}="http://www.w3.org/2003/05/soap-envelope" ` +
    'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dpws="http://docs.oasis-open.org/ws-dd/ns/dpws/2009/01" xmlns:mdpws="http://standards.ieee.org/downloads/11073/11073-20702-2016">' +
    `<${s}:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>` +
    `<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/${o.action}</wsa:Action>` +
    `<wsa:MessageID>urn:uuid:0b0e8c1c-0000-4000-8000-000000000001</wsa:MessageID></${s}:Header>` +
    `<${s}:Body>${o.body}</${s}:Body></${s}:Envelope>`,
  );
}

// ---- LLDP (IEEE 802.1AB-2016 §8), LLC/SNAP, CDP ----

export function lldpTlv(type: number, value: Bytes): Bytes {
  return concat(u16((type << 9) | value.length), value);
}

export interface LldpOpts {
  chassisMac: string;
  portId: string;
  ttl?: number;
  sysName?: string;
  sysDescr?: string;
  portDescr?: string;
  /** [system, enabled] capability bits. */
  caps?: readonly [number, number];
  mgmtIpv4?: string;
  /** Extra TLVs before End. */
  extra?: readonly Bytes[];
  noEnd?: boolean;
}

export function lldp(o: LldpOpts): Bytes {
  const t: Bytes[] = [
    lldpTlv(1, concat(new Uint8Array([4]), parseMac(o.chassisMac))),
    lldpTlv(2, concat(new Uint8Array([5]), ascii(o.portId))),
    lldpTlv(3, u16(o.ttl ?? 120)),
  ];
  if (o.portDescr !== undefined) t.push(lldpTlv(4, ascii(o.portDescr)));
  if (o.sysName !== undefined) t.push(lldpTlv(5, ascii(o.sysName)));
  if (o.sysDescr !== undefined) t.push(lldpTlv(6, ascii(o.sysDescr)));
  if (o.caps !== undefined) t.push(lldpTlv(7, concat(u16(o.caps[0]), u16(o.caps[1]))));
  if (o.mgmtIpv4 !== undefined) {
    t.push(lldpTlv(8, concat(new Uint8Array([5, 1]), parseIpv4(o.mgmtIpv4), new Uint8Array([2]), u32(1), new Uint8Array([0]))));
  }
  t.push(...(o.extra ?? []));
  if (!o.noEnd) t.push(new Uint8Array([0, 0]));
  return concat(...t);
}

export function snap(oui: number, pid: number, payload: Bytes): Bytes {
  return concat(new Uint8Array([0xaa, 0xaa, 0x03, (oui >>> 16) & 0xff, (oui >>> 8) & 0xff, oui & 0xff]), u16(pid), payload);
}

export interface CdpOpts {
  deviceId: string;
  portId?: string;
  software?: string;
  platform?: string;
  caps?: number;
  addresses?: readonly string[];
  version?: number;
}

export function cdpTlv(type: number, value: Bytes): Bytes {
  return concat(u16(type), u16(value.length + 4), value);
}

export function cdp(o: CdpOpts): Bytes {
  const t: Bytes[] = [cdpTlv(1, ascii(o.deviceId))];
  if (o.addresses !== undefined) {
    t.push(cdpTlv(2, concat(u32(o.addresses.length), ...o.addresses.map((a) => concat(new Uint8Array([1, 1, 0xcc]), u16(4), parseIpv4(a))))));
  }
  if (o.portId !== undefined) t.push(cdpTlv(3, ascii(o.portId)));
  if (o.caps !== undefined) t.push(cdpTlv(4, u32(o.caps)));
  if (o.software !== undefined) t.push(cdpTlv(5, ascii(o.software)));
  if (o.platform !== undefined) t.push(cdpTlv(6, ascii(o.platform)));
  const body = concat(new Uint8Array([o.version ?? 2, 180, 0, 0]), ...t);
  // The checksum is the IP one over the PDU (Wireshark checks it; we do not).
  const sum = ipChecksum(body);
  body[2] = sum >>> 8;
  body[3] = sum & 0xff;
  return body;
}

function ipChecksum(d: Bytes): number {
  let s = 0;
  for (let i = 0; i + 1 < d.length; i += 2) s += (d[i]! << 8) | d[i + 1]!;
  if (d.length % 2) s += d[d.length - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** An 802.3 frame (length field) carrying `llc`. */
export function ether8023(src: string, dst: string, llc: Bytes): Bytes {
  return ethernet({ src, dst, type: llc.length }, llc);
}

// ---- whole frames ----

const M = { src: '00:1b:21:3a:4f:01', dst: '01:00:5e:00:00:fb' };

export function udp4Frame(sport: number, dport: number, payload: Bytes, src = '10.30.1.20', dst = '255.255.255.255', srcMac = M.src): Bytes {
  return ethernet({ src: srcMac, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0800 }, ipv4({ src, dst, proto: 17 }, udp({ sport, dport }, payload)));
}

export function udp6Frame(sport: number, dport: number, payload: Bytes, src = 'fe80::21b:21ff:fe3a:4f01', dst = 'ff02::1:2'): Bytes {
  return ethernet({ src: M.src, dst: '33:33:00:01:00:02', type: 0x86dd }, ipv6({ src, dst, next: 17 }, udp({ sport, dport }, payload)));
}
