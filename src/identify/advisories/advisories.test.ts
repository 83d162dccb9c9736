/**
 * Feed ingestion: every shared ICSMA advisory with its real-world oddities,
 * a malformed document rejected with its reason while the rest load, the
 * SHA-512 sidecar check, KEV and EPSS files (small fixtures written here),
 * and the version grammar as a table.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsafValidator, readFeedDir, repairMojibake, canonicalVendor } from './index.js';
import { compareVersions, covers, parseVersionSpec, versionIn } from './version.js';
import { readEpss, readKev } from './exploited.js';
import { csafDir, csafFiles } from '../../../test/support/feeds.js';

const validator = new CsafValidator();

t.test('every shared advisory ingests, with its oddities', async (t) => {
  const files = csafFiles();
  t.ok(files.length >= 14, `advisories found in ${csafDir()}`);
  const feed = await readFeedDir(csafDir(), validator);
  t.same(feed.rejected, []);
  t.equal(feed.advisories.length, files.length);
  const byId = new Map(feed.advisories.map((a) => [a.id, a]));
  // Double-encoded vendor upstream: "Innokas YhtymÃ¤ Oy".
  const innokas = [...byId.get('ICSMA-21-007-01')!.products.values()][0]!;
  t.equal(innokas.vendor, 'Innokas Yhtymä Oy');
  t.equal(innokas.vendorId, 'innokas');
  // Version strings with prose: the battery-module list is a qualifier, v6.x the version.
  const baxter = byId.get('ICSMA-20-170-04')!.products.get('CSAFPID-0002')!;
  t.equal(baxter.versionField, 'product_version_range');
  t.equal(baxter.version.kind, 'versions');
  t.match(baxter.version.kind === 'versions' ? baxter.version.qualifier : '', /^with Wireless Battery Modules v9 \| v11/);
  t.equal(covers(baxter.version, 'v6.05'), 'affected');
  t.equal(covers(baxter.version, 'v8.01'), 'not-affected');
  // "vers:all/*" (CSAF's vers URI for every version).
  t.equal(byId.get('ICSMA-18-219-01')!.products.get('CSAFPID-0001')!.version.kind, 'all');
  // Model numbers where a version belongs: a variant, not a version.
  const mmt = byId.get('ICSMA-22-263-01')!.products.get('CSAFPID-0002')!.version;
  t.same(mmt.kind === 'variant' ? mmt.variants : [], ['MMT-1715', 'MMT-1754', 'MMT-1755']);
  // Every vulnerability read: CVE, CWE, CVSS v3 vector and score, status, remediation categories.
  const braun = byId.get('ICSMA-21-294-01')!;
  t.equal(braun.vulns.length, 5);
  const v = braun.vulns.find((x) => x.cve === 'CVE-2021-33885')!;
  t.equal(v.cwe, 'CWE-345');
  t.same(v.scores[0]!.cvss[0], { version: '3.0', baseScore: 9, vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H', severity: 'CRITICAL' });
  t.same([...v.affected].sort(), ['CSAFPID-0001', 'CSAFPID-0002', 'CSAFPID-0003', 'CSAFPID-0004', 'CSAFPID-0005']);
  t.same([...new Set(v.remediations.map((r) => r.category))], ['vendor_fix']);
  t.same([...new Set(byId.get('ICSMA-20-254-01')!.vulns[0]!.remediations.map((r) => r.category))].sort(), ['mitigation', 'vendor_fix']);
  t.match(feed.versions.csaf, /^14 advisories, newest ICSMA-24-060-01 v1 2024-02-29, digest [0-9a-f]{16}$/);
});

/** A small CSAF 2.0 document: one vendor, an affected range, a fixed version, a CVSS v4 score, a product group. */
function csaf(id: string, opts: { version?: string; affected?: string; fixed?: string; cvss4?: boolean } = {}): Record<string, unknown> {
  return {
    document: {
      category: 'csaf_security_advisory',
      csaf_version: '2.0',
      publisher: { category: 'vendor', name: 'Example Medical', namespace: 'https://example.org' },
      title: `Example pump ${id}`,
      tracking: {
        id,
        status: 'final',
        version: opts.version ?? '1',
        initial_release_date: '2026-01-01T00:00:00.000Z',
        current_release_date: `2026-01-0${opts.version ?? '1'}T00:00:00.000Z`,
        // Mandatory test 6.1.21: the history lists every version from 1.
        revision_history: Array.from({ length: Number(opts.version ?? '1') }, (_, i) => ({ date: `2026-01-0${i + 1}T00:00:00.000Z`, number: String(i + 1), summary: i === 0 ? 'Initial' : 'Update' })),
      },
    },
    product_tree: {
      branches: [{ category: 'vendor', name: 'Example Medical', branches: [{ category: 'product_name', name: 'Pump 9', branches: [
        { category: 'product_version_range', name: opts.affected ?? '<= 2.4', product: { product_id: 'P1', name: 'Pump 9 <= 2.4' } },
        { category: 'product_version', name: opts.fixed ?? '2.5', product: { product_id: 'P2', name: 'Pump 9 2.5' } },
      ] }] }],
      product_groups: [{ group_id: 'G1', product_ids: ['P1', 'P2'] }],
    },
    vulnerabilities: [{
      cve: 'CVE-2026-0001',
      cwe: { id: 'CWE-798', name: 'Use of Hard-coded Credentials' },
      product_status: { known_affected: ['P1'], fixed: ['P2'] },
      scores: [{ products: ['P1'], ...(opts.cvss4 === true
        ? { cvss_v4: { version: '4.0', vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', baseScore: 9.3, baseSeverity: 'CRITICAL' } }
        : { cvss_v3: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: 9.8, baseSeverity: 'CRITICAL' } }) }],
      remediations: [{ category: 'vendor_fix', details: 'Update to 2.5.', group_ids: ['G1'] }],
      notes: [{ category: 'summary', text: 'Hard-coded credentials.' }],
    }],
  };
}

t.test('a malformed advisory is rejected with its reason; the rest load', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'csaf-feed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'good.json'), JSON.stringify(csaf('EX-1', { cvss4: true })));
  const bad = csaf('EX-2');
  delete (bad.document as Record<string, unknown>).publisher;
  writeFileSync(join(dir, 'no-publisher.json'), JSON.stringify(bad));
  writeFileSync(join(dir, 'truncated.json'), JSON.stringify(csaf('EX-3')).slice(0, 200));
  // Mandatory test 6.1.1: a product id the tree does not define.
  const dangling = csaf('EX-4');
  ((dangling.vulnerabilities as Array<Record<string, unknown>>)[0]!.product_status as Record<string, unknown>).known_affected = ['P9'];
  writeFileSync(join(dir, 'dangling.json'), JSON.stringify(dangling));
  const feed = await readFeedDir(dir, validator);
  t.same(feed.advisories.map((a) => a.id), ['EX-1']);
  const reasons = Object.fromEntries(feed.rejected.map((r) => [r.file, r.reason]));
  t.match(reasons['no-publisher.json'], /^not valid CSAF 2\.0: \/document must have required property 'publisher' \(csaf_2_0\)/);
  t.match(reasons['truncated.json'], /^not JSON: /);
  t.match(reasons['dangling.json'], /^not valid CSAF 2\.0: \/vulnerabilities\/0\/product_status\/known_affected\/0 definition of product id missing \(mandatoryTest_6_1_1\)/);
  const v = feed.advisories[0]!.vulns[0]!;
  t.same(v.scores[0]!.cvss[0], { version: '4.0', baseScore: 9.3, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', severity: 'CRITICAL' });
  t.same(v.remediations[0]!.productIds, ['P1', 'P2'], 'group ids expand to their products');
  t.same([...v.fixed], ['P2']);
  t.equal(v.summary, 'Hard-coded credentials.');
  t.match(feed.versions.csaf, /, 3 rejected$/);
});

t.test('SHA-512 sidecars: a match counts as verified, a mismatch rejects the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'csaf-sha-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const good = JSON.stringify(csaf('EX-1'));
  writeFileSync(join(dir, 'ex-1.json'), good);
  // CISA's sidecar format: "<hex>  <file name>".
  writeFileSync(join(dir, 'ex-1.json.sha512'), `${createHash('sha512').update(good).digest('hex')}  ex-1.json\n`);
  writeFileSync(join(dir, 'ex-2.json'), JSON.stringify(csaf('EX-2')));
  writeFileSync(join(dir, 'ex-2.json.sha512'), `${createHash('sha512').update('something else').digest('hex')}  ex-2.json\n`);
  writeFileSync(join(dir, 'ex-3.json'), JSON.stringify(csaf('EX-3')));
  writeFileSync(join(dir, 'ex-3.json.sha512'), 'not a digest\n');
  const feed = await readFeedDir(dir, validator);
  t.same(feed.advisories.map((a) => a.id), ['EX-1']);
  t.equal(feed.verified, 1);
  t.match(feed.rejected, [{ file: 'ex-2.json', reason: /^sha512 mismatch: sidecar [0-9a-f]{16}…, file [0-9a-f]{16}…$/ }, { file: 'ex-3.json', reason: 'sha512 sidecar holds no SHA-512 digest' }]);
});

t.test('a newer revision of an advisory replaces the older; the digest follows the content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'csaf-rev-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.json'), JSON.stringify(csaf('EX-1', { version: '2', affected: '<= 3.0' })));
  writeFileSync(join(dir, 'b.json'), JSON.stringify(csaf('EX-1', { version: '1' })));
  const one = await readFeedDir(dir, validator);
  t.equal(one.advisories.length, 1);
  t.equal(one.advisories[0]!.version, '2');
  t.equal(one.advisories[0]!.products.get('P1')!.version.text, '<= 3.0');
  const again = await readFeedDir(dir, validator);
  t.equal(again.digest, one.digest, 'same files, same digest');
  writeFileSync(join(dir, 'b.json'), JSON.stringify(csaf('EX-1', { version: '3' })));
  const three = await readFeedDir(dir, validator);
  t.equal(three.advisories[0]!.version, '3');
  t.not(three.digest, one.digest);
});

