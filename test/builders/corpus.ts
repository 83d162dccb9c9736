/**
 * A synthetic corpus for the branches the public captures hardly reach
 * (2 VLAN frames, no ICMP errors, few IPv6 extension headers): VLAN and QinQ,
 * ICMP and ICMPv6 errors quoting an inner datagram (RFC 792, RFC 4443 §3),
 * IPv6 extension-header chains (RFC 8200 §4: hop-by-hop, routing, fragment,
 * destination options), every TCP flag, ARP requests and replies, and
 * exact-boundary lengths. Each case is one Ethernet frame; `corpusPcap()`
 * writes them as a classic pcap so tshark can read the same bytes.
 */
import { pcapFile } from '../../src/capture/pcap/writer.js';
import { arp, concat, ethernet, icmp, ipv4, ipv6, tcp, TCP_FLAGS, udp, type Bytes, type Ipv6Ext, type VlanTag } from './frames.js';

export interface CorpusCase {
  readonly name: string;
  readonly bytes: Bytes;
}

const A = '02:1a:fa:00:00:0a';
const B = '02:1a:fa:00:00:0b';
const V4A = '10.20.0.10';
const V4B = '10.20.0.11';
const V6A = '2001:db8::a';
const V6B = '2001:db8::b';

const eth4 = (p: Bytes, vlan?: VlanTag | readonly VlanTag[]): Bytes => ethernet({ src: A, dst: B, type: 0x0800, ...(vlan ? { vlan } : {}) }, p);
const eth6 = (p: Bytes, vlan?: VlanTag | readonly VlanTag[]): Bytes => ethernet({ src: A, dst: B, type: 0x86dd, ...(vlan ? { vlan } : {}) }, p);
const udp4 = (dport: number, n = 12): Bytes => ipv4({ src: V4A, dst: V4B, proto: 17 }, udp({ sport: 40001, dport, checksumWith: { src: V4A, dst: V4B } }, new Uint8Array(n)));
const tcp4 = (flags: number, n = 0): Bytes => ipv4({ src: V4A, dst: V4B, proto: 6 }, tcp({ sport: 40002, dport: 104, flags, checksumWith: { src: V4A, dst: V4B } }, new Uint8Array(n)));
const udp6 = (ext: readonly Ipv6Ext[], dport = 5683): Bytes =>
  ipv6({ src: V6A, dst: V6B, next: 17, ext }, udp({ sport: 40003, dport, checksumWith: { src: V6A, dst: V6B } }, new Uint8Array(9)));
const tcp6 = (ext: readonly Ipv6Ext[]): Bytes =>
  ipv6({ src: V6A, dst: V6B, next: 6, ext }, tcp({ sport: 40004, dport: 2575, flags: TCP_FLAGS.SYN, checksumWith: { src: V6A, dst: V6B } }, new Uint8Array(0)));

/** An ICMPv4 error from a router, quoting the IP header and first 8 bytes of `inner` (RFC 792, RFC 1122 §3.2.2). */
function icmp4Error(type: number, code: number, inner: Bytes, rest = 0): Bytes {
  const hl = (inner[0]! & 0x0f) * 4;
  return ipv4({ src: '10.20.0.1', dst: V4A, proto: 1 }, icmp({ type, code, rest }, inner.subarray(0, hl + 8)));
}

/** An ICMPv6 error quoting as much of `inner` as fits (RFC 4443 §2.4 (c)); here all of it. */
function icmp6Error(type: number, code: number, inner: Bytes, rest = 0): Bytes {
  return ipv6({ src: '2001:db8::1', dst: V6A, next: 58 }, icmp({ type, code, rest }, inner, true));
}

const ECHO = 0x1234_0001;

