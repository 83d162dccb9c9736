/** ZDO bodies (Zigbee R22 §2.4.3, §2.4.4). */
import t from 'tap';
import { zdoInfo } from './index.js';
import { eui64 } from '../../../test/builders/ieee802154.js';

const E = '00124b0001020304';
const b = (x: number[]): Uint8Array => Uint8Array.from(x);

t.test('Device Announce', async (t) => {
  const x = b([0x34, 0x12, ...eui64(E), 0x8e]);
  t.same(zdoInfo(0x0013, x, 0, x.length), { cluster: 0x13, nwkAddr: 0x1234, ieee: E, capability: 0x8e });
  t.equal(zdoInfo(0x0013, x, 0, 10), undefined);
});

t.test('Node Descriptor response: logical type and manufacturer code', async (t) => {
  const x = b([0, 0x34, 0x12, 0x02, 0x40, 0x80, 0x5d, 0xc2, 0x52, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00]);
  t.same(zdoInfo(0x8002, x, 0, x.length), { cluster: 0x8002, status: 0, nwkAddr: 0x1234, logicalType: 2, capability: 0x80, manufacturerCode: 0xc25d });
  t.same(zdoInfo(0x8002, b([0x81, 0x34, 0x12]), 0, 3), { cluster: 0x8002, status: 0x81, nwkAddr: 0x1234 }, 'error status');
  t.equal(zdoInfo(0x8002, x, 0, 2), undefined);
});

t.test('Power Descriptor response', async (t) => {
  const x = b([0, 0x34, 0x12, 0x40, 0xc4]);
  t.same(zdoInfo(0x8003, x, 0, x.length), { cluster: 0x8003, status: 0, nwkAddr: 0x1234, availablePowerSources: 4, currentPowerSource: 4, powerLevel: 12 });
});

t.test('Simple Descriptor response and requests', async (t) => {
  const body = [1, 0x04, 0x01, 0x02, 0x04, 0x01, 2, 0x00, 0x00, 0x02, 0x04, 1, 0x19, 0x00];
  const x = b([0, 0x34, 0x12, body.length, ...body]);
  t.same(zdoInfo(0x8004, x, 0, x.length), {
    cluster: 0x8004, status: 0, nwkAddr: 0x1234, endpoint: 1, profile: 0x0104, deviceId: 0x0402, inClusters: [0, 0x0402], outClusters: [0x19],
  });
  t.equal(zdoInfo(0x8004, x, 0, x.length - 1), undefined, 'length beyond the frame');
  t.same(zdoInfo(0x0004, b([0x34, 0x12, 1]), 0, 3), { cluster: 4, nwkAddr: 0x1234, endpoint: 1 });
  t.same(zdoInfo(0x0002, b([0x34, 0x12]), 0, 2), { cluster: 2, nwkAddr: 0x1234 });
  t.same(zdoInfo(0x0036, b([0xfe, 1]), 0, 2), { cluster: 0x36, permitDuration: 0xfe });
  t.equal(zdoInfo(0x0005, b([0x34, 0x12]), 0, 2), undefined, 'not read');
});
