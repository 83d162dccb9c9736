import t from 'tap';
import { ethernet, hex, ipv4, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const pkt = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 5000, dport: 2575 }, new Uint8Array(3)));

const cases: Case[] = [
  ['802.1Q tag, VID 100 PCP 5', ethernet({ src: A, dst: B, type: 0x0800, vlan: { vid: 100, pcp: 5 } }, pkt), {
    layers: ['ethernet', 'vlan', 'ipv4', 'udp'], fields: { vid: 100, pcp: 5, dei: false, etherType: 0x0800 },
  }],
  ['QinQ: 802.1ad S-tag then C-tag', ethernet({
    src: A, dst: B, type: 0x0800, vlan: [{ vid: 10, tpid: 0x88a8 }, { vid: 4094, dei: true }],
  }, pkt), { layers: ['ethernet', 'vlan', 'vlan', 'ipv4', 'udp'] }],
  ['pre-standard 0x9100 outer tag', ethernet({ src: A, dst: B, type: 0x0806, vlan: [{ vid: 7, tpid: 0x9100 }] }, hex('0001')), {
    layers: ['ethernet', 'vlan'], anomaly: 'arp.truncated', fields: { vid: 7 },
  }],
  // dst, src, TPID 8100, TCI only: the inner type is missing.
  //   0000  02 00 00 00 00 0b 02 00 00 00 00 0a 81 00 00 64  ...............d
  ['tag cut after the TCI', hex('02000000000b 02000000000a 8100 0064'), {
    layers: ['ethernet'], anomaly: 'vlan.truncated_header',
  }],
  ['inner 802.3 length', ethernet({ src: A, dst: B, type: 4, vlan: { vid: 1 } }, hex('aaaa0300 ffff')), {
    layers: ['ethernet', 'vlan'], anomaly: 'llc.truncated_header', fields: { etherType: -1, nextKey: 0x10000, payloadEnd: 22 },
  }],
];

runCases(t, 'vlan', cases);

// Exact boundaries: the 4-byte tag (IEEE 802.1Q-2018 §9.6), one byte less,
// a frame that ends at the tag, and an inner 802.3 length equal to the bytes
// captured and one more.
const tagged = (type: number, p: Uint8Array): Uint8Array => ethernet({ src: A, dst: B, type, vlan: { vid: 9 } }, p);
const boundaries: Case[] = [
  ['tag only, unknown inner type', tagged(0x88b5, new Uint8Array(0)), { layers: ['ethernet', 'vlan'], fields: { payloadOffset: 18, payloadEnd: 18, nextKey: 0x88b5 } }],
  ['3 bytes of tag', tagged(0x88b5, new Uint8Array(0)).subarray(0, 17), { layers: ['ethernet'], anomaly: 'vlan.truncated_header' }],
  ['ends at the tag with inner IPv4 (tshark: malformed too)', tagged(0x0800, new Uint8Array(0)), { layers: ['ethernet', 'vlan'], anomaly: 'ipv4.truncated_header' }],
  ['ends at the outer tag of QinQ', ethernet({ src: A, dst: B, type: 0x8100, vlan: { vid: 9, tpid: 0x88a8 } }, new Uint8Array(0)), {
    layers: ['ethernet', 'vlan'], anomaly: 'vlan.truncated_header',
  }],
  ['inner 802.3 length equal to captured', tagged(6, hex('aaaa03000000')), { layers: ['ethernet', 'vlan'], anomaly: 'llc.truncated_header', fields: { payloadEnd: 24, nextKey: 0x10000 } }],
  ['inner 802.3 length one more: kept, with a warning', tagged(7, hex('aaaa03000000')), {
    layers: ['ethernet', 'vlan'], anomaly: 'llc.truncated_header', warnings: ['vlan.bad_length'], fields: { payloadEnd: 24 },
  }],
  ['inner 802.3 length one less', tagged(5, hex('aaaa03000000')), { layers: ['ethernet', 'vlan'], anomaly: 'llc.truncated_header', fields: { payloadEnd: 23 } }],
];

runCases(t, 'vlan', boundaries);
