/**
 * The passive scan sequence: byte for byte the examples of
 * ../shared/reference/dongle-protocols.md §5.2 (with duplicate filtering
 * off), and, read back through the sensor's own HCI command decoder, no
 * command that could make the controller transmit: every scan-parameters
 * command has scan type 0x00, and nothing else is sent.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../test/support/shared.js';
import { decodeBytes } from '../../decode/testing.js';
import type { HciCmdView } from '../../decode/hci_cmd/index.js';
import type { HciEvtView } from '../../decode/hci_evt/index.js';
import fc from 'fast-check';
import { loadHciBinding, passiveScanCommands, stopScanCommand } from './commands.js';
import { classify, extendedScanSupported, h4Record, LINKTYPE_H4_WITH_PHDR } from './events.js';
import { BleHciSource } from './index.js';
import { ConfigError, validateConfig } from '../../config/index.js';
import { checkSources, createSource } from '../index.js';

const hexOf = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ').toUpperCase();
const DOC = sharedPath('reference', 'dongle-protocols.md');

t.test('legacy and extended sequences match the reference examples', async (t) => {
  const doc = readFileSync(DOC, 'utf8');
  const legacy = passiveScanCommands().map(hexOf);
  t.same(legacy, ['01 0B 20 07 00 10 00 10 00 00 00', '01 0C 20 02 01 00']);
  for (const c of legacy) t.ok(doc.includes(c), `${c} is in dongle-protocols.md`);
  const ext = passiveScanCommands({ extended: true }).map(hexOf);
  t.same(ext, ['01 41 20 08 00 00 01 00 10 00 10 00', '01 42 20 06 01 00 00 00 00 00']);
  for (const c of ext) t.ok(doc.includes(c), `${c} is in dongle-protocols.md`);
  t.equal(hexOf(stopScanCommand()), '01 0C 20 02 00 00');
  t.ok(doc.includes('01 0C 20 02 00 00'));
});

t.test('every command sent is passive (decoded by hci_cmd)', async (t) => {
  const seqs = [passiveScanCommands(), passiveScanCommands({ extended: true }), passiveScanCommands({ extended: true, coded: true }), passiveScanCommands({ interval: 0x60, window: 0x30 }), [stopScanCommand(), stopScanCommand(true)]];
  for (const seq of seqs) {
    for (const c of seq) {
      // The 201 link type: a direction word (0, host to controller) then the H4 packet.
      const f = decodeBytes(Uint8Array.from([0, 0, 0, 0, ...c]), 201);
      const v = f.layers[1] as HciCmdView;
      t.equal(v.name, 'hci_cmd');
      t.ok([0x200b, 0x200c, 0x2041, 0x2042].includes(v.opcode), `only scan commands: 0x${v.opcode.toString(16)}`);
      const p = v.payloadOffset;
      if (v.opcode === 0x200b) t.equal(c[4], 0x00, 'LE_Scan_Type passive');
      if (v.opcode === 0x2041) {
        const n = (c[6]! & 1) + ((c[6]! >>> 2) & 1);
        for (let i = 0; i < n; i++) t.equal(f.raw.bytes[p + 3 + i * 5], 0x00, `Scan_Type of PHY ${i} passive`);
      }
      if (v.opcode === 0x200c || v.opcode === 0x2042) t.equal(f.raw.bytes[p + 1], 0x00, 'duplicates not filtered');
    }
  }
  t.throws(() => passiveScanCommands({ interval: 0x10, window: 0x20 }), /window/);
});

t.test('the binding is loaded lazily: a missing one makes the source unavailable, not the agent fail', async (t) => {
  const r = await loadHciBinding('@iomt-sensor/no-such-binding');
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.reason, /cannot be loaded.*unavailable/);
});

t.test('events: the §5.3 advertising report example, answers to commands, hostile packets', async (t) => {
  const doc = readFileSync(DOC, 'utf8');
  const example = '04 3E 0F 02 01 03 01 66 55 44 33 22 11 03 02 01 06 BA';
  t.ok(doc.includes(example), 'the example is in dongle-protocols.md §5.3');
  const p = Uint8Array.from(example.split(' ').map((h) => parseInt(h, 16)));
  t.same(classify(p), { kind: 'adverts', extended: false, reports: 1, rssi: -70 });
  const f = decodeBytes(h4Record(p), LINKTYPE_H4_WITH_PHDR);
  t.same(f.layers.map((l) => l.name), ['hci_h4', 'hci_evt'], 'LINKTYPE 201, direction 1, reads as an HCI event');
  t.equal((f.layers[1] as HciEvtView).reportCount, 1);
  t.same(classify(Uint8Array.from([0x04, 0x0e, 0x04, 0x01, 0x0b, 0x20, 0x00])), { kind: 'complete', opcode: 0x200b, status: 0, params: new Uint8Array(0) });
  t.same(classify(Uint8Array.from([0x04, 0x0f, 0x04, 0x0c, 0x01, 0x0c, 0x20])), { kind: 'status', opcode: 0x200c, status: 0x0c });
  t.equal(classify(Uint8Array.from([0x02, 0x40, 0x00])).kind, 'other', 'ACL data is not ours');
  t.equal(classify(Uint8Array.from([0x04, 0x3e, 0x01, 0x01])).kind, 'other', 'LE Connection Complete: not a report');
  const q = Uint8Array.from(p);
  q[2] = 0x10;
  t.same(classify(q), { kind: 'bad', code: 'hci.bad_length', detail: 'parameter length 16, 15 bytes' });
  q[2] = 0x0f;
  q[13] = 32;
  t.equal((classify(q) as { code: string }).code, 'hci.truncated_report', 'a data length past the end');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
    const v = classify(Uint8Array.from([0x04, 0x3e, b.length + 2, 0x02, ...b]).subarray(0, 255 + 3));
    return ['adverts', 'bad', 'other'].includes(v.kind);
  }), { numRuns: 500 });
});

t.test('extended scanning only when Supported Commands octet 37 has bits 5 and 6', async (t) => {
  const c = new Uint8Array(64);
  t.notOk(extendedScanSupported(c));
  c[37] = 0x20;
  t.notOk(extendedScanSupported(c), 'parameters without enable');
  c[37] = 0x60;
  t.ok(extendedScanSupported(c));
  t.notOk(extendedScanSupported(new Uint8Array(10)), 'a short answer');
});

t.test('config: ble-hci keys, messages, one source per adapter', async (t) => {
  const sensor = { id: 's', site: 'h', ward: 'w' };
  const problems = (sources: unknown[]): string => {
    try {
      validateConfig({ sensor, sources });
      return '';
    } catch (err) {
      if (err instanceof ConfigError) return err.problems.join(' | ');
      throw err;
    }
  };
  t.match(problems([{ type: 'ble-hci', name: 'a', channel: 'mgmt' }]), /sources\[0\]\.channel = "mgmt": .*"raw"\|"user"/);
  t.match(problems([{ type: 'ble-hci', name: 'a', interval: 16, window: 32 }]), /sources\[0\]\.window = 32: expected a window no longer than the interval/);
  t.match(problems([{ type: 'ble-hci', name: 'a', extended: 'yes' }]), /sources\[0\]\.extended = "yes": expected auto, true or false/);
  t.match(problems([{ type: 'ble-hci', name: 'a', active: true }]), /active/, 'no key can ask for an active scan');
  const c = validateConfig({ sensor, sources: [{ type: 'ble-hci', name: 'a' }, { type: 'ble-hci', name: 'b', device: 1 }, { type: 'ble-hci', name: 'c', device: 0 }] });
  t.ok(createSource(c.sources[0]!) instanceof BleHciSource);
  t.same(await checkSources(c.sources), ['sources[2].device = 0: sources[0] scans on hci0 already; one source per adapter']);
});
