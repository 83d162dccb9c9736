import t from 'tap';
import { concat, ethernet, hex, ipv4, tcp, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const eth = (p: Uint8Array): Uint8Array => ethernet({ src: A, dst: B, type: 0x0800 }, p);
const seg = tcp({ sport: 51000, dport: 104 }, new Uint8Array(10));

// An IPv4/UDP packet from a real DHCP exchange, Ethernet stripped (raw IP, LINKTYPE 101):
//   0000  45 00 01 48 00 00 00 00 80 11 39 96 00 00 00 00  E..H......9.....
//   0010  ff ff ff ff 00 44 00 43 01 34 00 00              .....D.C.4..
const dhcpHead = hex('450001480000000080113996 00000000 ffffffff 0044 0043 0134 0000');

const cases: Case[] = [
  ['plain TCP', eth(ipv4({ src: '10.0.0.1', dst: '192.168.200.254', proto: 6, ttl: 128, id: 0x1234, flags: 2 }, seg)), {
    layers: ['ethernet', 'ipv4', 'tcp'],
    fields: {
      srcString: '10.0.0.1', dstString: '192.168.200.254', dst: 0xc0a8c8fe, ttl: 128, protocol: 6, id: 0x1234,
      dontFragment: true, moreFragments: false, fragmentOffset: 0, headerLength: 20, totalLength: 50,
      payloadOffset: 34, payloadEnd: 64, nextKey: 6, isFragment: false,
    },
  }],
  ['ethernet padding is not payload', new Uint8Array([...eth(ipv4({ src: '1.2.3.4', dst: '5.6.7.8', proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(0)))), 0, 0, 0, 0, 0, 0]), {
    layers: ['ethernet', 'ipv4', 'udp'], fields: { payloadEnd: 42 },
  }],
  ['options: IHL 6', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, options: hex('94040000') }, seg)), {
    layers: ['ethernet', 'ipv4', 'tcp'], fields: { headerLength: 24, payloadOffset: 38, optionsOffset: 34 },
  }],
  ['first fragment is routed', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, flags: 1 }, seg)), {
    layers: ['ethernet', 'ipv4', 'tcp'], fields: { moreFragments: true, isFragment: true, nextKey: 6 },
  }],
  ['non-first fragment is not routed', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, fragOffset: 185 }, seg)), {
    layers: ['ethernet', 'ipv4'], fields: { fragmentOffset: 185, nextKey: -1, protocol: 6, isFragment: true },
  }],
  // DHCP is routed now (issue 7): its decoder finds nothing captured, a truncation, not malformed.
  ['raw IP linktype 101', dhcpHead, {
    layers: ['ipv4', 'udp'], anomaly: 'dhcp.truncated_header', linkType: 101, origLen: 328, truncated: true,
    fields: { srcString: '0.0.0.0', dstString: '255.255.255.255', ttl: 128, totalLength: 328, payloadEnd: 28 },
  }],
  ['LINKTYPE_IPV4 228', ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, seg), { layers: ['ipv4', 'tcp'], linkType: 228 }],
  ['version 5 in an IPv4 EtherType', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, version: 5 }, seg)), {
    layers: ['ethernet'], anomaly: 'ipv4.bad_version',
  }],
  ['IHL 4', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, ihl: 4 }, seg)), {
    layers: ['ethernet'], anomaly: 'ipv4.bad_ihl',
  }],
  ['IHL 15 with 30 bytes of packet', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, ihl: 15 }, new Uint8Array(10))), {
    layers: ['ethernet'], anomaly: 'ipv4.truncated_header', truncated: false,
  }],
  ['total length below the header', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, totalLength: 19 }, seg)), {
    layers: ['ethernet'], anomaly: 'ipv4.bad_total_length',
  }],
  // Old captures hold frames cut without saying so (wireshark-wiki telnet-raw.pcap): the header
  // is kept with a warning and the walk goes on, as tshark does.
  ['total length past the unsnapped frame: kept, with a warning', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, totalLength: 1500 }, seg)), {
    layers: ['ethernet', 'ipv4', 'tcp'], warnings: ['ipv4.bad_total_length'], truncated: false, fields: { payloadEnd: 64, totalLength: 1500 },
  }],
  ['total length past a snapped frame is clamped', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, totalLength: 1500 }, seg)), {
    layers: ['ethernet', 'ipv4', 'tcp'], origLen: 1514, truncated: true, fields: { payloadEnd: 64 },
  }],
  ['total length 0 (TSO capture) runs to the end', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, totalLength: 0 }, seg)), {
    layers: ['ethernet', 'ipv4', 'tcp'], fields: { payloadEnd: 64 },
  }],
  ['19 bytes', eth(hex('4500001400000000401100000a0000010a0000')), { layers: ['ethernet'], anomaly: 'ipv4.truncated_header' }],
  ['unrouted protocol (GRE) stops quietly', eth(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 47 }, new Uint8Array(8))), {
    layers: ['ethernet', 'ipv4'], fields: { nextKey: 47 },
  }],
];

