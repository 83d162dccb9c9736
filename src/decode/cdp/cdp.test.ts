/**
 * CDP over 802.3 + LLC/SNAP (OUI 00-00-0C, PID 0x2000), and the LLC route.
 */
import t from 'tap';
import { cdp, cdpTlv, ether8023, snap } from '../../../test/builders/discovery.js';
import { concat } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const SW = '00:1b:21:3a:4f:99';
const DST = '01:00:0c:cc:cc:cc';
const frame = (p: Uint8Array): Uint8Array => ether8023(SW, DST, snap(0x00000c, 0x2000, p));
const L = ['ethernet', 'llc', 'cdp'];
const sw = cdp({ deviceId: 'ward3-sw1.example', portId: 'GigabitEthernet1/0/12', software: 'Cisco IOS Software, C2960X Software, Version 15.2(7)E', platform: 'cisco WS-C2960X-48FPD-L', caps: 0x28, addresses: ['10.30.0.2'] });

const cases: Case[] = [
  ['a switch port announcement', frame(sw), {
    layers: L, fields: {
      version: 2, ttl: 180, deviceId: 'ward3-sw1.example', portId: 'GigabitEthernet1/0/12', platform: 'cisco WS-C2960X-48FPD-L',
      softwareVersion: 'Cisco IOS Software, C2960X Software, Version 15.2(7)E', capabilities: 0x28, capabilityNames: 'switch,igmp',
      fromNetworkDevice: true, addresses: ['10.30.0.2'], tlvTypes: [1, 2, 3, 4, 5, 6], nativeVlan: -1,
    },
  }],
  ['a phone', frame(cdp({ deviceId: 'SEP001122334455', caps: 0x90, platform: 'Cisco IP Phone 8845' })), { layers: L, fields: { fromNetworkDevice: false, capabilityNames: 'host,phone', addresses: [] } }],
  ['the LLC view', frame(sw), { layers: L, layer: 'llc', fields: { dsap: 0xaa, ssap: 0xaa, isSnap: true, oui: 0x0c, pid: 0x2000, nextKey: 0x0c2000 } }],
  ['non-SNAP LLC (STP) is not routed', ether8023(SW, '01:80:c2:00:00:00', new Uint8Array([0x42, 0x42, 0x03, 0, 0, 0])), {
    layers: ['ethernet', 'llc'], layer: 'llc', fields: { isSnap: false, oui: -1, pid: -1, nextKey: -1, payloadOffset: 17 },
  }],
  ['an I-format LLC control field is two bytes', ether8023(SW, DST, new Uint8Array([0x04, 0x04, 0x00, 0x00, 9])), { layers: ['ethernet', 'llc'], layer: 'llc', fields: { payloadOffset: 18 } }],
  ['SNAP cut short', ether8023(SW, DST, new Uint8Array([0xaa, 0xaa, 0x03, 0])), { layers: ['ethernet'], anomaly: 'llc.truncated_header' }],
  ['an unknown CDP version', frame(concat(new Uint8Array([3]), sw.subarray(1))), { layers: ['ethernet', 'llc'], anomaly: 'cdp.bad_version' }],
  ['a header cut short', frame(sw.subarray(0, 3)), { layers: ['ethernet', 'llc'], anomaly: 'cdp.truncated_header' }],
  ['a TLV past the end', frame(sw.subarray(0, sw.length - 3)), { layers: L, warnings: ['cdp.truncated_tlv'], fields: { deviceId: 'ward3-sw1.example', platform: undefined } }],
  ['a TLV header cut', frame(concat(sw, new Uint8Array([0, 1]))), { layers: L, warnings: ['cdp.truncated_tlv'], fields: { platform: 'cisco WS-C2960X-48FPD-L' } }],
  ['a TLV length below 4', frame(concat(new Uint8Array([2, 180, 0, 0]), new Uint8Array([0, 1, 0, 2]))), { layers: L, warnings: ['cdp.bad_tlv_length'], fields: { deviceId: undefined } }],
  ['more than CDP_MAX_TLVS TLVs', frame(concat(new Uint8Array([2, 180, 0, 0]), ...Array.from({ length: 70 }, () => cdpTlv(0x99, new Uint8Array(0))))), { layers: L, warnings: ['cdp.too_many_tlvs'] }],
  ['CDP v1, native VLAN, an IPv6 address', frame(concat(new Uint8Array([1, 60, 0, 0]), cdpTlv(10, new Uint8Array([0, 30])),
    cdpTlv(2, concat(new Uint8Array([0, 0, 0, 2]), new Uint8Array([2, 8, 0xaa, 0xaa, 3, 0, 0, 0, 0x86, 0xdd, 0, 16, 0xfe, 0x80, ...new Uint8Array(13), 1]), new Uint8Array([9, 1, 0, 0, 0]))))), {
    layers: L, fields: { version: 1, nativeVlan: 30, addresses: ['fe80::1'] },
  }],
];

runCases(t, 'cdp', cases);
