import t from 'tap';
import { arp, concat, ipv4, sll2, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

// Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276): the 20-byte header and
// one less, a frame that ends at the header, and the protocol routes.
const M = '00:0c:29:aa:bb:cc';
const pkt = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(0)));
const lt = 276;

const cases: Case[] = [
  ['IPv4/UDP', sll2({ protocol: 0x0800, addr: M, ifindex: 7 }, pkt), {
    layers: ['sll2', 'ipv4', 'udp'], linkType: lt, fields: { protocol: 0x0800, interfaceIndex: 7, mac: 0x000c29aabbcc, payloadOffset: 20, payloadEnd: 48 },
  }],
  ['ARP', sll2({ protocol: 0x0806, addr: M }, arp({ op: 1, senderMac: M, senderIp: '10.0.0.1', targetMac: M, targetIp: '10.0.0.2' })), { layers: ['sll2', 'arp'], linkType: lt }],
  ['netlink is not routed', sll2({ protocol: 0x0800, arphrd: 824 }, pkt), { layers: ['sll2'], linkType: lt, fields: { nextKey: -1 } }],
  ['a 4-byte address is not a MAC', concat(sll2({ protocol: 0x88b5 }, new Uint8Array(0)).map((b, i) => (i === 11 ? 4 : b))), {
    layers: ['sll2'], linkType: lt, fields: { addressLength: 4, mac: -1 },
  }],
  // Exact boundaries.
  ['20 bytes: header only, unknown protocol', sll2({ protocol: 0x88b5 }, new Uint8Array(0)), { layers: ['sll2'], linkType: lt, fields: { payloadOffset: 20, payloadEnd: 20 } }],
  ['19 bytes', sll2({ protocol: 0x0800 }, new Uint8Array(0)).subarray(0, 19), { layers: [], linkType: lt, anomaly: 'sll2.truncated_header' }],
  ['ends at the header with protocol IPv4', sll2({ protocol: 0x0800 }, new Uint8Array(0)), { layers: ['sll2'], linkType: lt, anomaly: 'ipv4.truncated_header', truncated: false }],
  ['ends at the header, snapped', sll2({ protocol: 0x0800 }, new Uint8Array(0)), { layers: ['sll2'], linkType: lt, origLen: 60, anomaly: 'ipv4.truncated_header', truncated: true }],
];

runCases(t, 'sll2', cases);
