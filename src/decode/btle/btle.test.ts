/**
 * The LL decoder (btle), its CRC-24 and the AD structure walk, on built
 * frames (test/builders/ble.ts) and on a frame of a real capture.
 */
import t from 'tap';
import { hex } from '../../../test/builders/frames.js';
import { ad, adFlags, adManufacturer, adName, adServiceData16, adUuid16, advPdu, connectInd, dataL2cap, nordic } from '../../../test/builders/ble.js';
import { runCases, decodeBytes, type Case } from '../testing.js';
import { bleCrc24 } from './crc.js';
import { summarizeAd } from './ad.js';
import type { BtleView } from './index.js';
import { bleAddrType } from './index.js';

const A = 'c0:ff:ee:00:00:01';
const data = new Uint8Array([...adFlags(), ...adUuid16(0x180d, 0x180f), ...adName('Polar H10'), ...adManufacturer(0x006b, [1, 2])]);

const cases: Case[] = [
  ['ADV_IND, random static, 251', advPdu({ advA: A, random: true, data }), {
    layers: ['btle'], linkType: 251,
    fields: { isAdvertising: true, pduType: 0, txAdd: true, advAString: A, advAType: 1, crcStatus: 'ok', advDataEnd: 6 + 6 + data.length, nextKey: -1 },
  }],
  ['ADV_NONCONN_IND, public', advPdu({ type: 2, advA: '00:18:31:e4:fe:31', data }), { layers: ['btle'], linkType: 251, fields: { pduType: 2, advAType: 0, crcStatus: 'ok' } }],
  ['bad CRC is recomputed and flagged', advPdu({ advA: A, data, badCrc: true }), { layers: ['btle'], linkType: 251, fields: { crcStatus: 'bad', advAString: A } }],
  ['SCAN_REQ: AdvA second, its type from RxAdd', advPdu({ type: 3, advA: A, payload: new Uint8Array([1, 2, 3, 4, 5, 0x46, 1, 0, 0, 0xee, 0xff, 0x40]), rxRandom: true }), {
    layers: ['btle'], linkType: 251, fields: { advAString: '40:ff:ee:00:00:01', advAType: 2, advDataStart: 0 },
  }],
  ['CONNECT_IND: access address and CRC init', connectInd('11:22:33:44:55:66', A, 0xa2e7a1d4, 0x654321), { layers: ['btle'], linkType: 251, fields: { pduType: 5, advAString: A, connectAccessAddress: 0xa2e7a1d4, connectCrcInit: 0x654321 } }],
  ['Length past the end: warning, header kept', advPdu({ advA: A, data, length: 200 }), { layers: ['btle'], linkType: 251, warnings: ['btle.bad_length'], fields: { crcStatus: 'unknown' } }],
  ['5 bytes: truncated header', hex('d6be898e 40'), { layers: [], linkType: 251, anomaly: 'btle.truncated_header' }],
  ['data PDU with L2CAP to ATT', dataL2cap(0x50655a3c, 4, hex('0a 1200')), { layers: ['btle', 'l2cap', 'att'], linkType: 251, layer: 'att', fields: { opcode: 0x0a, handle: 0x12 } }],
  ['data PDU with SMP pairing request', dataL2cap(0x50655a3c, 6, hex('01 03 00 01 10 07 07')), { layers: ['btle', 'l2cap', 'smp'], linkType: 251, layer: 'smp', fields: { ioCapability: 3, authReq: 1, isPairingExchange: true } }],
  ['SMP pairing request cut short', dataL2cap(0x50655a3c, 6, hex('01 03 00')), { layers: ['btle', 'l2cap'], linkType: 251, anomaly: 'smp.truncated_pairing' }],
  ['Nordic 272 ADV_IND', nordic({ channel: 38, rssi: -92 }, advPdu({ advA: A, data })), {
    layers: ['nordic_ble', 'btle'], linkType: 272, layer: 'nordic_ble', fields: { protocolVersion: 3, packetId: 2, channel: 38, rssi: -92, crcOk: true, auxType: -1 },
  }],
  ['Nordic 272 encrypted data PDU is not routed on', nordic({ id: 6, flags: 0x04 }, dataL2cap(0x50655a3c, 4, hex('1b 1200 00'))), { layers: ['nordic_ble', 'btle'], linkType: 272, layer: 'btle', fields: { nextKey: -1 } }],
];

runCases(t, 'btle', cases);

