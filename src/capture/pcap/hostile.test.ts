/**
 * Hostile input: every prefix of a few real captures, random byte changes and
 * random garbage after valid headers. The reader must never throw, must end
 * every stream, and must report at most one fatal anomaly, as the last one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import t from 'tap';
import { PCAP_ANOMALIES, type PcapAnomalyCode } from './consts.js';
import { readChunked, readSplit, type ReadResult } from './testing.js';
import { pcapHeader, PcapNgWriter } from './writer.js';

const CAPTURES = process.env['IOMT_CAPTURES'] ?? fileURLToPath(new URL('../../../../../shared/captures', import.meta.url));

/** Files chosen to cover pcap, pcapng with options, the modified pcap layout and radiotap. */
const FILES: [string, number][] = [
  // path, first prefix length at which the whole-file reading must already hold (see the probe in reader.ts)
  ['ethernet_fingerprint/wireshark-wiki_dhcp.pcap', 0],
  ['ethernet_fingerprint/chrissanders_dhcp_nolease_initialization.pcapng', 0],
  ['wifi_80211/wireshark-wiki_210411_win10_radiotap.pcapng', 0],
  // Red Hat 6.1 layout: until two record headers are in, the standard layout is the better guess.
  ['ble_ll/iotsec-medical_fitbit-inspire2_adv_3.pcap', 24 + 24 + 48 + 24],
];

function checkEnding(r: ReadResult): string | undefined {
  if (!r.reader.ended) return 'reader not ended';
  let total = 0;
  for (const n of Object.values(r.reader.counters.anomalies)) total += n;
  if (total !== r.anomalies.length) return 'counters disagree with events';
  for (let i = 0; i < r.anomalies.length; i++) {
    const info = PCAP_ANOMALIES[r.anomalies[i]!.code as PcapAnomalyCode];
    if (info === undefined) return `undocumented code ${r.anomalies[i]!.code}`;
    if (info.fatal && i !== r.anomalies.length - 1) return `fatal ${info.code} is not the last anomaly`;
  }
  return undefined;
}

t.test('every prefix of real captures', async (t) => {
  for (const [name, settled] of FILES) {
    const path = join(CAPTURES, name);
    if (!existsSync(path)) {
      t.fail(`${path} missing`);
      continue;
    }
    const bytes = new Uint8Array(readFileSync(path));
    const full = readSplit(bytes);
    t.equal(full.anomalies.length, 0, `${name} reads cleanly`);
    const problems: string[] = [];
    for (let len = 0; len <= bytes.length; len++) {
      const prefix = bytes.subarray(0, len);
      for (const r of [readSplit(prefix), readChunked(prefix, 7)]) {
        const bad = checkEnding(r);
        if (bad !== undefined) problems.push(`${len}: ${bad}`);
        if (len >= settled && JSON.stringify(r.frames) !== JSON.stringify(full.frames.slice(0, r.frames.length))) {
          problems.push(`${len}: frames are not a prefix of the whole file's`);
        }
        const codes = r.anomalies.map((a) => a.code);
        if (len === bytes.length) {
          if (codes.length !== 0) problems.push(`${len}: anomalies on the whole file`);
        } else if (codes.length > 1 || (codes.length === 1 && !/^(pcap\.empty|pcap\.truncated_\w+|pcapng\.truncated_block)$/.test(codes[0]!))) {
          problems.push(`${len}: unexpected ${codes.join(',')}`);
        }
      }
    }
    t.same(problems.slice(0, 5), [], `${name}: ${bytes.length + 1} prefixes`);
  }
});

t.test('random byte changes and random chunking never throw', async (t) => {
  const files = FILES.map(([name]) => join(CAPTURES, name)).filter((p) => existsSync(p))
    .map((p) => new Uint8Array(readFileSync(p)));
  t.equal(files.length, FILES.length);
  const mutated = fc.record({
    file: fc.nat({ max: files.length - 1 }),
    edits: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }),
    chunk: fc.integer({ min: 1, max: 5000 }),
  });
  let anomalous = 0;
  fc.assert(fc.property(mutated, ({ file, edits, chunk }) => {
    const bytes = files[file]!.slice();
    for (const [at, v] of edits) bytes[at % bytes.length] = v;
    const r = readChunked(bytes, chunk);
    if (r.anomalies.length > 0) anomalous++;
    const bad = checkEnding(r);
    if (bad !== undefined) throw new Error(bad);
  }), { seed: 20261123, numRuns: 2000 });
  t.ok(anomalous > 0, `some mutations were caught as anomalies (${anomalous})`);
});

t.test('garbage after valid headers never throws', async (t) => {
  const ng = new PcapNgWriter();
  ng.addInterface(1, { tsresol: { base: 2, exp: 20 } });
  const heads = [pcapHeader(1), pcapHeader(127, { nanos: true, bigEndian: true }), ng.toBytes()];
  fc.assert(fc.property(fc.nat({ max: heads.length - 1 }), fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 1, max: 64 }),
    (h, tail, chunk) => {
      const bytes = new Uint8Array(heads[h]!.length + tail.length);
      bytes.set(heads[h]!);
      bytes.set(tail, heads[h]!.length);
      const bad = checkEnding(readChunked(bytes, chunk));
      if (bad !== undefined) throw new Error(bad);
    }), { seed: 7, numRuns: 3000 });
  t.pass('3000 garbage streams ended cleanly or with a documented anomaly');
});
