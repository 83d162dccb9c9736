/** APS command contents (Zigbee R22 §4.4.10): Transport Key, Update Device, Request Key, Switch Key. */
import t from 'tap';
import { apsCommandInfo } from './index.js';
import { eui64, transportNetworkKey } from '../../../test/builders/ieee802154.js';

const E = '00124b0001020304';
const TC = '000d6f000dc55800';

t.test('Transport Key of a network key', async (t) => {
  const key = Array.from({ length: 16 }, (_, i) => i);
  const b = Uint8Array.from(transportNetworkKey(key, 3, E, TC));
  const c = apsCommandInfo(b, 0, b.length)!;
  t.same({ ...c, key: [...b.subarray(c.keyOffset!, c.keyOffset! + 16)] }, { command: 5, keyType: 1, keyOffset: 2, keySeq: 3, dst64: E, src64: TC, key });
  t.equal(apsCommandInfo(b, 0, b.length - 1), undefined, 'one byte short');
});

t.test('Transport Key of a TC link key and of an application link key', async (t) => {
  const tc = Uint8Array.from([0x05, 0x04, ...new Array(16).fill(7), ...eui64(E), ...eui64(TC)]);
  t.same(apsCommandInfo(tc, 0, tc.length), { command: 5, keyType: 4, keyOffset: 2, dst64: E, src64: TC });
  const app = Uint8Array.from([0x05, 0x03, ...new Array(16).fill(7), ...eui64(E), 1]);
  t.same(apsCommandInfo(app, 0, app.length), { command: 5, keyType: 3, keyOffset: 2, dst64: E });
  t.equal(apsCommandInfo(app, 0, 10), undefined);
});

t.test('Update Device, Request Key, Switch Key, others', async (t) => {
  const u = Uint8Array.from([0x06, ...eui64(E), 0x34, 0x12, 1]);
  t.same(apsCommandInfo(u, 0, u.length), { command: 6, device64: E, deviceShort: 0x1234, status: 1 });
  t.equal(apsCommandInfo(u, 0, u.length - 1), undefined);
  t.same(apsCommandInfo(Uint8Array.from([0x08, 0x04]), 0, 2), { command: 8, keyType: 4 });
  const rk = Uint8Array.from([0x08, 0x02, ...eui64(E)]);
  t.same(apsCommandInfo(rk, 0, rk.length), { command: 8, keyType: 2, dst64: E });
  t.equal(apsCommandInfo(rk, 0, 5), undefined);
  t.same(apsCommandInfo(Uint8Array.from([0x09, 0x02]), 0, 2), { command: 9, keySeq: 2 });
  t.equal(apsCommandInfo(Uint8Array.from([0x09]), 0, 1), undefined);
  t.same(apsCommandInfo(Uint8Array.from([0x0e]), 0, 1), { command: 0x0e });
  t.equal(apsCommandInfo(Uint8Array.from([]), 0, 0), undefined);
});
