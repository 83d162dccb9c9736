import t from 'tap';
import { arp, concat, ethernet, hex } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const A = '00:1b:21:3a:4f:01';
const req = arp({ op: 1, senderMac: A, senderIp: '192.168.1.10', targetMac: '00:00:00:00:00:00', targetIp: '192.168.1.1' });

const cases: Case[] = [
  ['request, padded to 60 bytes', ethernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, new Uint8Array([...req, ...new Uint8Array(18)])), {
    layers: ['ethernet', 'arp'],
    fields: {
      opcode: 1, isEthernetIpv4: true, senderMacString: A, senderIpString: '192.168.1.10', senderIp: 0xc0a8010a,
      targetMac: 0, targetIpString: '192.168.1.1', hardwareType: 1, protocolType: 0x0800, payloadOffset: 42, payloadEnd: 60,
    },
  }],
  // An ARP for a hardware type other than Ethernet (6, IEEE 802) with 6/4 lengths: no Ethernet/IPv4 numbers.
  ['other hardware type', ethernet({ src: A, dst: A, type: 0x0806 }, hex('0006 0800 06 04 0002' + '00'.repeat(20))), {
    layers: ['ethernet', 'arp'], fields: { isEthernetIpv4: false, senderMac: -1, senderIp: -1, senderIpString: '', opcode: 2, targetProtoOffset: 38 },
  }],
  ['fixed part cut', ethernet({ src: A, dst: A, type: 0x0806 }, hex('0001 0800 06 04')), {
    layers: ['ethernet'], anomaly: 'arp.truncated',
  }],
  ['addresses cut', ethernet({ src: A, dst: A, type: 0x0806 }, req.subarray(0, 27)), {
    layers: ['ethernet'], anomaly: 'arp.truncated', truncated: false,
  }],
];

runCases(t, 'arp', cases);

// Exact boundaries (RFC 826): 28 bytes for Ethernet/IPv4 and one less, the
// 8-byte fixed part with zero-length addresses, and address lengths that
// need exactly the bytes there are and one more.
const onEth = (p: Uint8Array): Uint8Array => ethernet({ src: A, dst: 'ff:ff:ff:ff:ff:ff', type: 0x0806 }, p);
const boundaries: Case[] = [
  ['28 bytes exactly', onEth(req), { layers: ['ethernet', 'arp'], fields: { isEthernetIpv4: true, payloadOffset: 42, payloadEnd: 42 } }],
  ['27 bytes', onEth(req.subarray(0, 27)), { layers: ['ethernet'], anomaly: 'arp.truncated' }],
  ['27 bytes, snapped', onEth(req.subarray(0, 27)), { layers: ['ethernet'], anomaly: 'arp.truncated', origLen: 60, truncated: true }],
  ['8 bytes, zero-length addresses', onEth(hex('0001 0800 00 00 0001')), { layers: ['ethernet', 'arp'], fields: { isEthernetIpv4: false, senderMac: -1, payloadOffset: 22 } }],
  ['7 bytes', onEth(hex('0001 0800 06 04 00')), { layers: ['ethernet'], anomaly: 'arp.truncated' }],
  ['hardware length 7 needs 30 bytes: 30 there', onEth(concat(hex('0001 0800 07 04 0001'), new Uint8Array(22))), {
    layers: ['ethernet', 'arp'], fields: { isEthernetIpv4: false, targetProtoOffset: 40 },
  }],
  ['hardware length 7 needs 30 bytes: 29 there', onEth(concat(hex('0001 0800 07 04 0001'), new Uint8Array(21))), { layers: ['ethernet'], anomaly: 'arp.truncated' }],
];

runCases(t, 'arp', boundaries);
