import t from 'tap';
import { ethernet, hex, icmp, ipv4, ipv6, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const v4 = (p: Uint8Array): Uint8Array =>
  ethernet({ src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:0b', type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1 }, p));
const quoted = ipv4({ src: '10.0.0.2', dst: '10.0.0.9', proto: 17 }, udp({ sport: 1, dport: 161 }, new Uint8Array(0)));

// Echo request from ping: type 8, code 0, checksum, id 0x0001, seq 0x0007:
//   0000  08 00 f7 f7 00 01 00 07                          ........
const echo = hex('0800f7f700010007');

const cases: Case[] = [
  ['echo request (literal bytes)', v4(echo), {
    layers: ['ethernet', 'ipv4', 'icmp'], fields: { type: 8, code: 0, identifier: 1, sequence: 7, checksum: 0xf7f7, nextKey: -1, payloadOffset: 42 },
  }],
  ['port unreachable quoting a UDP packet: inner packet not routed', v4(icmp({ type: 3, code: 3 }, quoted)), {
    layers: ['ethernet', 'ipv4', 'icmp'], fields: { type: 3, code: 3, payloadEnd: 14 + 20 + 8 + 28 },
  }],
  ['7 bytes', v4(echo.subarray(0, 7)), { layers: ['ethernet', 'ipv4'], anomaly: 'icmp.truncated_header' }],
];

runCases(t, 'icmp', cases);

const v6 = (p: Uint8Array): Uint8Array => ipv6({ src: 'fe80::1', dst: 'ff02::1', next: 58 }, p);
runCases(t, 'icmpv6', [
  ['router advertisement', v6(icmp({ type: 134, rest: 0x40000708 }, new Uint8Array(8), true)), {
    layers: ['ipv6', 'icmpv6'], linkType: 229, fields: { type: 134, code: 0, isError: false, payloadOffset: 44 },
  }],
  ['3 bytes', v6(hex('800000')), { layers: ['ipv6'], linkType: 229, anomaly: 'icmpv6.truncated_header' }],
]);

// Exact boundaries (RFC 792): the 8-byte header and one less, on LINKTYPE_IPV4.
const msg = (p: Uint8Array): Uint8Array => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1 }, p);
const boundaries: Case[] = [
  ['8 bytes: header only', msg(icmp({ type: 8, rest: 0x00010002 }, new Uint8Array(0))), {
    layers: ['ipv4', 'icmp'], linkType: 228, fields: { type: 8, identifier: 1, sequence: 2, payloadOffset: 28, payloadEnd: 28 },
  }],
  ['7 bytes', msg(icmp({ type: 8 }, new Uint8Array(0)).subarray(0, 7)), { layers: ['ipv4'], linkType: 228, anomaly: 'icmp.truncated_header' }],
  ['7 bytes, snapped', msg(icmp({ type: 8 }, new Uint8Array(0)).subarray(0, 7)), { layers: ['ipv4'], linkType: 228, origLen: 64, anomaly: 'icmp.truncated_header', truncated: true }],
  ['error with the header only (nothing quoted)', msg(icmp({ type: 3, code: 3 }, new Uint8Array(0))), { layers: ['ipv4', 'icmp'], linkType: 228, fields: { type: 3, code: 3, payloadEnd: 28 } }],
];

runCases(t, 'icmp', boundaries);