t.test('KEV catalogue and EPSS scores, bad rows counted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'csaf-kev-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kev = {
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: '2026.11.28',
    dateReleased: '2026-11-28T15:00:00.0000Z',
    count: 3,
    vulnerabilities: [
      { cveID: 'CVE-2021-33885', vendorProject: 'B. Braun', product: 'SpaceCom', vulnerabilityName: 'test', dateAdded: '2026-01-05', shortDescription: '', requiredAction: 'Apply updates', dueDate: '2026-01-26', knownRansomwareCampaignUse: 'Unknown', notes: '' },
      { cveID: 'CVE-2020-12040', vendorProject: 'Baxter', product: 'Spectrum', vulnerabilityName: 'test', dateAdded: '2026-02-01', shortDescription: '', requiredAction: 'Apply updates', dueDate: '2026-02-22', knownRansomwareCampaignUse: 'Known', notes: '' },
      { cveID: 'not-a-cve' },
    ],
  };
  writeFileSync(join(dir, 'known_exploited_vulnerabilities.json'), JSON.stringify(kev));
  writeFileSync(join(dir, 'epss_scores.csv'), '#model_version:v2025.03.14,score_date:2026-11-28T00:00:00+0000\ncve,epss,percentile\nCVE-2021-33885,0.01234,0.81\nCVE-2020-12040,0.00500,0.50\nCVE-2020-1,2,0.1\n');
  writeFileSync(join(dir, 'ex-1.json'), JSON.stringify(csaf('EX-1')));
  const feed = await readFeedDir(dir, validator);
  t.equal(feed.kev?.entries.size, 2);
  t.equal(feed.kev?.skipped, 1);
  t.same(feed.kev?.entries.get('CVE-2020-12040'), { cve: 'CVE-2020-12040', dateAdded: '2026-02-01', ransomware: true });
  t.same(feed.epss?.scores.get('CVE-2021-33885'), { epss: 0.01234, percentile: 0.81 });
  t.equal(feed.epss?.skipped, 1);
  t.same(feed.versions, { csaf: feed.versions.csaf, kev: '2026.11.28 (2 CVEs)', epss: '2026-11-28T00:00:00+0000 v2025.03.14 (2 CVEs)' });
  t.match(readKev({ vulnerabilities: [] }), { ok: false, reason: /catalogVersion/ });
  t.match(readEpss('a,b\n1,2\n'), { ok: false, reason: /lacks cve and epss/ });
  t.match(readEpss(''), { ok: false, reason: /no header/ });
});

