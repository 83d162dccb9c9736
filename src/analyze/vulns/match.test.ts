/**
 * The matching table: devices with realistic identities (vendor, model and
 * firmware as SNMP, DHCP, HTTP or DICOM would give them) against the 14
 * ICSMA advisories of ../shared/feeds/csaf_icsma, read in place. Each row
 * names the advisories and confidence it must match, or none: fixed
 * versions, other models of the same vendor and vendors without an
 * advisory are the near misses.
 */
import t from 'tap';
import { AdvisoryIndex, CsafValidator, readFeedDir } from '../../identify/advisories/index.js';
import { matchDevice } from './match.js';
import { csafDir, csafFiles, deviceWith } from '../../../test/support/feeds.js';
import { ROWS } from './testing.js';

t.test('every row of the matching table', async (t) => {
  t.ok(csafFiles().length >= 14, `the shared advisories are there (${csafDir()})`);
  const feed = await readFeedDir(csafDir(), new CsafValidator());
  t.same(feed.rejected, [], 'every shared advisory ingests');
  const index = new AdvisoryIndex(feed);
  t.ok(ROWS.length >= 25, `${ROWS.length} rows`);
  ROWS.forEach((row, i) => {
    const got = matchDevice(deviceWith(`00:00:5e:00:53:${i.toString(16).padStart(2, '0')}`, row.attrs), index);
    t.same(Object.fromEntries(got.map((m) => [m.advisory, m.confidence])), row.want, row.name);
    if (row.cves !== undefined) t.same(got[0]?.cves, row.cves, `${row.name}: CVEs`);
  });
});

t.test('a match carries the evidence of both sides', async (t) => {
  const index = new AdvisoryIndex(await readFeedDir(csafDir(), new CsafValidator()));
  const [m] = matchDevice(deviceWith('00:00:5e:00:53:01', [['vendor', 'B. Braun', 'oui', 'mac'], ['model', 'SpaceCom2', 'snmp', 'sysDescr'], ['firmware', '012U000061', 'http', 'server']]), index);
  t.ok(m);
  t.match(m!.advisoryEvidence, /^ICSMA-21-294-01 \/product_tree\/branches\/0\/branches\/\d+\/branches\/0 product_version_range "<= 012U000061"$/);
  t.same(m!.deviceEvidence, [
    'vendor "B. Braun" (oui mac, confidence 3, span0)',
    'model "SpaceCom2" (snmp sysDescr, confidence 3, span0)',
    'firmware "012U000061" (http server, confidence 3, span0)',
  ]);
  t.equal(m!.cvss, 9);
  t.equal(m!.vector, 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H');
  t.equal(m!.remediations[0]?.category, 'vendor_fix', 'vendor fixes first');
});
