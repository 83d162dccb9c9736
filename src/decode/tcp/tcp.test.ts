import t from 'tap';
import { concat, ethernet, hex, ipv4, ipv6, tcp, TCP_FLAGS } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const v4 = (p: Uint8Array): Uint8Array =>
  ethernet({ src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:0b', type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, p));

// A SYN from a DICOM SCU to port 104 with MSS, SACK-permitted, timestamps, NOP, window scale:
//   0000  c3 50 00 68 00 00 03 e8 00 00 00 00 a0 02 fa f0  .P.h............
//   0010  00 00 00 00 02 04 05 b4 04 02 08 0a 00 00 00 01  ................
//   0020  00 00 00 00 01 03 03 07                          ........
const syn = hex('c3500068000003e800000000a002faf0 0000000002040 5b4040208 0a00000001 0000000001030307');

const cases: Case[] = [
  ['SYN with options (literal bytes)', v4(syn), {
    layers: ['ethernet', 'ipv4', 'tcp'],
    fields: {
      srcPort: 50000, dstPort: 104, seq: 1000, ack: 0, flags: TCP_FLAGS.SYN, syn: true, ackFlag: false, window: 64240,
      headerLength: 40, payloadLength: 0, nextKey: 104, altKey: 50000,
    },
  }],
  ['data segment with high sequence numbers', v4(tcp({ sport: 2575, dport: 61000, seq: 0xfffffff0, ack: 0x80000000, flags: TCP_FLAGS.PSH | TCP_FLAGS.ACK }, hex('0b4d53487c'))), {
    layers: ['ethernet', 'ipv4', 'tcp'], fields: { seq: 0xfffffff0, ack: 0x80000000, ackFlag: true, payloadLength: 5, payloadOffset: 54, payloadEnd: 59 },
  }],
  ['over IPv6', ethernet({ src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:0b', type: 0x86dd }, ipv6({ src: '2001:db8::a', dst: '2001:db8::b', next: 6 }, tcp({ sport: 1, dport: 2, flags: TCP_FLAGS.RST }, new Uint8Array(0)))), {
    layers: ['ethernet', 'ipv6', 'tcp'], fields: { rst: true, fin: false, srcPort: 1 },
  }],
  ['data offset 4', v4(tcp({ sport: 1, dport: 2, dataOffset: 4 }, new Uint8Array(0))), { layers: ['ethernet', 'ipv4'], anomaly: 'tcp.bad_data_offset' }],
  ['data offset 15 with 20 bytes', v4(tcp({ sport: 1, dport: 2, dataOffset: 15 }, new Uint8Array(0))), {
    layers: ['ethernet', 'ipv4'], anomaly: 'tcp.truncated_header', truncated: false,
  }],
  ['19 bytes of header', v4(tcp({ sport: 1, dport: 2 }, new Uint8Array(0)).subarray(0, 19)), {
    layers: ['ethernet', 'ipv4'], anomaly: 'tcp.truncated_header',
  }],
  ['header cut by snapping', v4(tcp({ sport: 1, dport: 2 }, new Uint8Array(100))).subarray(0, 44), {
    layers: ['ethernet', 'ipv4'], anomaly: 'tcp.truncated_header', origLen: 154, truncated: true,
  }],
];

runCases(t, 'tcp', cases);

// Exact boundaries (RFC 9293 §3.1): 20 bytes and one less, a data offset
// equal to the bytes captured and one word more, on LINKTYPE_IPV4.
const seg4 = (p: Uint8Array): Uint8Array => ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, p);
const opts = new Uint8Array([1, 1, 1, 0]);
const boundaries: Case[] = [
  ['20 bytes, header only', seg4(tcp({ sport: 1, dport: 2 }, new Uint8Array(0))), { layers: ['ipv4', 'tcp'], linkType: 228, fields: { headerLength: 20, payloadLength: 0, payloadEnd: 40 } }],
  ['19 bytes', seg4(tcp({ sport: 1, dport: 2 }, new Uint8Array(0)).subarray(0, 19)), { layers: ['ipv4'], linkType: 228, anomaly: 'tcp.truncated_header' }],
  ['data offset 6 with 24 bytes', seg4(tcp({ sport: 1, dport: 2, options: opts }, new Uint8Array(0))), { layers: ['ipv4', 'tcp'], linkType: 228, fields: { headerLength: 24, payloadLength: 0 } }],
  ['data offset 6 with 20 bytes', seg4(tcp({ sport: 1, dport: 2, dataOffset: 6 }, new Uint8Array(0))), { layers: ['ipv4'], linkType: 228, anomaly: 'tcp.truncated_header' }],
  ['data offset 5 with one byte of data', seg4(tcp({ sport: 1, dport: 2 }, new Uint8Array(1))), { layers: ['ipv4', 'tcp'], linkType: 228, fields: { payloadLength: 1 } }],
  ['data offset 4', seg4(tcp({ sport: 1, dport: 2, dataOffset: 4 }, new Uint8Array(0))), { layers: ['ipv4'], linkType: 228, anomaly: 'tcp.bad_data_offset' }],
  ['data offset 15 with 60 bytes', seg4(tcp({ sport: 1, dport: 2, options: concat(new Uint8Array(40)) }, new Uint8Array(0))), {
    layers: ['ipv4', 'tcp'], linkType: 228, fields: { headerLength: 60 },
  }],
];

runCases(t, 'tcp', boundaries);
