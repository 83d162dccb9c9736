/**
 * LLDP (IEEE 802.1AB-2016 §8): mandatory and optional TLVs, capabilities,
 * management address, and the sender's role.
 */
import t from 'tap';
import { concat, ethernet } from '../../../test/builders/frames.js';
import { lldp, lldpTlv } from '../../../test/builders/discovery.js';
import { runCases, type Case } from '../testing.js';

const SW = '00:1b:21:3a:4f:99';
const frame = (p: Uint8Array): Uint8Array => ethernet({ src: SW, dst: '01:80:c2:00:00:0e', type: 0x88cc }, p);
const sw = lldp({ chassisMac: SW, portId: 'Gi1/0/12', sysName: 'ward3-sw1', sysDescr: 'Cisco IOS Software, C2960X', portDescr: 'bed 12', caps: [0x14, 0x04], mgmtIpv4: '10.30.0.2' });
const phone = lldp({ chassisMac: '00:04:f2:00:00:01', portId: 'eth0', sysName: 'phone-17', caps: [0x24, 0x20] });

const cases: Case[] = [
  ['a switch port announcement', frame(sw), {
    layers: ['ethernet', 'lldp'], fields: {
      chassisIdSubtype: 4, chassisId: SW, portIdSubtype: 5, portId: 'Gi1/0/12', ttl: 120, systemName: 'ward3-sw1', systemDescription: 'Cisco IOS Software, C2960X',
      portDescription: 'bed 12', systemCapabilities: 0x14, enabledCapabilities: 0x04, fromNetworkDevice: true, managementAddresses: ['10.30.0.2'],
      tlvTypes: [1, 2, 3, 4, 5, 6, 7, 8],
    },
  }],
  ['a phone describing itself', frame(phone), { layers: ['ethernet', 'lldp'], fields: { fromNetworkDevice: false, enabledCapabilities: 0x20, systemDescription: undefined } }],
  ['after a VLAN tag', ethernet({ src: SW, dst: '01:80:c2:00:00:0e', type: 0x88cc, vlan: { vid: 5 } }, sw), { layers: ['ethernet', 'vlan', 'lldp'], fields: { systemName: 'ward3-sw1' } }],
  ['padding after End is fine', frame(concat(phone, new Uint8Array(20))), { layers: ['ethernet', 'lldp'], fields: { systemName: 'phone-17' } }],
  ['no capabilities: not a network device', frame(lldp({ chassisMac: SW, portId: 'p' })), { layers: ['ethernet', 'lldp'], fields: { fromNetworkDevice: false, systemCapabilities: -1, enabledCapabilities: -1 } }],
  ['a network-address chassis id and a MAC port id', frame(concat(
    lldpTlv(1, new Uint8Array([5, 1, 10, 0, 0, 1])), lldpTlv(2, new Uint8Array([3, 0, 1, 2, 3, 4, 5])), lldpTlv(3, new Uint8Array([0, 30])), new Uint8Array(2),
  )), { layers: ['ethernet', 'lldp'], fields: { chassisId: '10.0.0.1', portId: '00:01:02:03:04:05', ttl: 30 } }],
  ['a TLV past the end: the ones before stay', frame(concat(sw.subarray(0, 30), new Uint8Array([0x0a, 0x40, 0x41]))), {
    layers: ['ethernet', 'lldp'], warnings: ['lldp.truncated_tlv'],
  }],
  ['a first TLV past the end', frame(new Uint8Array([0x02, 0x07, 0x04])), { layers: ['ethernet'], anomaly: 'lldp.truncated_tlv' }],
  ['one byte', frame(new Uint8Array([2])), { layers: ['ethernet'], anomaly: 'lldp.truncated_tlv' }],
  ['no Chassis ID first', frame(concat(lldpTlv(5, new TextEncoder().encode('x')), new Uint8Array(2))), {
    layers: ['ethernet', 'lldp'], warnings: ['lldp.missing_mandatory'], fields: { systemName: 'x', chassisId: undefined, portId: undefined, ttl: -1 },
  }],
  ['more than LLDP_MAX_TLVS TLVs', frame(concat(...Array.from({ length: 70 }, () => lldpTlv(127, new Uint8Array(0))))), { layers: ['ethernet', 'lldp'], warnings: ['lldp.too_many_tlvs'] }],
];

runCases(t, 'lldp', cases);
