/**
 * BLE identification through the inventory, on the real captures: the
 * same replay as `iomt-sensor replay` (analyzers.ts, default caps).
 *   - the heart-rate strap capture yields one heart-rate device (class from
 *     service 0x180D) with its vendor (the IEEE OUI of its public address);
 *   - every Device Information string and Battery Level that tshark shows
 *     read in any capture is an attribute of a device (btatt.* fields);
 *   - the pairing captures yield their pairing method: the association
 *     model of Core Spec Vol 3 Part H §2.3.5.1 from the SMP Pairing Request
 *     and Response that tshark decodes (btsmp.*), and the kind the capture's
 *     name and provenance state (sc-justworks, le_secure_connections, legacy);
 *   - no device comes from a bad-CRC frame: every BLE device of a sniffer
 *     capture is an advertiser tshark sees in a CRC-good frame, or a peer of
 *     a followed connection.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { replayFiles } from '../src/analyze/replay.js';
import { deviceAttr } from '../src/telemetry/device.js';
import { pairingMethod } from '../src/decode/smp/index.js';
import { capturesDir, tsharkVersion } from './support/captures.js';

const ROOT = capturesDir();
const USER_DLT = ['-o', 'uat:user_dlts:"User 0 (DLT=147)","btle","0","","0",""'];

function tshark(file: string, filter: string, fields: readonly string[]): string[][] {
  const args = ['-r', file, ...(file.includes('_ppi') ? USER_DLT : []), '-Y', filter, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f'];
  for (const f of fields) args.push('-e', f);
  return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

t.ok(tsharkVersion(), 'tshark runs');

t.test('heart-rate strap: one heart-rate device, with its vendor and firmware', async (t) => {
  const file = join(ROOT, 'ble_ll/tesi-ble_hr-chest-strap_fascia_cardio.pcapng');
  const s = await replayFiles({ files: [file] });
  const hr = s.devices.filter((d) => d.attrs.some((a) => a.name === 'class' && a.field === 'service 0x180d'));
  t.equal(hr.length, 1, 'exactly one device advertises Heart Rate');
  const d = hr[0]!;
  t.same(d.ids[0], { kind: 'ble', value: '00:18:31:e4:fe:31', extra: 0 }, 'the strap PROVENANCE.md names, public address');
  t.equal(deviceAttr(d, 'class'), 'wearable');
  t.equal(deviceAttr(d, 'vendor'), 'Texas Instruments', 'vendor from the OUI of its public address');
  t.equal(deviceAttr(d, 'firmware'), tshark(file, 'btatt.firmware_revision_string', ['btatt.firmware_revision_string'])[0]?.[0], 'firmware read over GATT, as tshark reads it');
  t.same(s.bugs, []);
});

const DIS_FIELDS: readonly [string, string][] = [
  ['btatt.manufacturer_string', 'vendor'], ['btatt.model_number_string', 'model'], ['btatt.serial_number_string', 'serial'],
  ['btatt.firmware_revision_string', 'firmware'], ['btatt.software_revision_string', 'software'], ['btatt.battery_level', 'battery'],
];

const ALL = [
  'ble_ll/bsniffhub_sc-justworks.pcap', 'ble_ll/crackle_le_secure_connections.pcapng', 'ble_ll/crackle_pairing_and_ltk_exchange_ppi.pcap',
  'ble_ll/iotsec-medical_withings-bpm_connection_2.pcap', 'ble_ll/tesi-ble_garmin-edge540.pcapng', 'ble_ll/tesi-ble_hr-chest-strap_fascia_cardio.pcapng',
  'ble_ll/whad_ble_pairing.pcap', 'ble_hci/airbily-smartwatch_bluethoot_logs.pcapng', 'ble_hci/dsd6-tracker_btsnoop_hci.log', 'ble_hci/wban-python_btsnoop_hci.log',
];

t.test('every Device Information string and battery level tshark sees read becomes an attribute', async (t) => {
  let compared = 0;
  for (const rel of ALL) {
    const file = join(ROOT, rel);
    const s = await replayFiles({ files: [file] });
    for (const [field, attr] of DIS_FIELDS) {
      // Only read responses: a write or a notification of the same characteristic is not a read.
      const want = new Set(tshark(file, `btatt.opcode == 0x0b && ${field}`, [field]).map((r) => r[0]!.trim()).filter((v) => v !== ''));
      for (const v of want) {
        compared++;
        t.ok(s.devices.some((d) => deviceAttr(d, attr as 'vendor') === v), `${rel}: ${attr} ${v}`);
      }
    }
  }
  t.ok(compared >= 5, `${compared} values compared (firmware and software of the strap; firmware, serial and battery of the wban wearable)`);
});

const PAIRING: readonly [string, RegExp][] = [
  ['ble_ll/bsniffhub_sc-justworks.pcap', /^LE Secure Connections, Just Works$/],
  ['ble_ll/crackle_le_secure_connections.pcapng', /^LE Secure Connections, /],
  ['ble_ll/crackle_pairing_and_ltk_exchange_ppi.pcap', /^legacy, /],
  ['ble_ll/whad_ble_pairing.pcap', /^legacy, /],
  ['ble_ll/iotsec-medical_withings-bpm_connection_2.pcap', /./],
  ['ble_ll/tesi-ble_garmin-edge540.pcapng', /./],
];

t.test('pairing captures yield their pairing method', async (t) => {
  for (const [rel, kind] of PAIRING) {
    const file = join(ROOT, rel);
    const rows = tshark(file, 'btsmp.opcode == 0x01 || btsmp.opcode == 0x02', ['btsmp.opcode', 'btsmp.io_capability', 'btsmp.oob_data_flags', 'btsmp.authreq']);
    const req = rows.find((r) => r[0] === '0x01');
    const rsp = rows.find((r) => r[0] === '0x02');
    t.ok(req && rsp, `${rel}: tshark sees a Pairing Request and Response`);
    if (!req || !rsp) continue;
    const p = (r: string[]) => ({ io: parseInt(r[1]!, 16), oob: parseInt(r[2]!, 16), auth: parseInt(r[3]!, 16) });
    const want = pairingMethod(p(req), p(rsp));
    t.match(want, kind, `${rel}: ${want} is what the capture is said to hold`);
    const s = await replayFiles({ files: [file] });
    const got = s.devices.map((d) => deviceAttr(d, 'pairing')).filter((x) => x !== undefined);
    t.same(got, [want], `${rel}: one device with pairing "${want}"`);
  }
});

t.test('the association model table (Core Spec Vol 3 Part H §2.3.5.1, Table 2.8)', async (t) => {
  const MITM = 0x04;
  const SC = 0x08;
  const p = (io: number, auth: number, oob = 0) => ({ io, oob, auth });
  const rows: [string, ReturnType<typeof p>, ReturnType<typeof p>, string][] = [
    ['no MITM on either side', p(4, 0), p(4, 0), 'legacy, Just Works'],
    ['both OOB, legacy', p(4, MITM, 1), p(4, MITM, 1), 'legacy, OOB'],
    ['one OOB, legacy: not OOB', p(3, 0, 1), p(3, 0, 0), 'legacy, Just Works'],
    ['one OOB, SC: OOB', p(3, SC, 1), p(3, SC, 0), 'LE Secure Connections, OOB'],
    ['DisplayOnly x KeyboardOnly', p(0, MITM), p(2, 0), 'legacy, passkey'],
    ['DisplayYesNo x DisplayYesNo, legacy', p(1, MITM), p(1, MITM), 'legacy, Just Works'],
    ['DisplayYesNo x DisplayYesNo, SC', p(1, MITM | SC), p(1, MITM | SC), 'LE Secure Connections, numeric comparison'],
    ['KeyboardDisplay x KeyboardDisplay, SC', p(4, MITM | SC), p(4, SC), 'LE Secure Connections, numeric comparison'],
    ['KeyboardDisplay x KeyboardDisplay, legacy', p(4, MITM), p(4, 0), 'legacy, passkey'],
    ['NoInputNoOutput x KeyboardDisplay', p(3, MITM | SC), p(4, MITM | SC), 'LE Secure Connections, Just Works'],
    ['KeyboardOnly x DisplayYesNo, SC', p(2, MITM | SC), p(1, SC), 'LE Secure Connections, passkey'],
    ['SC on one side only is legacy', p(2, MITM | SC), p(0, MITM), 'legacy, passkey'],
    ['DisplayOnly x DisplayOnly', p(0, MITM), p(0, MITM), 'legacy, Just Works'],
    ['reserved IO capability', p(7, MITM), p(2, MITM), 'legacy, Just Works'],
  ];
  for (const [name, i, r, want] of rows) t.equal(pairingMethod(i, r), want, name);
});

t.test('no device from a bad-CRC frame: every BLE device is an address tshark sees in a CRC-good frame', async (t) => {
  for (const rel of ['ble_ll/tesi-ble_ambient-adv_capture.pcapng', 'ble_ll/iotsec-medical_senseu-babymonitor_adv_1.pcap', 'ble_ll/tesi-ble_garmin-edge540.pcapng']) {
    const file = join(ROOT, rel);
    const good = new Set(tshark(file, 'nordic_ble.crcok == 1', ['btle.advertising_address', 'btle.initiator_address']).flatMap((r) => r.filter((x) => x !== '')));
    const bad = new Set(tshark(file, 'nordic_ble.crcok == 0', ['btle.advertising_address']).map((r) => r[0]!).filter((x) => x !== '' && !good.has(x)));
    const s = await replayFiles({ files: [file] });
    const ble = s.devices.filter((d) => d.ids[0]?.kind === 'ble');
    const strays = ble.map((d) => d.ids[0]!.value).filter((v) => !good.has(v));
    t.same(strays, [], `${rel}: ${ble.length} devices, all from CRC-good frames (${bad.size} addresses only in bad-CRC frames)`);
    t.ok(ble.length > 0 && ble.length <= good.size, 'some devices, no more than the good advertisers');
  }
});
