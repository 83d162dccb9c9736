import t from 'tap';
import { hex, icmp, ipv6, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

// ICMPv6 (RFC 4443 §2.1) on LINKTYPE_IPV6: the 4-byte header and one less,
// errors quoting the offending packet (not routed), and informational types.
const msg = (p: Uint8Array): Uint8Array => ipv6({ src: 'fe80::1', dst: 'fe80::2', next: 58 }, p);
const quoted = ipv6({ src: 'fe80::2', dst: 'fe80::9', next: 17 }, udp({ sport: 1, dport: 161 }, new Uint8Array(0)));
const lt = 229;

const cases: Case[] = [
  ['echo request', msg(icmp({ type: 128, rest: 0x00010002 }, new Uint8Array(4), true)), {
    layers: ['ipv6', 'icmpv6'], linkType: lt, fields: { type: 128, code: 0, isError: false, payloadOffset: 44, payloadEnd: 52, nextKey: -1 },
  }],
  ['port unreachable quoting UDP: the quote is not routed', msg(icmp({ type: 1, code: 4 }, quoted, true)), {
    layers: ['ipv6', 'icmpv6'], linkType: lt, fields: { type: 1, code: 4, isError: true, nextKey: -1 },
  }],
  ['type 127 is the last error type', msg(icmp({ type: 127 }, new Uint8Array(0), true)), { layers: ['ipv6', 'icmpv6'], linkType: lt, fields: { isError: true } }],
  // Exact boundaries.
  ['4 bytes: header only', msg(hex('87000000')), { layers: ['ipv6', 'icmpv6'], linkType: lt, fields: { type: 135, payloadOffset: 44, payloadEnd: 44 } }],
  ['3 bytes', msg(hex('870000')), { layers: ['ipv6'], linkType: lt, anomaly: 'icmpv6.truncated_header' }],
  ['3 bytes, snapped', msg(hex('870000')), { layers: ['ipv6'], linkType: lt, origLen: 72, anomaly: 'icmpv6.truncated_header', truncated: true }],
  ['ends at the IPv6 header', ipv6({ src: 'fe80::1', dst: 'fe80::2', next: 58, payloadLength: 8 }, new Uint8Array(0)), {
    layers: ['ipv6'], linkType: lt, warnings: ['ipv6.bad_payload_length'], anomaly: 'icmpv6.truncated_header',
  }],
];

runCases(t, 'icmpv6', cases);