runCases(t, 'ipv4', cases);

t.test('the builder writes a valid header checksum (RFC 1071: the sum over the header is 0xffff)', async (t) => {
  const h = ipv4({ src: '192.168.0.1', dst: '192.168.0.199', proto: 17, id: 0xabcd, ttl: 3 }, new Uint8Array(0));
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (h[i]! << 8) | h[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  t.equal(sum, 0xffff);
});

// Exact boundaries, on LINKTYPE_IPV4 so nothing but IPv4 decides. RFC 791
// §3.1: Total Length counts the header, so total length = IHL * 4 is a valid
// datagram with no data; nothing is routed after it, and it is no anomaly.
const ip = (o: Partial<Parameters<typeof ipv4>[0]>, p: Uint8Array): Uint8Array => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, ...o }, p);
const u8 = udp({ sport: 1, dport: 2 }, new Uint8Array(0));
const lt = 228;
const boundaries: Case[] = [
  ['20 bytes, total length 20 (empty TCP datagram)', ip({}, new Uint8Array(0)), { layers: ['ipv4'], linkType: lt, fields: { totalLength: 20, payloadEnd: 20, nextKey: -1 } }],
  ['20 bytes, total length 20, UDP', ip({ proto: 17 }, new Uint8Array(0)), { layers: ['ipv4'], linkType: lt, fields: { nextKey: -1 } }],
  ['20 bytes, total length 20, ICMP', ip({ proto: 1 }, new Uint8Array(0)), { layers: ['ipv4'], linkType: lt, fields: { nextKey: -1 } }],
  ['total length 20 then trailer bytes: the trailer is not a TCP header', concat(ip({}, new Uint8Array(0)), new Uint8Array(26)), {
    layers: ['ipv4'], linkType: lt, fields: { payloadEnd: 20, nextKey: -1 },
  }],
  ['IHL 6, total length 24', ip({ options: new Uint8Array([1, 1, 1, 0]) }, new Uint8Array(0)), { layers: ['ipv4'], linkType: lt, fields: { headerLength: 24, payloadEnd: 24, nextKey: -1 } }],
  ['19 bytes', ip({}, new Uint8Array(0)).subarray(0, 19), { layers: [], linkType: lt, anomaly: 'ipv4.truncated_header' }],
  ['IHL 6 with 23 bytes', ip({ options: new Uint8Array([1, 1, 1, 0]) }, new Uint8Array(0)).subarray(0, 23), { layers: [], linkType: lt, anomaly: 'ipv4.truncated_header' }],
  ['total length 19 (one below the header)', ip({ totalLength: 19 }, new Uint8Array(0)), { layers: [], linkType: lt, anomaly: 'ipv4.bad_total_length' }],
  ['total length equal to the bytes captured', ip({ proto: 17 }, u8), { layers: ['ipv4', 'udp'], linkType: lt, fields: { totalLength: 28, payloadEnd: 28 } }],
  ['total length one more than captured: kept, with a warning', ip({ proto: 17, totalLength: 29 }, u8), {
    layers: ['ipv4', 'udp'], linkType: lt, warnings: ['ipv4.bad_total_length'], fields: { payloadEnd: 28 },
  }],
  // Unsnapped and ending at the header: no data to decode, as in tshark; the length is still wrong.
  ['ends at the header, total length 40', ip({ totalLength: 40 }, new Uint8Array(0)), {
    layers: ['ipv4'], linkType: lt, warnings: ['ipv4.bad_total_length'], truncated: false, fields: { nextKey: -1 },
  }],
  // Snapped at the header: the data was on the wire, so TCP is tried and says it was cut.
  ['ends at the header, snapped, total length 40', ip({ totalLength: 40 }, new Uint8Array(0)), {
    layers: ['ipv4'], linkType: lt, origLen: 40, anomaly: 'tcp.truncated_header', truncated: true,
  }],
  ['ends at the header, total length 0 (TSO)', ip({ totalLength: 0 }, new Uint8Array(0)), { layers: ['ipv4'], linkType: lt, fields: { nextKey: -1 } }],
  ['total length 20 in a snapped frame: still empty', ip({}, new Uint8Array(0)), { layers: ['ipv4'], linkType: lt, origLen: 60, truncated: true, fields: { nextKey: -1 } }],
];

runCases(t, 'ipv4', boundaries);
