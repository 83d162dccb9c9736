/** PPI (LINKTYPE 192) wrapping 802.11: the 802.11-Common field, the DLT route, FCS flags and length checks. */
import t from 'tap';
import { rawFrame } from '../../../test/builders/frames.js';
import { beacon, cat, ssidElement } from '../../../scripts/ward/wifi-frames.js';
import { defaultFrameDecoder } from '../index.js';
import type { PpiView } from './index.js';

const B = beacon('00:11:22:33:44:55', 1, 0, ssidElement('WARD'), true);
/** PPI header + one 802.11-Common field (CACE PPI 1.0.10 §4.1.2). */
function ppi(flags: number, dlt = 105): Uint8Array {
  const common = [0, 0, 0, 0, 0, 0, 0, 0, flags, 0, 12, 0, 0x85, 0x09, 0xa0, 0, 0, 0, 0xc4, 0xa1];
  return Uint8Array.from([0, 0, 32, 0, dlt, 0, 0, 0, 2, 0, 20, 0, ...common]);
}
const dec = (b: Uint8Array) => defaultFrameDecoder().decode(rawFrame(b, 192));

t.test('802.11-Common and the route on the DLT', async (t) => {
  const f = dec(cat(ppi(0), B));
  t.same(f.layers.map((l) => l.name), ['ppi', 'ieee80211']);
  const v = f.layers[0] as PpiView;
  t.same([v.dlt, v.freq, v.channel, v.signal], [105, 2437, 6, -60]);
  const fcs = dec(cat(ppi(1), B, [1, 2, 3, 4]));
  t.equal(fcs.layers[1]!.payloadEnd, 32 + B.length, 'FCS cut');
  const bad = dec(cat(ppi(4), B));
  t.same([bad.layers.length, bad.layers[0]!.note], [1, 'ppi.bad_fcs'], 'FCS invalid: not believed');
  t.equal(dec(cat(ppi(0, 1), B)).layers.length, 1, 'a DLT with no ppi route stops the walk');
});

t.test('length checks', async (t) => {
  t.equal(dec(Uint8Array.from([0, 0, 8])).anomaly?.code, 'ppi.truncated_header');
  t.equal(dec(Uint8Array.from([1, 0, 8, 0, 105, 0, 0, 0])).anomaly?.code, 'ppi.bad_version');
  t.equal(dec(Uint8Array.from([0, 0, 4, 0, 105, 0, 0, 0])).anomaly?.code, 'ppi.bad_length');
  t.equal(dec(Uint8Array.from([0, 0, 64, 0, 105, 0, 0, 0])).anomaly?.code, 'ppi.truncated_header');
  t.equal(dec(Uint8Array.from([0, 0, 12, 0, 105, 0, 0, 0, 2, 0, 20, 0])).anomaly?.code, 'ppi.bad_field_length');
  const b = cat(ppi(1), B);
  for (let n = 0; n <= b.length; n++) {
    const d = defaultFrameDecoder();
    d.decode(rawFrame(b.subarray(0, n), 192, b.length));
    if (d.counters.bugs) t.fail(`bug at ${n}`);
  }
});
