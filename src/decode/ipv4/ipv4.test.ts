import t from 'tap';
import { ethernet, hex, ipv4, tcp, udp } from '../../../test/builders/frames.js';
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
  ['raw IP linktype 101', dhcpHead, {
    layers: ['ipv4', 'udp'], linkType: 101, origLen: 328, truncated: true,
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
