/**
 * The BLE ward capture (scripts/ward/ble.ts) through `replay`: tshark reads
 * every frame as nRF Sniffer BLE with a good CRC and the same advertisers;
 * the inventory holds the four health devices with their classes, the
 * followed cuff's Device Information and pairing, the phones' rotating
 * addresses merged (not one device per address), and the spoof is alerted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { replayFiles } from '../src/analyze/replay.js';
import { deviceAttr } from '../src/telemetry/device.js';
import { BLE_WARD_DEVICES, BLE_WARD_DIS, BLE_WARD_SPOOFER, writeBleWardCapture } from '../scripts/ward/ble.js';

t.test('BLE ward capture', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ble-ward-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'ble.pcap');
  const n = writeBleWardCapture(file, { seed: 7, seconds: 600 });
  const ts = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'nordic_ble.crcok', '-e', 'btle.crc.incorrect', '-e', 'btle.advertising_address'], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t'));
  t.equal(ts.length, n, 'tshark reads every frame');
  t.equal(ts.filter((r) => r[0] !== '1').length, 0, 'all CRC-good in the Nordic header');
  const s = await replayFiles({ files: [file] });
  t.same(s.bugs, []);
  for (const d of BLE_WARD_DEVICES) {
    const dev = s.devices.find((x) => x.ids[0]?.value === d.address);
    t.equal(dev && deviceAttr(dev, 'class'), d.class, `${d.name}: class from service 0x${d.service.toString(16)}`);
  }
  const cuff = s.devices.find((x) => x.ids[0]?.value === BLE_WARD_DEVICES[2].address)!;
  t.same([deviceAttr(cuff, 'vendor'), deviceAttr(cuff, 'model'), deviceAttr(cuff, 'serial'), deviceAttr(cuff, 'firmware'), deviceAttr(cuff, 'pairing')],
    [BLE_WARD_DIS.manufacturer, BLE_WARD_DIS.model, BLE_WARD_DIS.serial, BLE_WARD_DIS.firmware, 'legacy, Just Works'], 'Device Information read over GATT, and the pairing');
  const rpas = new Set(ts.map((r) => r[2]!).filter((a) => a !== '' && (parseInt(a.slice(0, 2), 16) >> 6) === 1));
  const phones = s.devices.filter((x) => x.ids[0]?.kind === 'ble' && x.ids[0].extra === 2);
  t.ok(rpas.size >= 9, `${rpas.size} rotating addresses on air`);
  t.ok(phones.length < rpas.size / 2, `merged into ${phones.length} devices`);
  const codes = s.alerts.map((a) => a.def.code);
  t.ok(codes.includes('ble.spoofed_identity'), 'the spoof is alerted');
  t.ok(s.alerts.some((a) => a.def.code === 'ble.spoofed_identity' && String(a.input.device).includes(BLE_WARD_SPOOFER)), 'against the spoofing address');
  t.ok(codes.includes('ble.weak_pairing_medical'), 'legacy Just Works on the cuff');
});
