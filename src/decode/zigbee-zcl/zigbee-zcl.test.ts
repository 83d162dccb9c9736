/** ZCL attribute records (ZCL §2.5.1, §2.5.2, §2.5.11) and data type lengths (Table 2-10). */
import t from 'tap';
import { MAX_ZCL_TEXT, zclAttributes } from './index.js';
import { zclTypeLength } from './consts.js';
import { zclRecords, zclString } from '../../../test/builders/ieee802154.js';

t.test('Report Attributes: strings, enums, integers', async (t) => {
  const x = Uint8Array.from(zclRecords([[0x0004, 0x42, zclString('Acme')], [0x0007, 0x30, [3]], [0x0021, 0x20, [200]], [0x0000, 0x21, [0x34, 0x12]], [0x1, 0x23, [1, 0, 0, 0x80]]]));
  t.same(zclAttributes(0x0a, x, 0, x.length), [
    { id: 4, type: 0x42, value: 'Acme' }, { id: 7, type: 0x30, value: 3 }, { id: 0x21, type: 0x20, value: 200 },
    { id: 0, type: 0x21, value: 0x1234 }, { id: 1, type: 0x23, value: 0x80000001 },
  ]);
});

t.test('Read Attributes Response skips failed records; Read Attributes lists ids', async (t) => {
  const x = Uint8Array.from([0x04, 0x00, 0x86, 0x05, 0x00, 0x00, 0x42, ...zclString('M1')]);
  t.same(zclAttributes(0x01, x, 0, x.length), [{ id: 5, type: 0x42, value: 'M1' }]);
  const r = Uint8Array.from([0x04, 0x00, 0x05, 0x00, 0x00]);
  t.same(zclAttributes(0x00, r, 0, r.length), [{ id: 4, type: -1, value: undefined }, { id: 5, type: -1, value: undefined }]);
});

t.test('bounded and tolerant', async (t) => {
  const long = 'x'.repeat(200);
  const x = Uint8Array.from([0x05, 0x00, 0x42, 200, ...Buffer.from(long)]);
  t.equal((zclAttributes(0x0a, x, 0, x.length)[0]!.value as string).length, MAX_ZCL_TEXT, 'text cut');
  t.same(zclAttributes(0x0a, x, 0, x.length - 1), [], 'a string longer than the frame ends the list');
  t.same(zclAttributes(0x0a, Uint8Array.from([1, 0, 0x48, 0]), 0, 4), [], 'an array ends the list');
  t.same(zclAttributes(0x0b, x, 0, x.length), [], 'other commands carry no records');
  const many = Uint8Array.from(new Array(40).fill([0, 0, 0x10, 1]).flat());
  t.equal(zclAttributes(0x0a, many, 0, many.length).length, 16, 'at most MAX_ZCL_RECORDS');
});

t.test('type lengths', async (t) => {
  t.same([0x08, 0x0f, 0x10, 0x18, 0x20, 0x27, 0x28, 0x30, 0x31, 0x38, 0x39, 0x3a, 0x41, 0x44, 0xe2, 0xe8, 0xea, 0xf0, 0xf1, 0x48].map(zclTypeLength),
    [1, 8, 1, 1, 1, 8, 1, 1, 2, 2, 4, 8, -1, -2, 4, 2, 4, 8, 16, 0]);
});
