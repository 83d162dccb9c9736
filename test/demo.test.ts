/**
 * `npm run demo` end to end (scripts/demo.ts, on a small wired ward): it
 * exits 0 and shows, per medium, what the sensor found and at least one
 * alert for each radio medium (Wi-Fi, BLE, Zigbee), from the generators'
 * injected attacks; the medical roles and one cleartext-PHI alert.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('the demo covers every medium', async (t) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'demo.js'), '--frames', '3000'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr.slice(-2000));
  for (const h of ['Wi-Fi: ', 'BLE: ', 'Zigbee: ', 'Medical: ']) t.match(r.stderr, `==> ${h}`, `${h.trim()} section`);
  const alerts = r.stdout.split('\n').filter((l) => l.startsWith('  ALERT ')).map((l) => l.split(' ')[3]!);
  t.ok(alerts.some((c) => c.startsWith('wifi.')), 'a Wi-Fi alert');
  t.ok(alerts.includes('ble.spoofed_identity'), 'the BLE spoof');
  t.ok(alerts.includes('zigbee.key_transport_default_tc_key'), 'the Zigbee key under ZigBeeAlliance09');
  t.match(r.stdout, /BedExit-Z2 +1\.8\.0 +battery/, 'Zigbee nodes with model, software and battery');
  t.match(r.stdout, /BP-300, SN0003, fw 2\.1\.4/, 'the followed BLE cuff with its Device Information');
  // medical (issue 11): roles from DICOM, HL7, POCT1-A and SDC, and the cleartext-PHI alert without the (synthetic) patient.
  t.ok(alerts.includes('phi.cleartext_transport'), 'a cleartext-PHI alert');
  t.match(r.stdout, /imaging +pacs +SYN_PACS +SYNWARD_1\.0/, 'the PACS by its AE title and software');
  t.match(r.stdout, /medical-gateway +sdc-consumer +SYN_MONGW/, 'the monitor gateway (ORU^R01 sender, SDC consumer)');
  t.match(r.stdout, /infusion-pump +sdc-provider +MDC_DEV_PUMP_INFUS_MDS/, 'the SDC infusion pump');
  t.match(r.stdout, /lab-analyzer .* SYNLAB +SYNLAB BG-SYN 9|lab-analyzer .*SYNLAB/, 'the POCT1-A analyser');
  t.notMatch(r.stdout, /SYNTHETIC|SYN-0000/, 'no patient name or ID is printed');
});