t.test('mojibake repair and vendor aliases', async (t) => {
  t.equal(repairMojibake('Innokas YhtymÃ¤ Oy'), 'Innokas Yhtymä Oy');
  t.equal(repairMojibake('Innokas Yhtymä Oy'), 'Innokas Yhtymä Oy', 'correct text is left alone');
  t.equal(repairMojibake('Ã'), 'Ã', 'a lone lead byte is not mojibake');
  t.equal(repairMojibake('Ã¤ and €'), 'Ã¤ and €', 'text beyond Latin-1 was never double-encoded');
  t.equal(canonicalVendor('B. Braun Melsungen AG'), 'b-braun');
  t.equal(canonicalVendor('Philips Medizin Systeme Boeblingen GmbH'), 'philips');
  t.equal(canonicalVendor('GE Healthcare'), 'ge-healthcare');
  t.equal(canonicalVendor('GEO Semiconductor'), 'geosemiconductor', 'a short alias is no prefix match');
  t.equal(canonicalVendor('  '), undefined);
});

/** [spec, device version, verdict]. */
const VERSIONS: ReadonlyArray<readonly [string, string, 'affected' | 'not-affected' | 'unknown']> = [
  ['<= 2.6A', '2.6A', 'affected'],
  ['<= 2.6A', '2.6', 'affected'],
  ['<= 2.6A', '2.6B', 'not-affected'],
  ['< 1.7.15', '1.7.9', 'affected'],
  ['< 1.7.15', '1.7.15', 'not-affected'],
  ['< 1.7.15', '1.7.15.0', 'not-affected'],
  ['prior to 012U000062', '012U000061', 'affected'],
  ['prior to 012U000062', '012U000062', 'not-affected'],
  ['prior to 012U000062', '011L000050', 'unknown'],
  ['8.00.07 and prior', '8.00.07', 'affected'],
  ['8.00.07 and prior', '8.0.8', 'not-affected'],
  ['<= 9.19', '9.2', 'affected'],
  ['<= 9.19', '9.20', 'not-affected'],
  ['all versions', 'anything', 'affected'],
  ['vers:all/*', '1', 'affected'],
  ['v6.x', '6.12', 'affected'],
  ['v6.x', '7.0', 'not-affected'],
  ['5.x.x', '5.0.1', 'affected'],
  ['A.01 <= C.0x | 4.0', 'B.05', 'affected'],
  ['A.01 <= C.0x | 4.0', 'C.09', 'affected'],
  ['A.01 <= C.0x | 4.0', 'C.10', 'not-affected'],
  ['A.01 <= C.0x | 4.0', '4.0', 'affected'],
  ['A.01 <= C.0x | 4.0', '4.1', 'not-affected'],
  ['>= 1.1 | <= 1.3.2', '1.0', 'not-affected'],
  ['>= 1.1 | <= 1.3.2', '1.2', 'affected'],
  ['>= 1.1 | <= 1.3.2', '1.4', 'not-affected'],
  ['A10 < A11', 'A11', 'affected'],
  ['<=N', 'M.00', 'affected'],
  ['<=N', 'N.0', 'affected'],
  ['<=N', 'P.01', 'not-affected'],
  ['<= L81', '011L000081', 'affected'],
  ['<= L81', '011L000093', 'not-affected'],
  ['<= L81', '012U000050', 'unknown'],
  ['1.0 to 2.0', '1.5', 'affected'],
  ['3.0 and later', '3.1', 'affected'],
  ['3.0 and later', '2.9', 'not-affected'],
  ['MMT-1710', '1.0', 'unknown'],
];

