/**
 * IEEE 802.15.4 MAC decoding (IEEE 802.15.4-2020 §7): table cases built by
 * test/builders/ieee802154.ts, plus the TAP (LINKTYPE 283) and NONASK PHY
 * (215) headers in front of it.
 */
import t from 'tap';
import { runCases, decodeBytes, type Case } from '../testing.js';
import { macFrame } from '../../../test/builders/ieee802154.js';
import { crc16Kermit, crc32 } from './fcs.js';
import type { Ieee802154View } from './index.js';

const LT_FCS = 195;
const LT_NOFCS = 230;
const LT_PHY = 215;
const LT_TAP = 283;
const E1 = '00124b0001020304';
const E2 = '000d6f000dc55800';

const tapHeader = (tlvs: number[][]): number[] => {
  const body = tlvs.flat();
  const len = 4 + body.length;
  return [0, 0, len & 0xff, len >> 8, ...body];
};

const cases: Case[] = [
  ['data short->short, PAN compressed, 2006', macFrame({ type: 1, version: 1, seq: 7, panIdCompression: true, dstPan: 0x1aab, dst: 0x0000, src: 0x1001 }, [0xaa]),
    { layers: ['ieee802154'], linkType: LT_FCS, fields: { frameType: 1, seq: 7, dstPan: 0x1aab, srcPan: 0x1aab, srcPanPresent: false, dst16: 0, src16: 0x1001, fcsOk: true } }],
  ['beacon from an extended source, 2003', macFrame({ type: 0, seq: 252, srcPan: 0xe26b, src: E1 }, [0xff, 0xcf, 0x00, 0x00]),
    { layers: ['ieee802154'], linkType: LT_FCS, fields: { frameType: 0, dstPan: -1, srcPan: 0xe26b, srcPanPresent: true, src64: E1, dst64: undefined, associationPermit: true, panCoordinator: true, beaconPayloadOffset: 17 } }],
  ['association request (ext -> short), command id', macFrame({ type: 3, seq: 1, dstPan: 0x01ff, dst: 0x0000, srcPan: 0xffff, src: E2 }, [0x01, 0x8e]),
    { layers: ['ieee802154'], linkType: LT_FCS, fields: { command: 1, src64: E2, srcPan: 0xffff } }],
  ['ack: no addresses', macFrame({ type: 2, seq: 9 }), { layers: ['ieee802154'], linkType: LT_FCS, fields: { frameType: 2, seq: 9, dst16: -1, src16: -1 } }],
  ['bad FCS: header kept, counted, not believed', macFrame({ type: 1, panIdCompression: true, dstPan: 1, dst: 2, src: 3 }, [0x08, 0x00], 0x1234),
    { layers: ['ieee802154'], linkType: LT_FCS, warnings: ['ieee802154.bad_fcs'], fields: { fcsOk: false, nextKey: -1 } }],
  ['no FCS (LINKTYPE 230)', macFrame({ type: 1, panIdCompression: true, dstPan: 1, dst: 2, src: 3 }, [1], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { fcsOk: undefined } }],
  ['2015: short/short compressed keeps only the destination PAN (Table 7-2)', macFrame({ type: 1, version: 2, panIdCompression: true, dstPan: 0x1234, dst: 1, src: 2 }, [], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { dstPan: 0x1234, srcPanPresent: false } }],
  ['2015: ext/ext not compressed carries the destination PAN only', macFrame({ type: 1, version: 2, dstPan: 0x1234, dst: E1, src: E2 }, [], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { dstPan: 0x1234, srcPanPresent: false, dst64: E1, src64: E2 } }],
  ['2015: ext/ext compressed carries no PAN', macFrame({ type: 1, version: 2, panIdCompression: true, dst: E1, src: E2 }, [], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { dstPan: -1, srcPan: -1, srcPanPresent: false } }],
  ['2015: no addresses, compressed: a destination PAN', macFrame({ type: 1, version: 2, panIdCompression: true, dstPan: 0x0102 }, [], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { dstPan: 0x0102 } }],
  ['2015: sequence number suppressed', macFrame({ type: 1, version: 2, seqSuppressed: true, panIdCompression: true, dstPan: 5, dst: 1, src: 2 }, [], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { seq: -1, dst16: 1, src16: 2 } }],
  ['auxiliary security header: level 5, key id mode 1, MIC 4', macFrame({ type: 1, version: 1, security: true, panIdCompression: true, dstPan: 1, dst: 2, src: 3, extraHeader: [0x0d, 0x10, 0x00, 0x00, 0x00, 0x07] }, [9, 9, 1, 2, 3, 4], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { secLevel: 5, keyIdMode: 1, frameCounter: 16, micLength: 4, payloadOffset: 15, payloadEnd: 17, nextKey: -1 } }],
  ['auxiliary security header cut short', macFrame({ type: 1, version: 1, security: true, panIdCompression: true, dstPan: 1, dst: 2, src: 3, extraHeader: [0x0d, 0x10] }, [], false),
    { layers: [], linkType: LT_NOFCS, anomaly: 'ieee802154.truncated_security_header' }],
  ['MIC longer than what is left', macFrame({ type: 1, version: 1, security: true, panIdCompression: true, dstPan: 1, dst: 2, src: 3, extraHeader: [0x07, 0, 0, 0, 0] }, [1, 2], false),
    { layers: [], linkType: LT_NOFCS, anomaly: 'ieee802154.truncated_mic' }],
  ['header IE then HT1, payload IE then PT (§7.4)', macFrame({ type: 1, version: 2, iePresent: true, panIdCompression: true, dstPan: 1, dst: 2, src: 3,
    extraHeader: [0x02, 0x0f, 0xaa, 0xbb, 0x00, 0x3f, 0x01, 0x88, 0x33, 0x00, 0xf8] }, [0x41], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { headerIes: [0x1e, 0x7e], payloadIes: [1, 0x0f], payloadOffset: 20 } }],
  ['a payload IE without its type bit', macFrame({ type: 1, version: 2, iePresent: true, panIdCompression: true, dstPan: 1, dst: 2, src: 3, extraHeader: [0x00, 0x3f, 0x01, 0x08] }, [], false),
    { layers: [], linkType: LT_NOFCS, anomaly: 'ieee802154.bad_ie' }],
  ['IE longer than the frame', macFrame({ type: 1, version: 2, iePresent: true, panIdCompression: true, dstPan: 1, dst: 2, src: 3, extraHeader: [0x09, 0x0f, 0xaa] }, [], false),
    { layers: [], linkType: LT_NOFCS, anomaly: 'ieee802154.truncated_ie' }],
  ['reserved addressing mode keeps the frame control', Uint8Array.from([0x41, 0x04, 0x01, 0xaa, 0xbb]),
    { layers: ['ieee802154'], linkType: LT_NOFCS, warnings: ['ieee802154.bad_addr_mode'], fields: { frameType: 1, dst16: -1, nextKey: -1 } }],
  ['frame version 3 is reserved', Uint8Array.from([0x41, 0x30, 0x01]), { layers: [], linkType: LT_NOFCS, anomaly: 'ieee802154.bad_version' }],
  ['addresses cut short', Uint8Array.from([0x41, 0x88, 0x01, 0xab]), { layers: [], linkType: LT_NOFCS, anomaly: 'ieee802154.truncated_header' }],
  ['empty frame', new Uint8Array(0), { layers: [], linkType: LT_NOFCS, anomaly: 'ieee802154.truncated_header' }],
  ['FCS frame shorter than its FCS', Uint8Array.from([0x02, 0x00]), { layers: [], linkType: LT_FCS, anomaly: 'ieee802154.truncated_header' }],
  ['multipurpose short frame control (§7.3.5)', Uint8Array.from([0x05 | (2 << 4) | (2 << 6), 0x11, 0x34, 0x12, 0x78, 0x56]),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { frameType: 5, seq: 0x11, dst16: 0x1234, src16: 0x5678 } }],
  ['Zigbee PRO NWK after a short source routes as version 2', macFrame({ type: 1, panIdCompression: true, dstPan: 1, dst: 2, src: 3 }, [0x09, 0x00, 0, 0, 0, 0, 1, 1, 0x08, 0x00], false),
    { layers: ['ieee802154', 'zigbee-nwk'], linkType: LT_NOFCS, fields: { nextKey: 2 } }],
  ['NWK-looking payload after an extended source is not Zigbee', macFrame({ type: 1, panIdCompression: true, dstPan: 1, dst: 2, src: E1 }, [0x08, 0x00, 0, 0, 0, 0, 1, 1], false),
    { layers: ['ieee802154'], linkType: LT_NOFCS, fields: { nextKey: -1 } }],
  ['Green Power (NWK version 3)', macFrame({ type: 1, panIdCompression: true, dstPan: 0xffff, dst: 0xffff }, [0x0c, 0x78, 0x56, 0x34, 0x12, 0x20], false),
    { layers: ['ieee802154', 'zigbee-gp'], linkType: LT_NOFCS, layer: 'zigbee-gp', fields: { srcId: 0x12345678, command: 0x20, autoCommissioning: false } }],
  ['TAP with FCS type 1, channel 11 and LQI', Uint8Array.from([...tapHeader([[0, 0, 1, 0, 1, 0, 0, 0], [3, 0, 3, 0, 11, 0, 0, 0], [10, 0, 1, 0, 200, 0, 0, 0]]), ...macFrame({ type: 2, seq: 3 })]),
    { layers: ['ieee802154-tap', 'ieee802154'], linkType: LT_TAP, layer: 'ieee802154-tap', fields: { channel: 11, page: 0, lqi: 200, nextKey: 1 } }],
  ['TAP with no FCS', Uint8Array.from([...tapHeader([[0, 0, 1, 0, 0, 0, 0, 0]]), ...macFrame({ type: 2, seq: 3 }, [], false)]),
    { layers: ['ieee802154-tap', 'ieee802154'], linkType: LT_TAP, fields: { seq: 3, fcsOk: undefined } }],
  ['TAP version 1 is unknown', Uint8Array.from([1, 0, 4, 0]), { layers: [], linkType: LT_TAP, anomaly: 'ieee802154-tap.bad_version' }],
  ['TAP length beyond the frame', Uint8Array.from([0, 0, 16, 0, 0, 0]), { layers: [], linkType: LT_TAP, anomaly: 'ieee802154-tap.truncated_header' }],
  ['TAP TLV beyond the header', Uint8Array.from([0, 0, 8, 0, 3, 0, 8, 0]), { layers: [], linkType: LT_TAP, anomaly: 'ieee802154-tap.truncated_tlv' }],
  ['TAP FCS type 3 is unknown', Uint8Array.from([...tapHeader([[0, 0, 1, 0, 3, 0, 0, 0]])]), { layers: [], linkType: LT_TAP, anomaly: 'ieee802154-tap.bad_fcs_type' }],
  ['NONASK PHY header, then a MAC frame with FCS', Uint8Array.from([0, 0, 0, 0, 0xa7, 5, ...macFrame({ type: 2, seq: 4 })]),
    { layers: ['ieee802154-phy', 'ieee802154'], linkType: LT_PHY, fields: { seq: 4, fcsOk: true } }],
  ['NONASK PHY with a wrong SFD', Uint8Array.from([0, 0, 0, 0, 0x7a, 5, 1, 2, 3, 4, 5]), { layers: [], linkType: LT_PHY, anomaly: 'ieee802154-phy.bad_sfd' }],
];

