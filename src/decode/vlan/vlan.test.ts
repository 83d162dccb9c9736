import t from 'tap';
import { ethernet, hex, ipv4, udp } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const pkt = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 5000, dport: 2575 }, new Uint8Array(3)));

const cases: Case[] = [
  ['802.1Q tag, VID 100 PCP 5', ethernet({ src: A, dst: B, type: 0x0800, vlan: { vid: 100, pcp: 5 } }, pkt), {
    layers: ['ethernet', 'vlan', 'ipv4', 'udp'], fields: { vid: 100, pcp: 5, dei: false, etherType: 0x0800 },
  }],
  ['QinQ: 802.1ad S-tag then C-tag', ethernet({
    src: A, dst: B, type: 0x0800, vlan: [{ vid: 10, tpid: 0x88a8 }, { vid: 4094, dei: true }],
  }, pkt), { layers: ['ethernet', 'vlan', 'vlan', 'ipv4', 'udp'] }],
  ['pre-standard 0x9100 outer tag', ethernet({ src: A, dst: B, type: 0x0806, vlan: [{ vid: 7, tpid: 0x9100 }] }, hex('0001')), {
    layers: ['ethernet', 'vlan'], anomaly: 'arp.truncated', fields: { vid: 7 },
  }],
  // dst, src, TPID 8100, TCI only: the inner type is missing.
  //   0000  02 00 00 00 00 0b 02 00 00 00 00 0a 81 00 00 64  ...............d
  ['tag cut after the TCI', hex('02000000000b 02000000000a 8100 0064'), {
    layers: ['ethernet'], anomaly: 'vlan.truncated_header',
  }],
  ['inner 802.3 length', ethernet({ src: A, dst: B, type: 4, vlan: { vid: 1 } }, hex('aaaa0300 ffff')), {
    layers: ['ethernet', 'vlan'], fields: { etherType: -1, nextKey: -1, payloadEnd: 22 },
  }],
];

runCases(t, 'vlan', cases);
