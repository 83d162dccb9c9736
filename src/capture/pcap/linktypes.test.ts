/**
 * The generated link-type table against the tshark on this machine: a few
 * names read straight from `tshark -G values`, and the whole file compared
 * with what the generator makes of tshark's list now. The test fails (not
 * skips) when tshark is missing: the table would be unchecked.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { describeLinktype, LINKTYPES, linktypeName } from './linktypes.js';
import { linktypeRows, parseTsharkValues, RENAMES, renderLinktypes, tsharkValues } from '../../../scripts/gen-linktypes.js';

const { values } = tsharkValues();
const fromTshark = parseTsharkValues(values);

t.test('names agree with tshark -G values for the radio and wired link types', async (t) => {
  t.ok(fromTshark.size > 150, `tshark knows ${fromTshark.size} link types`);
  for (const id of [1, 101, 105, 113, 127, 187, 201, 230, 251, 256, 272, 276, 283]) {
    t.equal(linktypeName(id), fromTshark.get(id), `linktype ${id}`);
  }
});

t.test('renames follow the tcpdump.org registry where tshark 4.0 lags it', async (t) => {
  t.equal(describeLinktype(195), '195 IEEE802_15_4_WITHFCS');
  t.equal(fromTshark.get(195), 'IEEE802_15_4', 'tshark still says IEEE802_15_4; drop the rename when it does not');
  t.equal(describeLinktype(127), '127 IEEE802_11_RADIOTAP');
  t.equal(describeLinktype(272), '272 NORDIC_BLE');
  t.equal(describeLinktype(65000), '65000 (unknown link type)');
  for (const [id, name] of RENAMES) t.equal(linktypeName(id), name);
});

t.test('the committed table is what the generator makes of tshark now', async (t) => {
  const committed = readFileSync(new URL('../../../../src/capture/pcap/linktypes.ts', import.meta.url), 'utf8');
  const generated = committed.split('\n')[4]!.replace(/^ \* /, '');
  t.match(generated, /^Source: TShark .*, generated \d{4}-\d\d-\d\d\.$/);
  t.equal(committed, renderLinktypes(linktypeRows(fromTshark), generated), 'regenerate with: npm run build && node dist/scripts/gen-linktypes.js');
  t.equal(new Set(LINKTYPES.map((l) => l.id)).size, LINKTYPES.length, 'one row per id');
});
