/** HCI events (201 H4 with direction, 254 monitor) and the other HCI/L2CAP layers on built frames. */
import t from 'tap';
import { hex } from '../../../test/builders/frames.js';
import { adFlags, adName, hciAdvReport } from '../../../test/builders/ble.js';
import { runCases, decodeBytes, type Case } from '../testing.js';
import type { HciEvtView } from './index.js';

const data = new Uint8Array([...adFlags(), ...adName('h2o4152D')]);
const report = hciAdvReport('15:36:59:74:dd:88', 1, 3, data, -60);
// The same event under the monitor header (adapter 0, opcode 3 = event), without the H4 indicator.
const mon = new Uint8Array([0, 0, 0, 3, ...report.subarray(5)]);
// LE Extended Advertising Report (0x0D), one report: event type 0x0013, public, 1M/none, SID 0, TX 127, RSSI -70, 3 bytes of data.
const ext = hex('00000001 04 3e 1d 0d 01 1300 00 010203040506 01 00 ff 7f ba 0000 00 000000000000 03 020106');

const cases: Case[] = [
  ['LE Advertising Report (201)', report, { layers: ['hci_h4', 'hci_evt'], linkType: 201, fields: { eventCode: 0x3e, subevent: 2, reportCount: 1, isAdvertisingReport: true } }],
  ['the same under the Linux monitor header (254)', mon, { layers: ['hci_mon', 'hci_evt'], linkType: 254, fields: { reportCount: 1 } }],
  ['report count says 2, one present: warning', (() => { const b = report.slice(); b[8] = 2; return b; })(), { layers: ['hci_h4', 'hci_evt'], linkType: 201, warnings: ['hci_evt.bad_report'], fields: { reportCount: 1 } }],
  ['parameter length past the end', (() => { const b = report.slice(); b[6] = 0xff; return b; })(), { layers: ['hci_h4', 'hci_evt'], linkType: 201, warnings: ['hci_evt.bad_length'] }],
  ['extended report', ext, { layers: ['hci_h4', 'hci_evt'], linkType: 201, fields: { subevent: 0x0d, reportCount: 1 } }],
  ['4 bytes: H4 truncated', hex('00000001'), { layers: [], linkType: 201, anomaly: 'hci_h4.truncated_header' }],
  ['event of 1 byte', hex('00000001 04 3e'), { layers: ['hci_h4'], linkType: 201, anomaly: 'hci_evt.truncated_header' }],
  ['LE Set Scan Parameters command, passive', hex('00000000 01 0b20 07 00 1000 1000 00 00'), { layers: ['hci_h4', 'hci_cmd'], linkType: 201, layer: 'hci_cmd', fields: { opcode: 0x200b, ogf: 8, ocf: 0x0b, paramLength: 7 } }],
  ['ACL with ATT read response', hex('00000001 02 4000 0900 0500 0400 0b 33322e3337'), { layers: ['hci_h4', 'hci_acl', 'l2cap', 'att'], linkType: 201, layer: 'hci_acl', fields: { handle: 0x40, packetBoundary: 0, dataLength: 9 } }],
  ['ACL continuation is not routed', hex('00000001 02 4010 0200 4142'), { layers: ['hci_h4', 'hci_acl'], linkType: 201, layer: 'hci_acl', fields: { nextKey: -1, packetBoundary: 1 } }],
  ['ACL data length past the end', hex('00000001 02 4000 ff00 0100'), { layers: ['hci_h4', 'hci_acl'], linkType: 201, warnings: ['hci_acl.bad_length'], anomaly: 'l2cap.truncated_header' }],
  ['L2CAP first fragment of a longer frame', hex('00000001 02 4000 0500 1700 0400 0b'), { layers: ['hci_h4', 'hci_acl', 'l2cap', 'att'], linkType: 201, layer: 'l2cap', fields: { complete: false, cid: 4, length: 0x17 } }],
  ['monitor: new index is not routed', hex('0000 0000 01020304'), { layers: ['hci_mon'], linkType: 254, layer: 'hci_mon', fields: { nextKey: -1, opcode: 0 } }],
  ['monitor 3 bytes', hex('000000'), { layers: [], linkType: 254, anomaly: 'hci_mon.truncated_header' }],
];
runCases(t, 'hci_evt', cases);

t.test('report fields', async (t) => {
  const e = decodeBytes(report, 201).layers[1] as HciEvtView;
  const r = e.report(0);
  t.same([r.extended, r.eventType, r.addressType, r.dataLength, r.rssi], [false, 3, 1, data.length, -60]);
  const x = (decodeBytes(ext, 201).layers[1] as HciEvtView).report(0);
  t.same([x.extended, x.eventType, x.addressType, x.dataLength, x.rssi, x.txPower], [true, 0x13, 0, 3, -70, 127]);
});

t.test('PPI wrapping DLT 147, and LL with PHDR (256)', async (t) => {
  const ll = hex('d6be898e 02 06 010203040506 000000');
  const ppi = decodeBytes(new Uint8Array([0, 0, 8, 0, 147, 0, 0, 0, ...ll]), 192);
  t.same(ppi.layers.map((l) => l.name), ['ppi', 'btle']);
  t.equal(decodeBytes(hex('00 00 04 00 93000000'), 192).anomaly?.code, 'ppi.bad_length', 'a length below the header');
  t.equal(decodeBytes(hex('01 00 08 00 93000000'), 192).anomaly?.code, 'ppi.bad_version');
  t.equal(decodeBytes(hex('00 00 08 00 930000'), 192).anomaly?.code, 'ppi.truncated_header');
  // rf channel 12 (index 38), signal -51 valid, CRC checked and valid.
  const rf = decodeBytes(new Uint8Array([12, 0xcd, 0x80, 0, 0xd6, 0xbe, 0x89, 0x8e, 0x13, 0x0c, ...ll]), 256);
  t.same(rf.layers.map((l) => l.name), ['btle_rf', 'btle']);
  const v = rf.layers[0] as unknown as { channel: number; rssi: number; crcStatus: string };
  t.same([v.channel, v.rssi, v.crcStatus], [38, -51, 'ok']);
  t.equal(decodeBytes(hex('0c cd 80 00 d6be898e 13'), 256).anomaly?.code, 'btle_rf.truncated_header');
});

t.test('Nordic 272: legacy, bad version, non-event packets', async (t) => {
  t.equal(decodeBytes(hex('be ef 00 00 00 00 00 00'), 272).anomaly?.code, 'nordic_ble.legacy_format');
  t.equal(decodeBytes(hex('00 06 00 07 00 00 02'), 272).anomaly?.code, 'nordic_ble.bad_version');
  t.equal(decodeBytes(hex('00 06 00 03 00'), 272).anomaly?.code, 'nordic_ble.truncated_header');
  t.equal(decodeBytes(hex('00 06 00 03 00 00 02 0a 01'), 272).anomaly?.code, 'nordic_ble.truncated_header', 'an event cut inside its header');
  const ping = decodeBytes(hex('00 02 00 02 05 00 0e 5c 04'), 272);
  t.same(ping.layers.map((l) => l.name), ['nordic_ble'], 'PING_RESP: no BLE packet');
  t.equal(ping.anomaly, undefined);
});