runCases(t, 'ieee802154', cases);

t.test('TI CC24xx metadata in place of the FCS (FrameMeta.fcsFormat 1)', async (t) => {
  const frame = macFrame({ type: 2, seq: 1 }, [], false);
  const bytes = Uint8Array.from([...frame, 0xe2, 0x80 | 107]);
  const dec = (await import('../index.js')).defaultFrameDecoder();
  const ok = dec.decode({ tsSec: 0, tsNsec: 0, source: 't', linkType: LT_FCS, bytes, origLen: bytes.length, meta: { fcsFormat: 1 } });
  const v = ok.layers[0] as Ieee802154View;
  t.same([v.fcsOk, v.rssi, v.correlation], [true, -30, 107]);
  const bad = Uint8Array.from([...frame, 0x10, 50]);
  const f2 = dec.decode({ tsSec: 0, tsNsec: 0, source: 't', linkType: LT_FCS, bytes: bad, origLen: bad.length, meta: { fcsFormat: 1 } });
  t.equal((f2.layers[0] as Ieee802154View).fcsOk, false, 'CRC-OK bit clear: not believed');
  const plain = decodeBytes(bytes, LT_FCS);
  t.equal((plain.layers[0] as Ieee802154View).fcsOk, false, 'without the source saying so, the bytes are a (wrong) CRC');
});

t.test('CRC check values', async (t) => {
  const s = Buffer.from('123456789');
  t.equal(crc16Kermit(s, 0, s.length), 0x2189, 'CRC-16/KERMIT check value');
  t.equal(crc32(s, 0, s.length), 0xcbf43926, 'CRC-32 check value');
});
