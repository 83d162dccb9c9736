/**
 * The matching table, the version grammar and the risk score, fast enough
 * for mutation testing: the shared advisories are read with `readCsaf`
 * only (advisories.test.ts proves the same files pass the validator, which
 * takes seconds to load), then every row of the table must match as it says.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdvisoryIndex, type Feed } from '../../identify/advisories/index.js';
import { readCsaf, type Advisory } from '../../identify/advisories/csaf.js';
import { covers, parseVersionSpec } from '../../identify/advisories/version.js';
import { canonicalVendor, repairMojibake } from '../../identify/advisories/names.js';
import { matchDevice } from './match.js';
import { rank, riskOf } from './risk.js';
import { ROWS } from './testing.js';
import { csafDir, csafFiles, deviceWith } from '../../../test/support/feeds.js';

function index(): AdvisoryIndex {
  const advisories: Advisory[] = [];
  for (const f of csafFiles()) {
    const r = readCsaf(JSON.parse(readFileSync(join(csafDir(), f), 'utf8')));
    if (r.ok) advisories.push(r.advisory);
  }
  const feed: Feed = { advisories, rejected: [], verified: 0, digest: 'test', versions: {} };
  return new AdvisoryIndex(feed);
}

t.test('the matching table, without the validator', async (t) => {
  const ix = index();
  t.equal(ix.advisories, 14);
  ROWS.forEach((row, i) => {
    const got = matchDevice(deviceWith(`00:00:5e:00:53:${i.toString(16).padStart(2, '0')}`, row.attrs), ix);
    t.same(Object.fromEntries(got.map((m) => [m.advisory, m.confidence])), row.want, row.name);
    if (row.cves !== undefined) t.same(got[0]?.cves, row.cves, `${row.name}: CVEs`);
  });
  t.same(matchDevice({ attrs: [] }, ix), [], 'a device with no attributes matches nothing');
  t.equal(readCsaf({}).ok, false);
  t.match(readCsaf({ document: {} }), { ok: false, reason: /tracking\/id missing/ });
});

t.test('risk: every factor, its weight and its reason', async (t) => {
  const ix = index();
  const pump = deviceWith('00:00:5e:00:53:01', [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', '012U000061'], ['class', 'infusion-pump', 'classes', 'rules'], ['services', 'tcp/80 http', 'flows', 'port']], { peers: [{ kind: 'ipv4', value: '52.1.2.3' }, { kind: 'ipv4', value: '52.1.2.4' }] });
  const m = matchDevice(pump, ix);
  const kev = { version: 'k', released: '', skipped: 0, entries: new Map([['CVE-2021-33885', { cve: 'CVE-2021-33885', dateAdded: '', ransomware: false }]]) };
  const epss = { model: 'm', date: 'd', skipped: 0, scores: new Map([['CVE-2021-33884', { epss: 0.5, percentile: 0.9 }]]) };
  const r = riskOf(pump, m, { kev, epss });
  t.same(r.factors.map((f) => [f.name, f.value, f.weight, f.points]), [['severity', 1, 50, 50], ['exposure', 0.5, 25, 13], ['criticality', 1, 25, 25]]);
  t.equal(r.score, 88);
  t.equal(r.factors[0]!.detail, 'CVSS 9.0 CVE-2021-33882 (ICSMA-21-294-01, range match); in KEV: CVE-2021-33885; EPSS 0.500 (CVE-2021-33884)');
  t.equal(r.factors[1]!.detail, '2 internet peers, cleartext tcp/80 http');
  const plain = riskOf(deviceWith('00:00:5e:00:53:09', [['vendor', 'Medtronic']]), matchDevice(deviceWith('00:00:5e:00:53:09', [['vendor', 'Medtronic']]), ix));
  t.same(plain.factors.map((f) => [f.value, f.points]), [[0.21, 11], [0, 0], [0.6, 15]], 'vendor-only: CVSS 7.1 × 0.3; no exposure; medical advisory, class unknown');
  t.equal(plain.factors[2]!.detail, 'class not known; named by an ICS-medical advisory');
  t.equal(plain.factors[1]!.detail, '0 internet peers, no cleartext service seen');
  const none = riskOf(deviceWith('00:00:5e:00:53:0a', [['class', 'printer', 'classes', 'rules']]), [], { indicatorCves: ['CVE-2025-0626'] });
  t.same(none.factors.map((f) => [f.value, f.detail]), [[0.7, 'passive indicator for CVE-2025-0626'], [0.3, '0 internet peers, no cleartext service seen, indicator fired'], [0.1, 'class printer']]);
  t.same(rank([{ device: 'b', score: 5 }, { device: 'a', score: 5 }, { device: 'c', score: 9 }]).map((x) => x.device), ['c', 'a', 'b']);
});

t.test('versions and names', async (t) => {
  const table: ReadonlyArray<readonly [string, string, string]> = [
    ['<= 2.6A', '2.6A', 'affected'], ['<= 2.6A', '2.6B', 'not-affected'], ['< 1.7.15', '1.7.15', 'not-affected'], ['< 1.7.15', '1.7.14', 'affected'],
    ['> 2.0', '2.0', 'not-affected'], ['> 2.0', '2.1', 'affected'], ['>= 2.0', '2.0', 'affected'], ['= 2.0', '2.0.0', 'affected'],
    ['prior to 012U000062', '012U000061', 'affected'], ['8.00.07 and prior', '8.0.8', 'not-affected'], ['v6.x', '6.1', 'affected'], ['v6.x', '5.9', 'not-affected'],
    ['A.01 <= C.0x | 4.0', 'C.09', 'affected'], ['A.01 <= C.0x | 4.0', 'C.10', 'not-affected'], ['<= C.0x', 'D.00', 'not-affected'], ['< C.0x', 'B.99', 'affected'],
    ['< C.0x', 'C.05', 'not-affected'], ['> C.0x', 'C.10', 'affected'], ['> C.0x', 'C.05', 'not-affected'], ['>= C.0x', 'C.00', 'affected'],
    ['>= 1.1 | <= 1.3.2', '1.4', 'not-affected'], ['>= 1.1 | <= 1.3.2', '1.1', 'affected'], ['<= L81', '011L000093', 'not-affected'], ['<= L81', '011L000081', 'affected'],
    ['all versions', 'x', 'affected'], ['MMT-1710', '1', 'unknown'], ['<= 9.19', '9.2', 'affected'], ['1.0 through 2.0', '2.0', 'affected'], ['up to 3.1', '3.2', 'not-affected'],
    ['before 4', '3.9', 'affected'], ['4.0 or later', '4.0', 'affected'], ['<= 2.6A', '2.6', 'affected'], ['<=N', 'M', 'affected'], ['<=N', 'O', 'not-affected'],
  ];
  for (const [spec, v, want] of table) t.equal(covers(parseVersionSpec(spec), v), want, `${v} against ${spec}`);
  const baxter = parseVersionSpec('v6.x (with Wireless Battery Modules v9 | v11)');
  t.same(baxter.kind === 'versions' ? [baxter.exact, baxter.qualifier] : [], [false, 'with Wireless Battery Modules v9 | v11']);
  const model = parseVersionSpec('v8.x model 35700BAX2');
  t.same(model.kind === 'versions' ? model.qualifier : '', 'model 35700BAX2');
  t.equal(repairMojibake('Innokas YhtymÃ¤ Oy'), 'Innokas Yhtymä Oy');
  t.equal(canonicalVendor('Koninklijke Philips N.V.'), 'philips');
  t.equal(canonicalVendor('Philips Medizin Systeme'), 'philips');
});
