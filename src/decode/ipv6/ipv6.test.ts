import t from 'tap';
import { concat, ethernet, hex, icmp, ipv6, tcp, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const A = '02:00:00:00:00:0a';
const B = '33:33:00:00:00:0c';
const eth = (p: Uint8Array): Uint8Array => ethernet({ src: A, dst: B, type: 0x86dd }, p);
const S = 'fe80::21b:21ff:fe3a:4f01';
const D = 'ff02::c';
// Ports with no route, so the walk ends at UDP (1900 would now be SSDP).
const dgram = udp({ sport: 40000, dport: 40001 }, new Uint8Array(12));

// SSDP over IPv6 as captured, first 48 bytes (fixed header, then UDP):
//   0000  60 00 00 00 00 a1 11 01 fe 80 00 00 00 00 00 00  `...............
//   0010  02 1b 21 ff fe 3a 4f 01 ff 02 00 00 00 00 00 00  ..!..:O.........
//   0020  00 00 00 00 00 00 00 0c d6 47 07 6c 00 a1 00 00  .........G.l....
const ssdpHead = hex(`6000000000a11101 fe80000000000000 021b21fffe3a4f01 ff02000000000000 000000000000000c
  d647076c00a10000`);

const cases: Case[] = [
  ['UDP, no extensions', eth(ipv6({ src: S, dst: D, next: 17, hopLimit: 1, flowLabel: 0xabcde, trafficClass: 0x2e }, dgram)), {
    layers: ['ethernet', 'ipv6', 'udp'],
    fields: {
      srcString: S, dstString: D, hopLimit: 1, flowLabel: 0xabcde, trafficClass: 0x2e, nextHeader: 17, protocol: 17,
      nextKey: 17, payloadOffset: 54, payloadLength: 20, srcOffset: 22, dstOffset: 38, extensionCount: 0, isFragment: false,
    },
  }],
  ['snapped real SSDP header', ssdpHead, {
    // UDP 1900 is SSDP now; the snap left no SSDP bytes, which is truncated, not malformed.
    layers: ['ipv6', 'udp'], anomaly: 'ssdp.truncated_header', linkType: 229, origLen: 201, truncated: true,
    fields: { srcString: 'fe80::21b:21ff:fe3a:4f01', dstString: 'ff02::c', payloadLength: 161, hopLimit: 1 },
  }],
  ['hop-by-hop then ICMPv6 (MLD)', eth(ipv6({ src: S, dst: D, next: 58, ext: [{ type: 0, body: hex('050200000100') }] }, icmp({ type: 143 }, new Uint8Array(0), true))), {
    layers: ['ethernet', 'ipv6', 'icmpv6'], fields: { nextHeader: 0, protocol: 58, extensionCount: 1, payloadOffset: 62 },
  }],
  ['routing, destination options, AH, then TCP', eth(ipv6({
    src: '2001:db8::1', dst: '2001:db8::2', next: 6, ext: [{ type: 43, body: new Uint8Array(14) }, { type: 60 }, { type: 51 }],
  }, tcp({ sport: 443, dport: 50000 }, new Uint8Array(0)))), {
    layers: ['ethernet', 'ipv6', 'tcp'], fields: { extensionCount: 3, protocol: 6, payloadOffset: 14 + 40 + 16 + 8 + 12, srcString: '2001:db8::1' },
  }],
  ['first fragment is routed', eth(ipv6({ src: S, dst: D, next: 17, ext: [{ type: 44, more: true, id: 77 }] }, dgram)), {
    layers: ['ethernet', 'ipv6', 'udp'], fields: { isFragment: true, moreFragments: true, fragmentOffset: 0, fragmentId: 77, nextKey: 17 },
  }],
  ['non-first fragment is not routed', eth(ipv6({ src: S, dst: D, next: 17, ext: [{ type: 44, offset: 100 }] }, dgram)), {
    layers: ['ethernet', 'ipv6'], fields: { fragmentOffset: 100, nextKey: -1, protocol: 17, moreFragments: false },
  }],
  ['extension header cut by the payload length', eth(ipv6({ src: S, dst: D, next: 17, payloadLength: 4, ext: [{ type: 60 }] }, dgram)), {
    layers: ['ethernet'], anomaly: 'ipv6.truncated_extension', truncated: false,
  }],
  ['extension header length beyond the packet', eth(ipv6({ src: S, dst: D, next: 17, ext: [{ type: 0, body: new Uint8Array(6) }] }, new Uint8Array(0)).map((b, i) => (i === 41 ? 9 : b))), {
    layers: ['ethernet'], anomaly: 'ipv6.truncated_extension',
  }],
  ['ESP stops the walk', eth(ipv6({ src: S, dst: D, next: 50 }, new Uint8Array(16))), {
    layers: ['ethernet', 'ipv6'], fields: { nextKey: 50 },
  }],
  ['version 4 in an IPv6 EtherType', eth(ipv6({ src: S, dst: D, next: 17 }, dgram).map((b, i) => (i === 0 ? 0x45 : b))), {
    layers: ['ethernet'], anomaly: 'ipv6.bad_version',
  }],
  ['payload length past the unsnapped frame: kept, with a warning', eth(ipv6({ src: S, dst: D, next: 17, payloadLength: 1000 }, dgram)), {
    layers: ['ethernet', 'ipv6', 'udp'], warnings: ['ipv6.bad_payload_length'], fields: { payloadEnd: 74 },
  }],
  ['payload length past a snapped frame: no warning', eth(ipv6({ src: S, dst: D, next: 17, payloadLength: 1000 }, dgram)), {
    layers: ['ethernet', 'ipv6', 'udp'], origLen: 1054, truncated: true,
  }],
  ['39 bytes', eth(new Uint8Array(39).fill(0x60, 0, 1)), { layers: ['ethernet'], anomaly: 'ipv6.truncated_header' }],
  ['raw IP picks IPv6 by its version nibble', ipv6({ src: '::1', dst: '::ffff:10.0.0.1', next: 17 }, dgram), {
    layers: ['ipv6', 'udp'], linkType: 101, fields: { srcString: '::1', dstString: '::ffff:10.0.0.1' },
  }],
];

runCases(t, 'ipv6', cases);

// Exact boundaries, on LINKTYPE_IPV6. Unlike IPv4, an upper-layer header
// with no bytes is malformed here, and tshark says so too ("Malformed
// Packet"), so TCP and UDP are still routed and report it.
const ip6 = (o: Partial<Parameters<typeof ipv6>[0]>, p: Uint8Array): Uint8Array => ipv6({ src: 'fe80::1', dst: 'fe80::2', next: 59, ...o }, p);
const lt = 229;
const u8 = udp({ sport: 1, dport: 2 }, new Uint8Array(0));
const boundaries: Case[] = [
  ['40 bytes, payload length 0, no next header', ip6({}, new Uint8Array(0)), { layers: ['ipv6'], linkType: lt, fields: { payloadEnd: 40, payloadOffset: 40, nextKey: 59 } }],
  ['39 bytes', ip6({}, new Uint8Array(0)).subarray(0, 39), { layers: [], linkType: lt, anomaly: 'ipv6.truncated_header' }],
  ['payload length equal to captured', ip6({ next: 17 }, u8), { layers: ['ipv6', 'udp'], linkType: lt, fields: { payloadLength: 8, payloadEnd: 48 } }],
  ['payload length one more than captured: kept, with a warning', ip6({ next: 17, payloadLength: 9 }, u8), {
    layers: ['ipv6', 'udp'], linkType: lt, warnings: ['ipv6.bad_payload_length'], fields: { payloadEnd: 48 },
  }],
  ['ends at the header, next header TCP (tshark: malformed)', ip6({ next: 6, payloadLength: 20 }, new Uint8Array(0)), {
    layers: ['ipv6'], linkType: lt, warnings: ['ipv6.bad_payload_length'], anomaly: 'tcp.truncated_header', truncated: false,
  }],
  ['ends at the header, snapped', ip6({ next: 6, payloadLength: 20 }, new Uint8Array(0)), { layers: ['ipv6'], linkType: lt, origLen: 60, anomaly: 'tcp.truncated_header', truncated: true }],
  ['extension header ends the payload, no next header', ip6({ ext: [{ type: 60 }] }, new Uint8Array(0)), {
    layers: ['ipv6'], linkType: lt, fields: { payloadOffset: 48, payloadEnd: 48, extensionCount: 1, nextHeaderChain: [60, 59] },
  }],
  ['extension header one byte short', ip6({ ext: [{ type: 60 }], payloadLength: 7 }, new Uint8Array(0)).subarray(0, 47), { layers: [], linkType: lt, anomaly: 'ipv6.truncated_extension' }],
  ['extension header with 1 byte (its length byte missing)', concat(ip6({ next: 0, payloadLength: 1 }, new Uint8Array(0)), new Uint8Array([59])), {
    layers: [], linkType: lt, anomaly: 'ipv6.truncated_extension',
  }],
  ['fragment header exactly 8 bytes, then TCP header exactly 20', ip6({ next: 6, ext: [{ type: 44, more: true }] }, tcp({ sport: 1, dport: 2 }, new Uint8Array(0))), {
    layers: ['ipv6', 'tcp'], linkType: lt, fields: { payloadOffset: 48, nextHeaderChain: [44, 6] },
  }],
  ['fragment header with 7 bytes', ip6({ next: 6, ext: [{ type: 44 }] }, new Uint8Array(0)).subarray(0, 47), {
    layers: [], linkType: lt, origLen: 48, anomaly: 'ipv6.truncated_extension', truncated: true,
  }],
];

runCases(t, 'ipv6', boundaries);
