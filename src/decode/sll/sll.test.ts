import t from 'tap';
import { hex, ipv4, sll, sll2, tcp, arp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const pkt = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp({ sport: 23, dport: 1254 }, new Uint8Array(0)));
const M = '00:0c:29:aa:bb:cc';

// A cooked v1 header: outgoing (4), ARPHRD_ETHER, 6-byte address, 2 pad, IPv4:
//   0000  00 04 00 01 00 06 00 0c 29 aa bb cc 00 00 08 00  ........).......
const cooked = hex('0004 0001 0006 000c29aabbcc 0000 0800');

const cases: Case[] = [
  ['SLL v1 IPv4 (literal header)', new Uint8Array([...cooked, ...pkt]), {
    layers: ['sll', 'ipv4', 'tcp'], linkType: 113, fields: { packetType: 4, arphrdType: 1, addressLength: 6, mac: 0x000c29aabbcc, protocol: 0x0800, payloadOffset: 16 },
  }],
  ['SLL v1 ARP', sll({ protocol: 0x0806, addr: M }, arp({ op: 2, senderMac: M, senderIp: '10.0.0.1', targetMac: M, targetIp: '10.0.0.2' })), {
    layers: ['sll', 'arp'], linkType: 113,
  }],
  ['SLL v1 netlink is not routed', sll({ protocol: 0x0800, arphrd: 824 }, pkt), { layers: ['sll'], linkType: 113, fields: { nextKey: -1 } }],
  ['SLL v1 15 bytes', cooked.subarray(0, 15), { layers: [], linkType: 113, anomaly: 'sll.truncated_header' }],
  ['SLL v2 IPv4', sll2({ protocol: 0x0800, ifindex: 3, packetType: 3, addr: M }, pkt), {
    layers: ['sll2', 'ipv4', 'tcp'], linkType: 276, layer: 'sll2',
    fields: { protocol: 0x0800, interfaceIndex: 3, arphrdType: 1, packetType: 3, addressLength: 6, mac: 0x000c29aabbcc, payloadOffset: 20 },
  }],
  ['SLL v2 19 bytes', sll2({ protocol: 0x0800 }, new Uint8Array(0)).subarray(0, 19), { layers: [], linkType: 276, anomaly: 'sll2.truncated_header' }],
];

runCases(t, 'sll', cases);

// Exact boundaries: the 16-byte header and one less, a frame that ends at the
// header, and an address length field of 8 (all the room there is) and 9.
const lt = 113;
const boundaries: Case[] = [
  ['16 bytes: header only, unknown protocol', sll({ protocol: 0x88b5 }, new Uint8Array(0)), { layers: ['sll'], linkType: lt, fields: { payloadOffset: 16, payloadEnd: 16, nextKey: 0x88b5 } }],
  ['15 bytes, snapped', sll({ protocol: 0x0800 }, new Uint8Array(0)).subarray(0, 15), { layers: [], linkType: lt, origLen: 60, anomaly: 'sll.truncated_header', truncated: true }],
  ['ends at the header with protocol IPv4', sll({ protocol: 0x0800 }, new Uint8Array(0)), { layers: ['sll'], linkType: lt, anomaly: 'ipv4.truncated_header', truncated: false }],
  ['address length 8 is not a MAC', hex('0000 0001 0008 0102030405060708 88b5'), { layers: ['sll'], linkType: lt, fields: { addressLength: 8, mac: -1 } }],
  ['address length 9 (past the 8 reserved bytes) still decodes', hex('0000 0001 0009 0102030405060708 88b5'), { layers: ['sll'], linkType: lt, fields: { addressLength: 9, mac: -1 } }],
];

runCases(t, 'sll', boundaries);
