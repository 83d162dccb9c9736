import t from 'tap';
import { concat, ethernet, hex, ipv4, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const v4 = (p: Uint8Array): Uint8Array =>
  ethernet({ src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:0b', type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, p));

// An SNMP GetRequest's UDP header: 1029 -> 161, length 0x0032:
//   0000  04 05 00 a1 00 32 8a 4b                          .....2.K
const snmpHead = hex('040500a100328a4b');

const cases: Case[] = [
  ['DNS query', v4(udp({ sport: 53001, dport: 53 }, new Uint8Array(30))), {
    layers: ['ethernet', 'ipv4', 'udp', 'dns'], layer: 'udp', fields: { srcPort: 53001, dstPort: 53, length: 38, payloadOffset: 42, payloadEnd: 72, payloadLength: 30 },
  }],
  // SNMP is routed now (issue 7): its decoder finds nothing captured, a truncation, not malformed.
  ['literal header, snapped after it', v4(snmpHead), {
    layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'snmp.truncated', origLen: 84, truncated: true, fields: { srcPort: 1029, dstPort: 161, length: 50, checksum: 0x8a4b, payloadEnd: 42 },
  }],
  ['length shorter than the IP payload: trailer not payload', v4(udp({ sport: 1, dport: 2, length: 10 }, new Uint8Array(6))), {
    layers: ['ethernet', 'ipv4', 'udp'], fields: { payloadLength: 2 },
  }],
  ['length 7', v4(udp({ sport: 1, dport: 2, length: 7 }, new Uint8Array(6))), { layers: ['ethernet', 'ipv4'], anomaly: 'udp.bad_length' }],
  ['length past the IP payload: kept, with a warning', v4(udp({ sport: 1, dport: 2, length: 200 }, new Uint8Array(6))), {
    layers: ['ethernet', 'ipv4', 'udp'], warnings: ['udp.bad_length'], fields: { length: 200, payloadEnd: 48 },
  }],
  ['7 bytes', v4(hex('00010002000800')), { layers: ['ethernet', 'ipv4'], anomaly: 'udp.truncated_header' }],
];

runCases(t, 'udp', cases);

// Exact boundaries (RFC 768): 8 bytes and one less, a length field of 8
// (the minimum: no data), equal to the bytes captured, and one more.
const dg = (p: Uint8Array): Uint8Array => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, p);
const boundaries: Case[] = [
  ['length 8, 8 bytes: no data', dg(udp({ sport: 1, dport: 2 }, new Uint8Array(0))), { layers: ['ipv4', 'udp'], linkType: 228, fields: { length: 8, payloadOffset: 28, payloadEnd: 28, payloadLength: 0 } }],
  ['length 8 with trailer bytes in the IP payload', dg(concat(udp({ sport: 1, dport: 2 }, new Uint8Array(0)), new Uint8Array(4))), {
    layers: ['ipv4', 'udp'], linkType: 228, fields: { length: 8, payloadEnd: 28 },
  }],
  ['7 bytes', dg(udp({ sport: 1, dport: 2 }, new Uint8Array(0)).subarray(0, 7)), { layers: ['ipv4'], linkType: 228, anomaly: 'udp.truncated_header' }],
  ['length equal to the bytes captured', dg(udp({ sport: 1, dport: 2 }, new Uint8Array(5))), { layers: ['ipv4', 'udp'], linkType: 228, fields: { length: 13, payloadLength: 5 } }],
  ['length one more than captured: kept, with a warning', dg(udp({ sport: 1, dport: 2, length: 14 }, new Uint8Array(5))), {
    layers: ['ipv4', 'udp'], linkType: 228, warnings: ['udp.bad_length'], fields: { payloadLength: 5 },
  }],
  ['length one more than captured, snapped: clamped, no warning', dg(udp({ sport: 1, dport: 2, length: 14 }, new Uint8Array(5))), {
    layers: ['ipv4', 'udp'], linkType: 228, origLen: 60, truncated: true, fields: { payloadLength: 5 },
  }],
  ['length 0 (jumbogram form) takes the IP payload', dg(udp({ sport: 1, dport: 2, length: 0 }, new Uint8Array(3))), { layers: ['ipv4', 'udp'], linkType: 228, fields: { payloadLength: 3 } }],
];

runCases(t, 'udp', boundaries);