/** The cases, in file order. Names say what each exercises. */
export function corpusCases(): CorpusCase[] {
  const c: [string, Bytes][] = [
    // VLAN (IEEE 802.1Q-2018 §9.6) and QinQ (802.1ad S-tag outside a C-tag).
    ['802.1Q IPv4/UDP', eth4(udp4(2575), { vid: 100, pcp: 5 })],
    ['802.1Q VID 4094 DEI IPv6/TCP', eth6(tcp6([]), { vid: 4094, dei: true })],
    ['802.1Q priority tag (VID 0) ARP', ethernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806, vlan: { vid: 0, pcp: 6 } },
      arp({ op: 1, senderMac: A, senderIp: V4A, targetMac: '00:00:00:00:00:00', targetIp: V4B }))],
    ['QinQ 88a8+8100 IPv4/TCP', eth4(tcp4(TCP_FLAGS.SYN), [{ vid: 10, tpid: 0x88a8 }, { vid: 200 }])],
    ['QinQ 88a8+8100 IPv6/UDP', eth6(udp6([]), [{ vid: 11, tpid: 0x88a8 }, { vid: 201, pcp: 3 }])],
    ['triple tag 9100+88a8+8100 IPv4/UDP', eth4(udp4(53), [{ vid: 1, tpid: 0x9100 }, { vid: 2, tpid: 0x88a8 }, { vid: 3 }])],
    // ICMPv4: echo and the error types (RFC 792) with their quoted datagrams.
    ['ICMP echo request', eth4(ipv4({ src: V4A, dst: V4B, proto: 1 }, icmp({ type: 8, rest: ECHO }, new Uint8Array(16))))],
    ['ICMP echo reply', eth4(ipv4({ src: V4B, dst: V4A, proto: 1 }, icmp({ type: 0, rest: ECHO }, new Uint8Array(16))))],
    ['ICMP port unreachable quoting UDP', eth4(icmp4Error(3, 3, udp4(161)))],
    ['ICMP fragmentation needed quoting TCP', eth4(icmp4Error(3, 4, tcp4(TCP_FLAGS.ACK, 100), 1400))],
    ['ICMP host unreachable quoting ICMP echo', eth4(icmp4Error(3, 1, ipv4({ src: V4A, dst: '10.20.9.9', proto: 1 }, icmp({ type: 8, rest: ECHO }, new Uint8Array(8)))))],
    ['ICMP time exceeded quoting UDP', eth4(icmp4Error(11, 0, udp4(33434)))],
    ['ICMP redirect quoting TCP', eth4(icmp4Error(5, 1, tcp4(TCP_FLAGS.SYN), 0x0a140002))],
    ['ICMP parameter problem quoting UDP', eth4(icmp4Error(12, 0, udp4(514), 0x14000000))],
    ['ICMP source quench quoting TCP', eth4(icmp4Error(4, 0, tcp4(TCP_FLAGS.PSH | TCP_FLAGS.ACK, 10)))],
    ['ICMP error inside 802.1Q', eth4(icmp4Error(3, 13, udp4(2575)), { vid: 30 })],
    // ICMPv6 (RFC 4443): informational and error messages.
    ['ICMPv6 echo request', eth6(ipv6({ src: V6A, dst: V6B, next: 58 }, icmp({ type: 128, rest: ECHO }, new Uint8Array(8), true)))],
    ['ICMPv6 echo reply', eth6(ipv6({ src: V6B, dst: V6A, next: 58 }, icmp({ type: 129, rest: ECHO }, new Uint8Array(8), true)))],
    ['ICMPv6 destination unreachable (port) quoting UDP', eth6(icmp6Error(1, 4, udp6([])))],
    ['ICMPv6 packet too big quoting TCP', eth6(icmp6Error(2, 0, tcp6([]), 1280))],
    ['ICMPv6 time exceeded quoting UDP with hop-by-hop', eth6(icmp6Error(3, 0, udp6([{ type: 0 }])))],
    ['ICMPv6 parameter problem quoting a fragment', eth6(icmp6Error(4, 1, udp6([{ type: 44, more: true, id: 7 }]), 40))],
    ['ICMPv6 error inside QinQ', eth6(icmp6Error(1, 3, udp6([])), [{ vid: 12, tpid: 0x88a8 }, { vid: 202 }])],
    // IPv6 extension-header chains (RFC 8200 §4.1 order, and some out of it).
    ['IPv6 hop-by-hop then UDP', eth6(udp6([{ type: 0 }]))],
    ['IPv6 hop-by-hop then ICMPv6 (MLD-like)', eth6(ipv6({ src: 'fe80::a', dst: 'ff02::16', next: 58, ext: [{ type: 0, body: new Uint8Array([5, 2, 0, 0, 1, 0]) }] },
      icmp({ type: 143 }, new Uint8Array(20), true)))],
    ['IPv6 routing then TCP', eth6(tcp6([{ type: 43 }]))],
    ['IPv6 destination options then UDP', eth6(udp6([{ type: 60 }]))],
    ['IPv6 first fragment then UDP', eth6(udp6([{ type: 44, offset: 0, more: true, id: 0xabcd }]))],
    ['IPv6 non-first fragment', eth6(udp6([{ type: 44, offset: 100, more: false, id: 0xabcd }]))],
    ['IPv6 hop-by-hop, destination options, routing, fragment, destination options, TCP', eth6(tcp6([
      { type: 0 }, { type: 60 }, { type: 43 }, { type: 44, more: true, id: 9 }, { type: 60 }]))],
    ['IPv6 hop-by-hop with a 16-byte header then routing then UDP', eth6(udp6([{ type: 0, body: new Uint8Array(14) }, { type: 43 }]))],
    ['IPv6 fragment then ICMPv6 inside 802.1Q', eth6(ipv6({ src: V6A, dst: V6B, next: 58, ext: [{ type: 44, more: true, id: 3 }] },
      icmp({ type: 128, rest: ECHO }, new Uint8Array(8), true)), { vid: 40 })],
    ['IPv6 no next header', eth6(ipv6({ src: V6A, dst: V6B, next: 59, ext: [{ type: 60 }] }, new Uint8Array(0)))],
    // TCP flags (RFC 9293 §3.1, RFC 3168 §6.1), one bit and the usual pairs.
    ...Object.entries(TCP_FLAGS).map(([n, bit]): [string, Bytes] => [`TCP ${n}`, eth4(tcp4(bit))]),
    ['TCP SYN+ACK', eth4(tcp4(TCP_FLAGS.SYN | TCP_FLAGS.ACK))],
    ['TCP FIN+ACK', eth4(tcp4(TCP_FLAGS.FIN | TCP_FLAGS.ACK))],
    ['TCP RST+ACK', eth4(tcp4(TCP_FLAGS.RST | TCP_FLAGS.ACK))],
    ['TCP SYN+ECE+CWR', eth4(tcp4(TCP_FLAGS.SYN | TCP_FLAGS.ECE | TCP_FLAGS.CWR))],
    ['TCP no flags', eth4(tcp4(0))],
    ['TCP all flags', eth4(tcp4(0xff))],
    // ARP (RFC 826): request, reply, gratuitous.
    ['ARP request', ethernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, arp({ op: 1, senderMac: A, senderIp: V4A, targetMac: '00:00:00:00:00:00', targetIp: V4B }))],
    ['ARP reply', ethernet({ src: B, dst: A, type: 0x0806 }, arp({ op: 2, senderMac: B, senderIp: V4B, targetMac: A, targetIp: V4A }))],
    ['ARP gratuitous', ethernet({ src: B, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, arp({ op: 1, senderMac: B, senderIp: V4B, targetMac: 'ff:ff:ff:ff:ff:ff', targetIp: V4B }))],
    // Exact boundaries (RFC 791 §3.1, RFC 768): empty payloads and lengths at their minimum.
    ['IPv4 total length = header length, TCP', eth4(ipv4({ src: V4A, dst: V4B, proto: 6 }, new Uint8Array(0)))],
    ['IPv4 total length = header length, UDP, Ethernet padding', concat(eth4(ipv4({ src: V4A, dst: V4B, proto: 17 }, new Uint8Array(0))), new Uint8Array(26))],
    ['IPv4 total length = header length with options', eth4(ipv4({ src: V4A, dst: V4B, proto: 1, options: new Uint8Array([1, 1, 1, 0]) }, new Uint8Array(0)))],
    ['UDP length 8 (no data)', eth4(ipv4({ src: V4A, dst: V4B, proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(0))))],
    ['UDP length 8, Ethernet padding', concat(eth4(ipv4({ src: V4A, dst: V4B, proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(0)))), new Uint8Array(18))],
    ['TCP header only', eth4(tcp4(TCP_FLAGS.ACK))],
    ['ICMP header only', eth4(ipv4({ src: V4A, dst: V4B, proto: 1 }, icmp({ type: 8 }, new Uint8Array(0))))],
    ['IPv6 payload length 0, no next header', eth6(ipv6({ src: V6A, dst: V6B, next: 59 }, new Uint8Array(0)))],
    ['IPv6 extension header ends the payload', eth6(ipv6({ src: V6A, dst: V6B, next: 17, ext: [{ type: 60 }] }, new Uint8Array(0)))],
  ];
  return c.map(([name, bytes]) => ({ name, bytes }));
}

/** The corpus as a classic pcap (LINKTYPE_ETHERNET), one frame a second. */
export function corpusPcap(cases: readonly CorpusCase[] = corpusCases()): Uint8Array {
  return pcapFile(1, cases.map((k, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, bytes: k.bytes })));
}
