/**
 * Radiotap as a table of built headers (scripts/ward/wifi-frames.ts makes
 * them as drivers do): fields, alignment after an odd field, per-chain
 * signals behind extra radiotap-namespace words, a vendor namespace skipped
 * by its length, FCS cut and checked, bad FCS not believed, and every
 * length check. Every prefix of every case decodes without throwing.
 */
import t from 'tap';
import { rawFrame } from '../../../test/builders/frames.js';
import { beacon, cat, radiotap, ssidElement, withFcs, type RadioOptions } from '../../../scripts/ward/wifi-frames.js';
import { defaultFrameDecoder } from '../index.js';
import type { RadiotapView } from './index.js';
import { channelOfFreq, crc32 } from './consts.js';

const B = beacon('00:11:22:33:44:55', 1, 0, ssidElement('WARD'), true);
const dec = (b: Uint8Array, origLen = b.length) => defaultFrameDecoder().decode(rawFrame(b, 127, origLen));
const rt = (b: Uint8Array): RadiotapView => dec(b).layers[0] as RadiotapView;

const CASES: [string, RadioOptions, Partial<Record<keyof RadiotapView, unknown>>, string[]][] = [
  ['rate, channel, signal, noise', { freq: 2437, signal: -61, noise: -95, rate: 12 }, { rate: 12, freq: 2437, channel: 6, signal: -61, noise: -95, mcs: undefined, hasFcs: false, fcsOk: undefined }, ['radiotap', 'ieee80211']],
  ['MCS instead of rate', { freq: 5180, signal: -70, mcs: 9 }, { rate: undefined, mcs: 9, channel: 36, signal: -70 }, ['radiotap', 'ieee80211']],
  ['FCS present and good', { freq: 2412, signal: -50, rate: 2, fcs: 'good' }, { hasFcs: true, fcsOk: true, badFcs: false }, ['radiotap', 'ieee80211']],
  ['FCS flagged bad by the radio: not believed', { freq: 2412, signal: -50, rate: 2, fcs: 'bad-flag' }, { badFcs: true, note: 'radiotap.bad_fcs', nextKey: -1 }, ['radiotap']],
  ['FCS does not match: not believed', { freq: 2412, signal: -50, rate: 2, fcs: 'mismatch' }, { fcsOk: false, note: 'radiotap.fcs_mismatch', nextKey: -1 }, ['radiotap']],
  ['per-chain signals and a vendor namespace', { freq: 2462, signal: -40, rate: 2, chains: [-41, -43], fcs: 'good' }, { signals: [-40, -41, -43], fcsOk: true, note: undefined }, ['radiotap', 'ieee80211']],
];

t.test('fields', async (t) => {
  for (const [name, o, want, layers] of CASES) {
    const b = withFcs(o, B);
    const f = dec(b);
    t.same(f.layers.map((l) => l.name), layers, `${name}: layers`);
    const v = f.layers[0] as unknown as Record<string, unknown>;
    for (const [k, x] of Object.entries(want)) t.same(v[k], x, `${name}: ${k}`);
    if (layers.length > 1) t.equal(f.layers[1]!.payloadEnd, b.length - (o.fcs ? 4 : 0), `${name}: FCS cut from the 802.11 frame`);
  }
});

t.test('TSFT is aligned to 8 after the header', async (t) => {
  // present: TSFT (bit 0) + Flags (bit 1); header 8 bytes, TSFT at 8, Flags at 16.
  const h = Uint8Array.from([0, 0, 17, 0, 0x03, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 0, 0]);
  const v = rt(cat(h, B));
  t.equal(v.tsft, 0x0007060504030201);
  t.equal(v.flags, 0);
});

t.test('length checks and anomalies', async (t) => {
  t.equal(dec(Uint8Array.from([0, 0, 8])).anomaly?.code, 'radiotap.truncated_header');
  t.equal(dec(Uint8Array.from([1, 0, 8, 0, 0, 0, 0, 0])).anomaly?.code, 'radiotap.bad_version');
  t.equal(dec(Uint8Array.from([0, 0, 4, 0, 0, 0, 0, 0])).anomaly?.code, 'radiotap.bad_length');
  t.equal(dec(Uint8Array.from([0, 0, 40, 0, 0, 0, 0, 0])).anomaly?.code, 'radiotap.truncated_header');
  // Ext bit set but the header ends: the next present word is missing.
  t.equal(dec(Uint8Array.from([0, 0, 8, 0, 0, 0, 0, 0x80])).anomaly?.code, 'radiotap.bad_length');
  // A field (Channel, 4 bytes) past the header's length: warning, the 802.11 frame is still found.
  const f = dec(cat(Uint8Array.from([0, 0, 10, 0, 0x08, 0, 0, 0, 0x6c, 0x09]), B));
  t.equal(f.layers[0]!.warning?.code, 'radiotap.bad_field_length');
  t.equal(f.layers[1]?.name, 'ieee80211');
  // An unknown bit (28, TLVs) stops the field walk with a note; the frame is still decoded.
  const u = dec(cat(Uint8Array.from([0, 0, 8, 0, 0, 0, 0, 0x10]), B));
  t.equal(u.layers[0]!.note, 'radiotap.unknown_field');
  t.equal(u.layers[1]?.name, 'ieee80211');
  // Snapped: no FCS check.
  const s = withFcs({ freq: 2412, signal: -50, rate: 2, fcs: 'mismatch' }, B);
  const snapped = dec(s.subarray(0, s.length - 10), s.length);
  t.equal((snapped.layers[0] as RadiotapView).fcsOk, undefined);
  t.equal(snapped.layers[1]?.name, 'ieee80211', 'a snapped frame is still decoded');
});

t.test('channel from frequency, CRC-32', async (t) => {
  t.same([2412, 2472, 2484, 5180, 5825, 5955, 4920, 2400, 2413].map(channelOfFreq), [1, 13, 14, 36, 165, 1, 184, -1, -1]);
  t.equal(crc32(Buffer.from('123456789'), 0, 9), 0xcbf43926, 'the CRC-32 check value');
  // Eight bytes a step must agree with the bytewise definition at every length and offset.
  const bytewise = (b: Uint8Array, s: number, e: number): number => {
    let c = 0xffffffff;
    for (let i = s; i < e; i++) {
      c ^= b[i]!;
      for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff);
  let agree = 0;
  for (let s = 0; s < 9; s++) for (let e = s; e <= data.length; e += 1 + (e % 13)) if (crc32(data, s, e) === bytewise(data, s, e)) agree++; else t.fail(`crc32 [${s}, ${e})`);
  t.ok(agree > 100, `${agree} ranges agree`);
});

t.test('every prefix of every case decodes without a bug', async (t) => {
  for (const [, o] of CASES) {
    const b = withFcs(o, B);
    for (let n = 0; n <= b.length; n++) {
      const d = defaultFrameDecoder();
      d.decode(rawFrame(b.subarray(0, n), 127, b.length));
      d.decode(rawFrame(b.subarray(0, n), 127, n));
      if (d.counters.bugs !== 0) t.fail(`bug at prefix ${n}`);
    }
  }
  t.pass('no bug');
});

void radiotap;
