/**
 * Zigbee NWK, APS, ZDO, ZCL and Green Power decoding through the route
 * table (R22 §3.3.1, §2.2.5, §2.4; ZCL §2.4.1), from frames built by
 * test/builders/ieee802154.ts.
 */
import t from 'tap';
import { runCases, decodeBytes, type Case } from '../testing.js';
import { apsCommand, apsData, macFrame, nwkFrame, transportNetworkKey, zclGlobal, zclRecords, zclString } from '../../../test/builders/ieee802154.js';
import { nwkCommandInfo, type ZigbeeNwkView } from './index.js';

const LT = 230;
const mac = (payload: number[]): Uint8Array => macFrame({ type: 1, panIdCompression: true, dstPan: 0x1aab, dst: 0x0000, src: 0x1001 }, payload, false);
const E = '00124b0001020304';
const TC = '000d6f000dc55800';

const basicReport = zclGlobal(5, 0x0a, zclRecords([[0x0004, 0x42, zclString('Acme')], [0x0005, 0x42, zclString('BedSense 2')], [0x4000, 0x42, zclString('1.2.3')], [0x0007, 0x30, [0x03]]]));

const cases: Case[] = [
  ['NWK data -> APS -> ZCL Basic report', mac(nwkFrame({ dst: 0, src: 0x1001, seq: 9, src64: E }, apsData(0x0000, 0x0104, 1, 1, 3, basicReport))),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps', 'zigbee-zcl'], linkType: LT, layer: 'zigbee-nwk', fields: { frameType: 0, version: 2, dst: 0, src: 0x1001, seq: 9, radius: 30, src64: E, security: false, nextKey: 0 } }],
  ['APS header fields', mac(nwkFrame({ dst: 0, src: 0x1001 }, apsData(0x0001, 0x0104, 2, 3, 77, zclGlobal(1, 0x0a, [])))),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps', 'zigbee-zcl'], linkType: LT, layer: 'zigbee-aps', fields: { frameType: 0, deliveryMode: 0, dstEndpoint: 2, cluster: 1, profile: 0x0104, srcEndpoint: 3, counter: 77, nextKey: 1 } }],
  ['ZCL header', mac(nwkFrame({ dst: 0, src: 0x1001 }, apsData(0x0006, 0x0104, 1, 1, 1, [0x01, 0x22, 0x01]))),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps', 'zigbee-zcl'], linkType: LT, layer: 'zigbee-zcl', fields: { frameType: 1, direction: 0, tsn: 0x22, command: 1, manufacturerCode: -1 } }],
  ['ZCL manufacturer-specific header', mac(nwkFrame({ dst: 0, src: 0x1001 }, apsData(0xfc00, 0x0104, 1, 1, 1, [0x05, 0x5d, 0xc2, 0x22, 0x62]))),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps', 'zigbee-zcl'], linkType: LT, layer: 'zigbee-zcl', fields: { manufacturerSpecific: true, manufacturerCode: 0xc25d, tsn: 0x22, command: 0x62 } }],
  ['ZDO after profile 0', mac(nwkFrame({ dst: 0, src: 0x1001 }, apsData(0x0013, 0x0000, 0, 0, 1, [0x81, 0x01, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 0x8e]))),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps', 'zigbee-zdo'], linkType: LT, layer: 'zigbee-zdo', fields: { tsn: 0x81 } }],
  ['APS Transport Key in the clear', mac(nwkFrame({ dst: 0, src: 0x1001 }, apsCommand(4, transportNetworkKey(new Array(16).fill(0x11), 0, E, TC)))),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps'], linkType: LT, layer: 'zigbee-aps', fields: { frameType: 1, counter: 4, command: 5 } }],
  ['NWK command (leave) stops at NWK', mac([0x09, 0x00, 0xfd, 0xff, 0x01, 0x10, 1, 2, 0x04, 0x40]),
    { layers: ['ieee802154', 'zigbee-nwk'], linkType: LT, layer: 'zigbee-nwk', fields: { frameType: 1, command: 4, nextKey: -1 } }],
  ['NWK secured: payload and MIC located, no route', mac([0x08, 0x02, 0x00, 0x00, 0x01, 0x10, 30, 1, 0x28, 1, 0, 0, 0, ...[4, 3, 2, 1, 0, 0x4b, 0x12, 0], 0, 0xaa, 0xbb, 1, 2, 3, 4]),
    { layers: ['ieee802154', 'zigbee-nwk'], linkType: LT, layer: 'zigbee-nwk', fields: { security: true, micLength: 4, payloadOffset: 9 + 8 + 14, nextKey: -1 } }],
  ['NWK secured without room for its MIC', mac([0x08, 0x02, 0x00, 0x00, 0x01, 0x10, 30, 1, 0x08, 1, 0, 0, 0, 0, 1]),
    { layers: ['ieee802154'], linkType: LT, anomaly: 'zigbee-nwk.truncated_mic' }],
  ['NWK secured header cut short', mac([0x08, 0x02, 0x00, 0x00, 0x01, 0x10, 30, 1, 0x28, 1]),
    { layers: ['ieee802154'], linkType: LT, anomaly: 'zigbee-nwk.truncated_security_header' }],
  ['NWK header cut short', mac([0x08, 0x00, 0x00]), { layers: ['ieee802154'], linkType: LT, anomaly: 'zigbee-nwk.truncated_header' }],
  ['NWK command without its id', mac([0x09, 0x00, 0xfd, 0xff, 0x01, 0x10, 1, 2]), { layers: ['ieee802154'], linkType: LT, anomaly: 'zigbee-nwk.truncated_command' }],
  ['NWK source route subframe skipped', mac([0x08, 0x04, 0, 0, 1, 0x10, 30, 1, 2, 0, 0x11, 0x22, 0x33, 0x44, ...apsData(6, 0x0104, 1, 1, 1, [0x01, 1, 0])]),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps', 'zigbee-zcl'], linkType: LT, layer: 'zigbee-aps', fields: { cluster: 6 } }],
  ['Inter-PAN: frame control, then APS without endpoints (Touchlink)', macFrame({ type: 1, dstPan: 0xffff, dst: 0xffff, srcPan: 0xc802, src: E }, [0x0b, 0x00, 0x0b, 0x00, 0x10, 0x5e, 0xc0, 0x11, 0x01, 0x00, 1, 2, 3, 4], false),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps', 'zigbee-zcl'], linkType: LT, layer: 'zigbee-aps', fields: { frameType: 3, cluster: 0x1000, profile: 0xc05e, counter: -1, dstEndpoint: -1 } }],
  ['APS header cut short', mac(nwkFrame({ dst: 0, src: 1 }, [0x40, 1, 6])), { layers: ['ieee802154', 'zigbee-nwk'], linkType: LT, anomaly: 'zigbee-aps.truncated_header' }],
  ['APS group delivery', mac(nwkFrame({ dst: 0xfffd, src: 1 }, [0x0c, 0x34, 0x12, 6, 0, 0x04, 0x01, 1, 9, 0x01, 1, 0])),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps', 'zigbee-zcl'], linkType: LT, layer: 'zigbee-aps', fields: { group: 0x1234, dstEndpoint: -1, cluster: 6, counter: 9 } }],
  ['APS secured: no route', mac(nwkFrame({ dst: 0, src: 1 }, [0x21, 5, 0x30, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0xaa, 9, 9, 9, 9])),
    { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps'], linkType: LT, layer: 'zigbee-aps', fields: { security: true, nextKey: -1, micLength: 4 } }],
  ['APS command without an id', mac(nwkFrame({ dst: 0, src: 1 }, [0x01, 5])), { layers: ['ieee802154', 'zigbee-nwk'], linkType: LT, anomaly: 'zigbee-aps.truncated_command' }],
  ['ZCL cut short', mac(nwkFrame({ dst: 0, src: 1 }, apsData(6, 0x0104, 1, 1, 1, [0x01, 1]))), { layers: ['ieee802154', 'zigbee-nwk', 'zigbee-aps'], linkType: LT, anomaly: 'zigbee-zcl.truncated_header' }],
  ['Green Power with extended frame control and a frame counter', macFrame({ type: 1, panIdCompression: true, dstPan: 0xffff, dst: 0xffff }, [0x8c, 0x10, 0x78, 0x56, 0x34, 0x12, 5, 0, 0, 0, 0xe0, 1, 2, 3, 4], false),
    { layers: ['ieee802154', 'zigbee-gp'], linkType: LT, layer: 'zigbee-gp', fields: { applicationId: 0, securityLevel: 2, srcId: 0x12345678, frameCounter: 5, command: 0xe0 } }],
  ['Green Power encrypted: no command id', macFrame({ type: 1, panIdCompression: true, dstPan: 0xffff, dst: 0xffff }, [0x8c, 0x18, 0x78, 0x56, 0x34, 0x12, 5, 0, 0, 0, 0xe0, 1, 2, 3, 4], false),
    { layers: ['ieee802154', 'zigbee-gp'], linkType: LT, layer: 'zigbee-gp', fields: { securityLevel: 3, command: -1 } }],
  ['Green Power cut short', macFrame({ type: 1, panIdCompression: true, dstPan: 0xffff, dst: 0xffff }, [0x0c, 0x78, 0x56], false),
    { layers: ['ieee802154'], linkType: LT, anomaly: 'zigbee-gp.truncated_header' }],
];

runCases(t, 'zigbee-nwk', cases);

t.test('NWK command fields (§3.4)', async (t) => {
  const b = Uint8Array.from([0x04, 0x40, 0x06, 0x8e, 0x07, 0x34, 0x12, 0x00, 0x08, 0x63]);
  t.same(nwkCommandInfo(b, 0, 2), { command: 4, leaveOptions: 0x40 });
  t.same(nwkCommandInfo(b, 2, 4), { command: 6, capability: 0x8e });
  t.same(nwkCommandInfo(b, 4, 8), { command: 7, newAddress: 0x1234, status: 0 });
  t.same(nwkCommandInfo(b, 8, 10), { command: 8, links: 3 });
  t.equal(nwkCommandInfo(b, 4, 6), undefined, 'rejoin response cut short');
  t.equal(nwkCommandInfo(b, 0, 0), undefined);
  const f = decodeBytes(mac([0x09, 0x00, 0xfd, 0xff, 0x01, 0x10, 1, 2, 0x04, 0x40]), LT);
  t.equal((f.layers[1] as ZigbeeNwkView).command, 4);
});
