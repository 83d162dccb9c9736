/**
 * `npm run demo` end to end (scripts/demo.ts, on a small wired ward): it
 * exits 0 and shows, per medium, what the sensor found and at least one
 * alert for each radio medium (Wi-Fi, BLE, Zigbee), from the generators'
 * injected attacks.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('the demo covers every medium', async (t) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'demo.js'), '--frames', '3000'], { encoding: 'utf8', timeout: 120_000 });
  t.equal(r.status, 0, r.stderr.slice(-2000));
  for (const h of ['Wi-Fi: ', 'BLE: ', 'Zigbee: ']) t.match(r.stderr, `==> ${h}`, `${h.trim()} section`);
  const alerts = r.stdout.split('\n').filter((l) => l.startsWith('  ALERT ')).map((l) => l.split(' ')[3]!);
  t.ok(alerts.some((c) => c.startsWith('wifi.')), 'a Wi-Fi alert');
  t.ok(alerts.includes('ble.spoofed_identity'), 'the BLE spoof');
  t.ok(alerts.includes('zigbee.key_transport_default_tc_key'), 'the Zigbee key under ZigBeeAlliance09');
  t.match(r.stdout, /BedExit-Z2 +1\.8\.0 +battery/, 'Zigbee nodes with model, software and battery');
  t.match(r.stdout, /BP-300, SN0003, fw 2\.1\.4/, 'the followed BLE cuff with its Device Information');
});
