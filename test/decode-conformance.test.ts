/**
 * Conformance against tshark: every frame of the wired captures in
 * ../shared/captures, and of a corpus the frame builders make for the
 * branches those captures hardly reach (test/builders/corpus.ts), is decoded
 * here and by tshark, and the fields in test/support/tshark-decode.ts
 * (addresses, VLAN ids, ARP, IP protocol, the IPv6 Next Header chain, ports,
 * TCP flags, ICMP and ICMPv6 type and code) must agree field by field.
 *
 * The captures are read where they are (never copied into the repository;
 * IOMT_CAPTURES moves them). A missing captures folder, fewer files than
 * MIN_FILES, fewer frames than MIN_FRAMES or a missing tshark is a failure,
 * not a skip: a comparison over nothing proves nothing.
 *
 * A length field that claims more than an unsnapped frame holds is a
 * warning, not a stop, so the headers agree with tshark (KNOWN_ANOMALIES).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import type { RawFrame, SourceAnomaly, SourceEvents } from '../src/capture/types.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { corpusCases, corpusPcap } from './builders/corpus.js';
import { capturesDir, capturesIn, tsharkVersion } from './support/captures.js';
import { coverage, diffRow, tsharkRows, type Row } from './support/tshark-decode.js';

const DIRS = ['ethernet_fingerprint', 'ethernet_medical', 'iomt_app_traffic'];
/** There are 31 files and 2,168 frames today; a little below, so losing a few files still fails loudly. */
const MIN_FILES = 28;
const MIN_FRAMES = 2_000;

/**
 * Anomalies the real captures do contain, per file. The telnet captures
 * (1999) hold frames cut short without the pcap record saying so; tshark
 * reports the same frames ("IPv4 total length exceeds packet length": 5 and
 * 25), and like tshark the decoder keeps their headers (a `Layer.warning`).
 */
const KNOWN_ANOMALIES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'ethernet_fingerprint/wireshark-wiki_telnet-cooked.pcap': { 'ipv4.bad_total_length': 5 },
  'ethernet_fingerprint/wireshark-wiki_telnet-raw.pcap': { 'ipv4.bad_total_length': 25 },
};

/**
 * The built corpus has one malformed frame on purpose: an IPv6 packet whose
 * destination-options header says UDP follows and ends the payload. A UDP
 * header is 8 bytes (RFC 768), so the packet is malformed, and tshark says so
 * too ("Malformed Packet"); compare the IPv4 datagram with no data, which
 * RFC 791 allows and neither calls malformed.
 */
const CORPUS_ANOMALIES: Readonly<Record<string, number>> = { 'udp.truncated_header': 1 };

class Events implements SourceEvents {
  readonly anomalies: SourceAnomaly[] = [];
  anomaly(a: SourceAnomaly): void {
    this.anomalies.push(a);
  }
  state(): void {}
}

/** Decodes `file` and compares it with tshark; returns the frames compared and tshark's rows. */
function compareFile(t: Test, file: string, name: string, known: Readonly<Record<string, number>>): { frames: number; rows: Row[] } {
  const expected = tsharkRows(file);
  const events = new Events();
  const reader = new PcapReader(name, events);
  const dec = defaultFrameDecoder();
  const raws: RawFrame[] = [...reader.push(readFileSync(file)), ...reader.end()];
  t.equal(raws.length, expected.length, 'frame count');
  t.same(events.anomalies, [], 'reader anomalies');
  const diffs: string[] = [];
  raws.forEach((raw, i) => {
    const want = expected[i];
    if (want !== undefined) diffs.push(...diffRow(i + 1, dec.decode(raw), want));
  });
  t.same(diffs.slice(0, 20), [], `field disagreements (${diffs.length})`);
  t.equal(dec.counters.bugs, 0, 'no decoder.bug');
  t.same(Object.fromEntries([...dec.counters.byCode].sort()), known, 'anomaly counts match the baseline');
  t.equal(dec.counters.malformed, Object.values(known).reduce((a, b) => a + b, 0), 'malformed frames');
  return { frames: Math.min(raws.length, expected.length), rows: expected };
}

const TSHARK = tsharkVersion();

t.test('tshark runs (build.sh installs it)', async (t) => {
  t.ok(TSHARK, `tshark: ${TSHARK ?? 'missing'}`);
});

t.test('decoder agrees with tshark on the wired captures', async (t) => {
  const root = capturesDir();
  const files = capturesIn(root, DIRS);
  t.ok(files.length >= MIN_FILES, `${files.length} capture files in ${root} (at least ${MIN_FILES}; IOMT_CAPTURES moves it)`);
  if (TSHARK === undefined) return;
  let frames = 0;
  const rows: Row[] = [];
  for (const file of files) {
    const name = file.slice(root.length).replace(/^\//, '');
    await t.test(name, async (t) => {
      const r = compareFile(t, file, name, KNOWN_ANOMALIES[name] ?? {});
      frames += r.frames;
      rows.push(...r.rows);
    });
  }
  t.ok(frames >= MIN_FRAMES, `${files.length} files, ${frames} frames compared (at least ${MIN_FRAMES})`);
  t.comment(`frames with each field set: ${JSON.stringify(coverage(rows))}`);
});

t.test('decoder agrees with tshark on the built corpus (VLAN, QinQ, ICMP errors, IPv6 extension headers, boundaries)', async (t) => {
  t.ok(TSHARK, 'tshark runs');
  if (TSHARK === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'h1-corpus-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'corpus.pcap');
  const cases = corpusCases();
  writeFileSync(file, corpusPcap(cases));
  const r = compareFile(t, file, 'corpus.pcap', CORPUS_ANOMALIES);
  t.equal(r.frames, cases.length, `${r.frames} built frames compared`);
  // Every branch the corpus is for must have been compared, not just built.
  const cov = coverage(r.rows);
  t.ok(r.rows.filter((x) => x['vlan.id'].includes(',')).length >= 4, 'QinQ frames');
  t.ok(r.rows.filter((x) => ['3', '4', '5', '11', '12'].includes(x['icmp.type'])).length >= 8, 'ICMPv4 errors');
  t.ok(r.rows.filter((x) => Number(x['icmpv6.type']) < 128 && x['icmpv6.type'] !== '').length >= 5, 'ICMPv6 errors');
  t.ok(r.rows.filter((x) => x['ipv6.chain'].split('>').length >= 3).length >= 2, 'IPv6 chains of two or more extension headers');
  t.ok(r.rows.filter((x) => x['ipv6.chain'].includes('>')).length >= 10, 'IPv6 packets with extension headers');
  t.ok(cov['arp.opcode']! >= 4, 'ARP frames');
  t.comment(`frames with each field set: ${JSON.stringify(cov)}`);
});
