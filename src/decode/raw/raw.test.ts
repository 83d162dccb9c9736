import t from 'tap';
import { hex, ipv4, ipv6, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

// Raw IP (LINKTYPE_RAW 101 and DLT 12/14): no layer of its own; the version
// nibble picks IPv4 or IPv6. Boundaries: no byte at all, one byte, and each
// IP header exactly.
const v4 = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(0)));
const v6 = ipv6({ src: 'fe80::1', dst: 'fe80::2', next: 59 }, new Uint8Array(0));

const cases: Case[] = [
  ['IPv4 on 101', v4, { layers: ['ipv4', 'udp'], linkType: 101, layer: 'ipv4', fields: { offset: 0, payloadOffset: 20 } }],
  ['IPv4 on DLT 12', v4, { layers: ['ipv4', 'udp'], linkType: 12 }],
  ['IPv6 on DLT 14', v6, { layers: ['ipv6'], linkType: 14 }],
  ['version 5', hex('50'), { layers: [], linkType: 101, anomaly: 'raw.bad_version' }],
  // Exact boundaries.
  ['0 bytes', new Uint8Array(0), { layers: [], linkType: 101, anomaly: 'raw.truncated_header' }],
  ['0 bytes, snapped', new Uint8Array(0), { layers: [], linkType: 101, origLen: 40, anomaly: 'raw.truncated_header', truncated: true }],
  ['1 byte 0x45', hex('45'), { layers: [], linkType: 101, anomaly: 'ipv4.truncated_header' }],
  ['IPv4 header exactly, total length 20', ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, new Uint8Array(0)), { layers: ['ipv4'], linkType: 101, layer: 'ipv4', fields: { nextKey: -1 } }],
  ['IPv6 header exactly', v6, { layers: ['ipv6'], linkType: 101, layer: 'ipv6', fields: { payloadEnd: 40 } }],
  ['IPv6 header one byte short', v6.subarray(0, 39), { layers: [], linkType: 101, anomaly: 'ipv6.truncated_header' }],
];

runCases(t, 'raw', cases);