t.test('the version grammar of medical advisories', async (t) => {
  for (const [spec, v, want] of VERSIONS) t.equal(covers(parseVersionSpec(spec), v), want, `${JSON.stringify(v)} against ${JSON.stringify(spec)}`);
  t.equal(compareVersions('1.10', '1.9'), 1);
  t.equal(compareVersions('v2.0', '2'), 0);
  t.equal(compareVersions('1.7.15', 'L81'), undefined, 'digits against letters have no order');
  t.equal(compareVersions('', '1'), undefined);
  t.equal(versionIn('SpaceCom2 fw 012U000062'), '012U000062');
  t.equal(versionIn('Version: 5.7.1 build 2'), '5.7.1');
  t.equal(versionIn('no digits here'), undefined);
  t.same(parseVersionSpec('Software versions 2.6A or lower'), { kind: 'versions', text: 'Software versions 2.6A or lower', alternatives: [[{ op: '<=', v: { text: '2.6A', tokens: [2, 6, 'a'] } }]], exact: false });
  t.equal(parseVersionSpec('B.02 | C.02').kind === 'versions' && parseVersionSpec('B.02 | C.02').kind, 'versions');
  const list = parseVersionSpec('B.02 | C.02');
  t.equal(list.kind === 'versions' && list.exact, true, 'a list of exact versions is exact');
});

// Keeps the fixture honest: the CSAF written above is itself valid for the validator.
t.test('the fixture advisory is valid CSAF 2.0', async (t) => {
  const r = await validator.validate(JSON.parse(JSON.stringify(csaf('EX-9'))));
  t.same(r, { ok: true, reasons: [] });
});
