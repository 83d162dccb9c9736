import t from 'tap';
import { arp, ethernet, hex } from '../../../test/builders/frames.js';
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
