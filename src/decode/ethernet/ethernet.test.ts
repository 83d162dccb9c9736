import t from 'tap';
import { concat, ethernet, hex, ipv4, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const A = '00:1b:21:3a:4f:01';
const B = 'ff:ff:ff:ff:ff:ff';
const udpPkt = ipv4({ src: '10.1.2.3', dst: '10.1.2.255', proto: 17 }, udp({ sport: 40000, dport: 40001 }, new Uint8Array(4)));

const cases: Case[] = [
  ['ethernet II carrying IPv4', ethernet({ src: A, dst: B, type: 0x0800 }, udpPkt), {
    layers: ['ethernet', 'ipv4', 'udp'],
    fields: { srcString: A, dstString: B, src: 0x001b213a4f01, dst: 0xffffffffffff, etherType: 0x0800, isLlc: false, payloadOffset: 14 },
  }],
  // 12 bytes of addresses, EtherType 0x88b5 (local experimental): decoded, not routed.
  //   0000  01 80 c2 00 00 0e 00 1b 21 3a 4f 01 88 b5 02 07  ........!:O.....
  ['unrouted EtherType stops the walk without anomaly', hex('0180c200000e 001b213a4f01 88b5 0207'), {
    layers: ['ethernet'], fields: { etherType: 0x88b5, nextKey: 0x88b5, payloadEnd: 16 },
  }],
  ['802.3 length field means LLC, payload cut at the length', ethernet({ src: A, dst: B, type: 3 }, hex('424203 000000')), {
    layers: ['ethernet', 'llc'], layer: 'ethernet', fields: { isLlc: true, etherType: -1, nextKey: 0x10000, payloadOffset: 14, payloadEnd: 17 },
  }],
  ['13 bytes is a truncated header', hex('0180c200000e001b213a4f0188'), {
    layers: [], anomaly: 'ethernet.truncated_header',
  }],
  ['empty frame', new Uint8Array(0), { layers: [], anomaly: 'ethernet.truncated_header' }],
  ['snapped inside the header: truncated, not malformed', hex('0180c200000e001b21'), {
    layers: [], anomaly: 'ethernet.truncated_header', origLen: 60, truncated: true,
  }],
];

runCases(t, 'ethernet', cases);

// Exact boundaries: the 14-byte header (IEEE 802.3-2022 §3.2), one byte
// less, a frame that ends at the header, and an 802.3 length field equal to
// the bytes captured and one more.
const hdr = (type: number): Uint8Array => ethernet({ src: A, dst: B, type }, new Uint8Array(0));
const boundaries: Case[] = [
  ['14 bytes: header only, unknown EtherType', hdr(0x88b5), { layers: ['ethernet'], fields: { payloadOffset: 14, payloadEnd: 14, nextKey: 0x88b5 } }],
  ['13 bytes', hdr(0x88b5).subarray(0, 13), { layers: [], anomaly: 'ethernet.truncated_header' }],
  // tshark calls this frame malformed too: the EtherType promises an IPv4 header.
  ['ends at the header with EtherType IPv4', hdr(0x0800), { layers: ['ethernet'], anomaly: 'ipv4.truncated_header', truncated: false }],
  ['ends at the header, snapped', hdr(0x0800), { layers: ['ethernet'], anomaly: 'ipv4.truncated_header', origLen: 60, truncated: true }],
  ['802.3 length equal to the bytes after the header', concat(hdr(6), hex('aaaa03000000')), { layers: ['ethernet'], anomaly: 'llc.truncated_header', fields: { isLlc: true, payloadEnd: 20 } }],
  ['802.3 length one more than captured: kept, with a warning', concat(hdr(7), hex('aaaa03000000')), {
    layers: ['ethernet'], anomaly: 'llc.truncated_header', warnings: ['ethernet.bad_length'], fields: { payloadEnd: 20 },
  }],
  ['802.3 length one more than captured, snapped: no warning', concat(hdr(7), hex('aaaa03000000')), { layers: ['ethernet'], anomaly: 'llc.truncated_header', origLen: 60, truncated: true, fields: { payloadEnd: 20 } }],
  ['802.3 length 0', hdr(0), { layers: ['ethernet'], anomaly: 'llc.truncated_header', fields: { isLlc: true, payloadEnd: 14 } }],
  ['type 0x05ff (undefined range) is not a length', concat(hdr(0x05ff), new Uint8Array(4)), { layers: ['ethernet'], fields: { isLlc: true, payloadEnd: 18 } }],
];

runCases(t, 'ethernet', boundaries);
