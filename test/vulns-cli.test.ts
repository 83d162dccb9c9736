/**
 * `iomt-sensor vulns` as an operator runs it on a stopped sensor's state:
 * the ward's devices matched against the shared advisories, ranked, with
 * every factor and the advisory's remediation; the same ranking on every
 * run, and `--json` carrying the same entries.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './support/agent.js';
import { csafDir, csafFiles, deviceWith } from './support/feeds.js';
import { Store } from '../src/store/store.js';
import { deviceId } from '../src/telemetry/device.js';

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => execFile(process.execPath, [CLI, 'vulns', ...args], { maxBuffer: 16 << 20 }, (e, out, err) => res({ code: e === null ? 0 : ((e as { code?: number }).code ?? 1), out, err })));
}

t.test('the patch priority list, ranked, explained and stable', async (t) => {
  t.ok(csafFiles().length >= 14);
  const dir = mkdtempSync(join(tmpdir(), 'iomt-vulns-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  const devices = [
    deviceWith('00:00:5e:00:53:01', [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', '012U000061'], ['class', 'infusion-pump', 'classes', 'rules']]),
    deviceWith('00:00:5e:00:53:02', [['vendor', 'Philips'], ['model', 'PIC iX'], ['software', 'C.03'], ['class', 'patient-monitor', 'classes', 'rules']]),
    deviceWith('00:00:5e:00:53:03', [['vendor', 'MicroDicom'], ['model', 'DICOM Viewer'], ['software', '2023.3_Build_9000'], ['class', 'workstation', 'classes', 'rules']]),
    deviceWith('00:00:5e:00:53:04', [['vendor', 'Zebra Technologies'], ['model', 'ZD421'], ['class', 'printer', 'classes', 'rules']]),
  ];
  for (const d of devices) await store.put('devices', deviceId(d), d);
  await store.close();

  const empty = await cli(['--state', dir]);
  t.equal(empty.code, 0, empty.err);
  t.equal(empty.out, 'no device matches the feed (results stored by the agent)\n', 'without a feed: the agent\'s stored results, none yet');

  const a = await cli(['--state', dir, '--feed', csafDir()]);
  t.equal(a.code, 0, a.err);
  const b = await cli(['--state', dir, '--feed', csafDir()]);
  t.equal(b.out, a.out, 'the same ranking on every run');
  t.match(a.out, /^3 devices with known vulnerabilities; feed 14 advisories, newest ICSMA-24-060-01/);
  const order = [...a.out.matchAll(/^#(\d+) {2}(\S+) {2}risk (\d+)\/100$/gm)].map((m) => [Number(m[1]), m[2], Number(m[3])] as const);
  t.same(order.map((o) => o[1]), ['mac:00:00:5e:00:53:01', 'mac:00:00:5e:00:53:02', 'mac:00:00:5e:00:53:03'], 'pump (CVSS 9.0, infusion pump) before monitor before a viewer workstation; the printer is not listed');
  t.ok(order[0]![2] >= order[1]![2] && order[1]![2] >= order[2]![2], 'scores descend');
  t.match(a.out, /^ {4}severity {4}\d+\/50 {2}CVSS 9\.0 CVE-2021-3388\d \(ICSMA-21-294-01, range match\)$/m);
  t.match(a.out, /^ {4}criticality 25\/25 {2}class infusion-pump$/m);
  t.match(a.out, /^ {4}fix: vendor_fix: B\. Braun has released software updates/m);
  t.match(a.out, /^ {8}device: {3}vendor "B\. Braun" \(snmp sysDescr, confidence 3, span0\); model "SpaceCom2"/m);

  const j = await cli(['--state', dir, '--feed', csafDir(), '--json']);
  t.equal(j.code, 0, j.err);
  const list = JSON.parse(j.out) as { feed: string; entries: Array<{ rank: number; device: string; score: number; reasons: string[]; result: { factors: Array<{ name: string; weight: number }> } }> };
  t.same(list.entries.map((e) => [e.rank, e.device, e.score]), order.map((o) => [o[0], o[1], o[2]]), '--json gives the same ranking');
  t.same(list.entries[0]!.result.factors.map((f) => [f.name, f.weight]), [['severity', 50], ['exposure', 25], ['criticality', 25]]);

  const bad = await cli(['--feed', csafDir()]);
  t.equal(bad.code, 2);
  t.match(bad.err, /vulns needs --config FILE or --state DIR/);
});
