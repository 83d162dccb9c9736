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
import { loadHciBinding, passiveScanCommands, stopScanCommand } from './commands.js';

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
