/**
 * Upgrading a state directory: a store at schema 1 (release 0.1, written
 * here with the store code limited to its first migration, which is what
 * 0.1 ran) opens under this build, its device records become schema 2
 * records the inventory restores, and what 0.1 wrongly made devices (remote
 * addresses) is dropped on restore.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { InventoryAnalyzer } from '../src/analyze/inventory/index.js';
import { OuiRegistry } from '../src/identify/oui.js';
import { deviceAddresses, deviceAttr, deviceId } from '../src/telemetry/device.js';

/** Device records exactly as release 0.1 stored them. */
const V1 = [
  { key: 'mac:00:09:fb:44:55:66', mac: '00:09:fb:44:55:66', ips: ['10.30.0.21', 'fe80::209:fbff:fe44:5566'], vendor: 'Philips Medizin Systeme Boeblingen GmbH', firstSeen: [1_767_596_400, 24_000], lastSeen: [1_767_596_461, 985_000], frames: 202, bytes: 21_661, sources: ['ward'] },
  { key: 'mac:02:11:22:33:44:55', mac: '02:11:22:33:44:55', ips: [], firstSeen: [1_767_596_401, 0], lastSeen: [1_767_596_402, 0], frames: 3, bytes: 180, sources: ['ward', 'span1'] },
  { key: 'ip:10.30.0.99', ips: ['10.30.0.99'], firstSeen: [1_767_596_403, 0], lastSeen: [1_767_596_404, 0], frames: 1, bytes: 60, sources: ['tun0'] },
  { key: 'ip:52.1.2.3', ips: ['52.1.2.3'], firstSeen: [1_767_596_403, 0], lastSeen: [1_767_596_404, 0], frames: 9, bytes: 900, sources: ['tun0'] },
  { key: 'mac:garbage', ips: 'x' },
];

t.test('a schema 1 state directory migrates and loads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const old = await Store.open(dir, { migrations: MIGRATIONS.filter((m) => m.to === 1) });
  t.equal(old.schemaVersion, 1);
  await old.batch([...V1.map((r) => ({ type: 'put' as const, area: 'devices' as const, key: r.key, value: r })), { type: 'put', area: 'devices', key: '!learning_start', value: 1_767_596_400 }], { sync: true });
  await old.close();

  const store = await Store.open(dir);
  t.teardown(() => store.close());
  t.equal(store.schemaVersion, 2, 'migrated to the current schema');
  const records = await store.all('devices');
  t.same(records.map(([k]) => k).sort(), ['!learning_start', 'ipv4:10.30.0.99', 'ipv4:52.1.2.3', 'mac:00:09:fb:44:55:66', 'mac:02:11:22:33:44:55'], 'keys are the first identifier; the record that was not a device is gone');
  const philips = records.find(([k]) => k === 'mac:00:09:fb:44:55:66')![1];
  t.same(philips, {
    ids: [{ kind: 'mac', value: '00:09:fb:44:55:66' }, { kind: 'ipv4', value: '10.30.0.21' }, { kind: 'ipv6', value: 'fe80::209:fbff:fe44:5566' }],
    attrs: [{ name: 'vendor', value: 'Philips Medizin Systeme Boeblingen GmbH', proto: 'oui', field: 'mac', time: 1_767_596_400, confidence: 2, source: 'ward' }],
    firstSeen: 1_767_596_400, lastSeen: 1_767_596_461, frames: 202, bytes: 21_661, sources: ['ward'],
  });

  const inv = new InventoryAnalyzer({ maxDevices: 100, learningPeriodS: 0, deltaIntervalS: 10, maxIpsPerDevice: 16 }, new OuiRegistry());
  inv.restore(records);
  t.same(inv.records().map(deviceId).sort(), ['ipv4:10.30.0.99', 'mac:00:09:fb:44:55:66', 'mac:02:11:22:33:44:55'], 'restored; the remote address 0.1 made a device is not one');
  t.equal(inv.counters.restore_rejected, 1);
  const p = inv.records().find((r) => deviceId(r) === 'mac:00:09:fb:44:55:66')!;
  t.equal(deviceAttr(p, 'vendor'), 'Philips Medizin Systeme Boeblingen GmbH');
  t.same(deviceAddresses(p), ['10.30.0.21', 'fe80::209:fbff:fe44:5566']);
});

t.test('migration runs once: reopening a migrated store changes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-migrate2-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const old = await Store.open(dir, { migrations: MIGRATIONS.filter((m) => m.to === 1) });
  await old.put('devices', V1[0]!.key, V1[0]);
  await old.close();
  const a = await Store.open(dir);
  const first = await a.all('devices');
  await a.close();
  const b = await Store.open(dir);
  t.teardown(() => b.close());
  t.same(await b.all('devices'), first);
});