t.test('CRC-24 of a real ADV_IND (tesi-ble_hr-chest-strap frame 2: CRC bytes 1d 96 6d)', async (t) => {
  const pdu = hex('40 0e ce b8 bd ef 78 de 07 ff 4c 00 12 02 20 02');
  t.equal(bleCrc24(pdu, 0, pdu.length, 0x555555), 0x6d961d);
  t.not(bleCrc24(pdu, 0, pdu.length, 0x555554), 0x6d961d, 'the init value matters');
});

t.test('address types from TxAdd and the two top bits (Vol 6 Part B §1.3)', async (t) => {
  t.equal(bleAddrType(false, 0xff), 0, 'public');
  t.equal(bleAddrType(true, 0xc0), 1, 'static: 0b11');
  t.equal(bleAddrType(true, 0x40), 2, 'resolvable: 0b01');
  t.equal(bleAddrType(true, 0x3f), 3, 'non-resolvable: 0b00');
  t.equal(bleAddrType(true, 0x80), 4, 'reserved: 0b10');
});

t.test('AD structures: every field type, and malformed ones', async (t) => {
  const all = new Uint8Array([
    ...adFlags(0x1a), ...adUuid16(0x1810), ...ad(0x05, [0x78, 0x56, 0x34, 0x12]), ...ad(0x07, Array.from({ length: 16 }, (_, i) => i)),
    ...adName('BP', false), ...adName('BP cuff 7'), ...ad(0x0a, [0xf4]), ...adServiceData16(0xfcd2, [0x40, 0x01]), ...ad(0x19, [0x41, 0x03]),
    ...ad(0x24, [0x17, ...new TextEncoder().encode('//ex.org')]), ...adManufacturer(0x004c, [0x12]),
  ]);
  const s = summarizeAd(all, 0, all.length);
  t.equal(s.flags, 0x1a);
  t.same(s.services, ['1810', '12345678', '0f0e0d0c0b0a09080706050403020100', 'fcd2']);
  t.same(s.serviceData, ['fcd2']);
  t.equal(s.name, 'BP cuff 7', 'the complete name wins over the shortened one');
  t.equal(s.nameShort, false);
  t.equal(s.txPower, -12);
  t.equal(s.appearance, 0x0341);
  t.equal(s.uri, 'https://ex.org');
  t.same(s.companies, [0x004c]);
  t.equal(s.problem, '');
  t.equal(s.structures, 11);
  const over = new Uint8Array([...adFlags(), 0x09, 0xff, 0x4c, 0x00]);
  t.equal(summarizeAd(over, 0, over.length).problem, 'ad.bad_length', 'a structure running past the end');
  const odd = new Uint8Array([...ad(0x03, [0x0d, 0x18, 0x0f])]);
  const o = summarizeAd(odd, 0, odd.length);
  t.equal(o.problem, 'ad.bad_field', 'a 16-bit list of 3 bytes');
  t.same(o.services, ['180d'], 'the whole UUIDs are kept');
  const padded = new Uint8Array([...adFlags(), 0, 0, 0]);
  t.equal(summarizeAd(padded, 0, padded.length).structures, 1, 'a zero length ends the data (padding)');
  const nul = new Uint8Array([...ad(0x09, [0x41, 0x00, 0x42]), ...ad(0x08, [0x07, 0x43])]);
  t.equal(summarizeAd(nul, 0, nul.length).name, 'A', 'a NUL ends a name; control characters are dropped');
  for (const cut of [0, 1, 2, 5, all.length - 1]) t.doesNotThrow(() => summarizeAd(all, 0, cut));
});

t.test('every prefix of a built frame decodes without a throw', async (t) => {
  const frames = [nordic({}, advPdu({ advA: A, data })), nordic({ id: 6 }, dataL2cap(0x11223344, 4, hex('0b 41 42 43'))), connectInd(A, A, 1)];
  let n = 0;
  for (const f of frames) {
    for (let i = 0; i <= f.length; i++) {
      const d = decodeBytes(f.subarray(0, i), f === frames[2] ? 251 : 272);
      t.equal(d.anomaly?.code === 'decoder.bug', false);
      const b = d.layers.find((l) => l.name === 'btle') as BtleView | undefined;
      if (b) void [b.advAString, b.advDataStart, b.connectAccessAddress, b.crc, b.controlOpcode];
      n++;
    }
  }
  t.ok(n > 100);
});
