import t from 'tap';
import { gzipSync } from 'node:zlib';
import { PCAP_ANOMALIES } from './consts.js';
import { PcapReader } from './reader.js';
import { EventLog, hex, readChunked, readSplit, type PlainFrame } from './testing.js';
import { concatBytes, pcapFile, pcapHeader, PcapNgWriter, type TsResolution } from './writer.js';

const payload = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Five frames of different lengths (0, 1, 3, 60, 1514 bytes) and awkward timestamps. */
const frames = [
  { tsSec: 0, tsNsec: 0, bytes: payload(0, 1) },
  { tsSec: 1, tsNsec: 999_999_999, bytes: payload(1, 2) },
  { tsSec: 1_700_000_000, tsNsec: 123_456_789, bytes: payload(3, 3), origLen: 70 },
  { tsSec: 4_294_967_295, tsNsec: 1_000, bytes: payload(60, 4) },
  { tsSec: 1_234_567_890, tsNsec: 500_000_000, bytes: payload(1514, 5) },
];

function expectedPcap(nanos: boolean, linkType: number): PlainFrame[] {
  return frames.map((f) => ({
    tsSec: f.tsSec,
    tsNsec: nanos ? f.tsNsec : Math.floor(f.tsNsec / 1000) * 1000,
    linkType,
    origLen: f.origLen ?? f.bytes.length,
    iface: 0,
    hex: hexOf(f.bytes),
  }));
}

t.test('classic pcap round trips', async (t) => {
  for (const [name, nanos, bigEndian] of [
    ['µs little-endian', false, false],
    ['ns little-endian', true, false],
    ['µs big-endian', false, true],
    ['ns big-endian', true, true],
  ] as const) {
    const file = pcapFile(127, frames, { nanos, bigEndian });
    const r = readSplit(file);
    t.same(r.frames, expectedPcap(nanos, 127), name);
    t.same(r.anomalies, [], `${name}: no anomalies`);
    t.equal(r.reader.format, 'pcap');
    t.same(r.reader.counters, { frames: 5, bytes: 1578, bytesIn: file.length, skippedBlocks: 0, anomalies: {} });
  }
});

t.test('hand-built big-endian pcap, independent of the writer', async (t) => {
  // a1b2c3d4 magic (BE), v2.4, snaplen 65535, linktype 1 (FCS bits set in the high nibble, masked off);
  // one record: ts 1600000000 (0x5f5e1000) + 999999 µs, caplen 4, origlen 60, de ad be ef.
  const file = hex(`
    a1b2c3d4 0002 0004 00000000 00000000 0000ffff 10000001
    5f5e1000 000f423f 00000004 0000003c deadbeef`);
  const r = readSplit(file);
  t.same(r.frames, [{ tsSec: 1600000000, tsNsec: 999999000, linkType: 1, origLen: 60, iface: 0, hex: 'deadbeef' }]);
  t.same(r.anomalies, []);
});

t.test('hand-built big-endian pcapng, independent of the writer', async (t) => {
  // SHB (28 bytes), IDB linktype 1 snaplen 0 no options (20), EPB ts 1600000000.123456 µs =
  // 0x0005af31:0x07a5e240, caplen 4, origlen 4 (36), then an unknown block type 0x0bad (12).
  const file = hex(`
    0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffff ffffffff 0000001c
    00000001 00000014 0001 0000 00000000 00000014
    00000006 00000024 00000000 0005af31 07a5e240 00000004 00000004 01020304 00000024
    00000bad 0000000c 0000000c`);
  const r = readSplit(file);
  t.same(r.frames, [{ tsSec: 1600000000, tsNsec: 123456000, linkType: 1, origLen: 4, iface: 0, hex: '01020304' }]);
  t.same(r.anomalies, []);
  t.equal(r.reader.format, 'pcapng');
  t.equal(r.reader.counters.skippedBlocks, 1);
});

/** What a pcapng reader must report for a timestamp written at the given resolution: truncated, then back to ns. */
function atResolution(tsSec: number, tsNsec: number, res: TsResolution, offset = 0): [number, number] {
  const units = res.base === 2 ? 1n << BigInt(res.exp) : 10n ** BigInt(res.exp);
  const ts = BigInt(tsSec - offset) * units + (BigInt(tsNsec) * units) / 1_000_000_000n;
  return [Number(ts / units) + offset, Number(((ts % units) * 1_000_000_000n) / units)];
}

function ngFile(bigEndian: boolean): { bytes: Uint8Array; expected: PlainFrame[] } {
  const w = new PcapNgWriter({ bigEndian });
  const ifs: { linkType: number; res: TsResolution; offset: number }[] = [
    { linkType: 1, res: { base: 10, exp: 3 }, offset: 0 },
    { linkType: 127, res: { base: 10, exp: 9 }, offset: 0 },
    { linkType: 195, res: { base: 2, exp: 10 }, offset: 1_000_000 },
    { linkType: 272, res: { base: 10, exp: 12 }, offset: 0 }, // beyond ns: the bigint path
    { linkType: 256, res: { base: 2, exp: 40 }, offset: 0 }, // beyond 2^-32: the bigint path
    { linkType: 201, res: { base: 2, exp: 32 }, offset: -5 },
  ];
  for (const i of ifs) w.addInterface(i.linkType, { tsresol: i.res, tsoffset: i.offset === 0 ? undefined : i.offset, snaplen: 65535 });
  const expected: PlainFrame[] = [];
  frames.forEach((f, k) => {
    const id = k % ifs.length;
    const i = ifs[id]!;
    // 64 bits of 10^-12 or 2^-40 units cover only about 2^24 seconds.
    const tsSec = i.res.exp >= 12 ? f.tsSec % 10_000_000 : Math.max(f.tsSec, i.offset);
    w.epb(id, tsSec, f.tsNsec, f.bytes, f.origLen);
    const [s, ns] = atResolution(tsSec, f.tsNsec, i.res, i.offset);
    expected.push({ tsSec: s, tsNsec: ns, linkType: i.linkType, origLen: f.origLen ?? f.bytes.length, iface: id, hex: hexOf(f.bytes) });
  });
  w.epb(5, 1_700_000_001, 999_999_999, payload(7, 9));
  const [s5, ns5] = atResolution(1_700_000_001, 999_999_999, ifs[5]!.res, -5);
  expected.push({ tsSec: s5, tsNsec: ns5, linkType: 201, origLen: 7, iface: 5, hex: hexOf(payload(7, 9)) });
  // Unknown and unused blocks are skipped: a Name Resolution Block type, a custom block, garbage type.
  w.raw(0x00000004, new Uint8Array(4));
  w.raw(0x00000bad, payload(5, 7));
  w.raw(0x40000bad, payload(8, 8));
  // Obsolete Packet Block on interface 1.
  w.opb(1, 1_600_000_000, 42, payload(33, 6), 99);
  expected.push({ tsSec: 1_600_000_000, tsNsec: 42, linkType: 127, origLen: 99, iface: 1, hex: hexOf(payload(33, 6)) });
  return { bytes: w.toBytes(), expected };
}

t.test('pcapng round trips: six interfaces, if_tsresol 10^-3/10^-9/2^-10/10^-12/2^-40/2^-32, if_tsoffset, OPB, skipped blocks', async (t) => {
  for (const bigEndian of [false, true]) {
    const { bytes, expected } = ngFile(bigEndian);
    const r = readSplit(bytes);
    t.same(r.frames, expected, bigEndian ? 'big-endian' : 'little-endian');
    t.same(r.anomalies, []);
    t.equal(r.reader.counters.skippedBlocks, 3);
    t.equal(r.reader.counters.frames, expected.length);
  }
  // Spot checks written out by hand, so that a shared mistake in atResolution() and the reader shows.
  const { expected } = ngFile(false);
  t.same(expected.slice(0, 3).map((f) => [f.tsSec, f.tsNsec]), [
    [0, 0], // ms resolution
    [1, 999_999_999], // ns resolution
    [1_700_000_000, 123_046_875], // 2^-10: floor(0.123456789 * 1024) = 126 units = 0.123046875 s
  ]);
});

t.test('SPB takes interface 0, no timestamp, and the least of origLen, snaplen and block', async (t) => {
  const w = new PcapNgWriter();
  w.addInterface(105, { snaplen: 8 });
  w.addInterface(1);
  w.spb(payload(20, 1), 20);
  w.spb(payload(5, 2), 5);
  w.spb(payload(6, 3), 4); // block holds 6 (padded to 8), origLen 4: caplen 4
  const r = readSplit(w.toBytes());
  t.same(r.frames.map((f) => [f.tsSec, f.tsNsec, f.linkType, f.iface, f.origLen, f.hex]), [
    [0, 0, 105, 0, 20, hexOf(payload(8, 1))],
    [0, 0, 105, 0, 5, hexOf(payload(5, 2))],
    [0, 0, 105, 0, 4, hexOf(payload(4, 3))],
  ]);
  t.same(r.anomalies, []);
});

t.test('a new SHB resets interfaces and may change byte order', async (t) => {
  const a = new PcapNgWriter();
  a.addInterface(1);
  a.addInterface(127);
  a.epb(1, 10, 0, payload(4, 1));
  const b = new PcapNgWriter({ bigEndian: true });
  b.addInterface(195);
  b.epb(0, 20, 5000, payload(4, 2));
  const good = readSplit(concatBytes([a.toBytes(), b.toBytes()]));
  t.same(good.frames.map((f) => [f.linkType, f.iface, f.tsSec, f.tsNsec]), [[127, 1, 10, 0], [195, 0, 20, 5000]]);
  t.same(good.anomalies, []);

  // Interface 1 existed only in the first section (same byte order, so the stale EPB parses as a block).
  const c = new PcapNgWriter();
  c.addInterface(195);
  const aBytes = a.toBytes();
  const cBytes = c.toBytes();
  const r = readSplit(concatBytes([aBytes, cBytes, a.epb(1, 30, 0, payload(4, 3))]));
  t.equal(r.frames.length, 1);
  t.same(r.anomalies.map((x) => x.code), ['pcapng.bad_interface']);
  t.equal(r.anomalies[0]!.offset, aBytes.length + cBytes.length, 'offset of the EPB');
});

t.test('anomalies: each ends the stream with its code and the offset of the bad record', async (t) => {
  const pcap = pcapFile(1, frames.slice(0, 3));
  const setU32 = (b: Uint8Array, off: number, v: number, le = true): Uint8Array => {
    const c = b.slice();
    new DataView(c.buffer).setUint32(off, v, le);
    return c;
  };
  const ng = new PcapNgWriter();
  ng.addInterface(1);
  ng.epb(0, 1, 0, payload(4, 1));
  const ngBytes = ng.toBytes(); // SHB 28 | IDB 20 | EPB 36
  const cases: [string, Uint8Array, string, number, number][] = [
    // name, bytes, code, offset, frames before
    ['empty stream', new Uint8Array(0), 'pcap.empty', 0, 0],
    ['unknown magic', hex('deadbeef 00020004 00000000'), 'pcap.bad_magic', 0, 0],
    ['cut inside the file header', pcap.subarray(0, 10), 'pcap.truncated_header', 0, 0],
    ['cut inside a record header', pcap.subarray(0, 24 + 16 + 8), 'pcap.truncated_record', 40, 1],
    ['cut inside record data', pcap.subarray(0, pcap.length - 1), 'pcap.truncated_record', 24 + 16 + 17, 2],
    ['caplen above 256 KiB', setU32(pcap, 24 + 16 + 8, 300_000), 'pcap.bad_caplen', 40, 1],
    ['block length below 12', setU32(ngBytes, 48 + 4, 8), 'pcapng.bad_block_length', 48, 0],
    ['block length not a multiple of 4', setU32(ngBytes, 48 + 4, 34), 'pcapng.bad_block_length', 48, 0],
    ['trailing length differs', setU32(ngBytes, ngBytes.length - 4, 40), 'pcapng.trailing_length_mismatch', 48, 0],
    ['SHB byte-order magic wrong', setU32(ngBytes, 8, 0x11223344), 'pcapng.bad_byte_order_magic', 0, 0],
    ['SHB major version 2', setU32(ngBytes, 12, 2), 'pcapng.bad_version', 0, 0],
    ['EPB caplen beyond its block', setU32(ngBytes, 48 + 20, 9), 'pcapng.bad_caplen', 48, 0],
    ['EPB on an undeclared interface', setU32(ngBytes, 48 + 8, 3), 'pcapng.bad_interface', 48, 0],
    ['block cut short', ngBytes.subarray(0, ngBytes.length - 2), 'pcapng.truncated_block', 48, 0],
    ['EPB shorter than its fixed fields', hex('0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffff ffffffff 1c000000 06000000 10000000 00000000 10000000'),
      'pcapng.bad_block_length', 28, 0],
  ];
  for (const [name, bytes, code, offset, before] of cases) {
    t.ok(code in PCAP_ANOMALIES, `${code} is in the table`);
    for (const size of [bytes.length || 1, 1, 7]) {
      const r = readChunked(bytes, size);
      t.same(r.anomalies.map((a) => [a.code, a.offset]), [[code, offset]], `${name} (chunks of ${size})`);
      t.equal(r.frames.length, before, `${name}: frames before the anomaly`);
      t.same(r.reader.counters.anomalies, { [code]: 1 });
      t.ok(r.reader.ended);
    }
  }
});

t.test('after a fatal anomaly, push returns nothing', async (t) => {
  const log = new EventLog();
  const reader = new PcapReader('x', log);
  t.same(reader.push(hex('00000000')), []);
  t.same(reader.push(pcapFile(1, frames)), []);
  reader.end();
  t.same(log.anomalies.map((a) => a.code), ['pcap.bad_magic']);
});

t.test('a sub-second field of a second or more is carried, counted, and the stream goes on', async (t) => {
  const file = hex(`d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
    0a000000 60e31600 01000000 01000000 aa
    0b000000 00000000 01000000 01000000 bb`); // 10 s + 1_500_000 µs, then 11 s
  const r = readSplit(file);
  t.same(r.frames.map((f) => [f.tsSec, f.tsNsec, f.hex]), [[11, 500_000_000, 'aa'], [11, 0, 'bb']]);
  t.same(r.anomalies.map((a) => [a.code, a.offset]), [['pcap.bad_timestamp', 24]]);
});

t.test('IDB option running past its block: counted, defaults used, frames still read', async (t) => {
  // IDB with if_tsresol claiming 200 bytes.
  const file = hex(`0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffff ffffffff 1c000000
    01000000 1c000000 0100 0000 00000000 0900c800 06000000 1c000000
    06000000 20000000 00000000 00000000 40420f00 00000000 00000000 20000000`);
  const r = readSplit(file);
  t.same(r.anomalies.map((a) => [a.code, a.offset]), [['pcapng.bad_option', 44]]);
  t.same(r.frames.map((f) => [f.tsSec, f.tsNsec]), [[1, 0]], 'µs default');
});

t.test('every chunk boundary gives the same frames', async (t) => {
  const files: [string, Uint8Array][] = [
    ['pcap µs', pcapFile(1, frames)],
    ['pcap ns big-endian', pcapFile(1, frames, { nanos: true, bigEndian: true })],
    ['pcapng', ngFile(false).bytes],
    ['pcapng big-endian', ngFile(true).bytes],
  ];
  for (const [name, bytes] of files) {
    const whole = readSplit(bytes);
    t.equal(whole.anomalies.length, 0);
    let bad = 0;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const r = readSplit(bytes, [cut]);
      if (JSON.stringify(r.frames) !== JSON.stringify(whole.frames) || r.anomalies.length !== 0) bad++;
    }
    t.equal(bad, 0, `${name}: all ${bytes.length + 1} two-way splits agree`);
    for (const size of [1, 2, 3, 5, 16, 17]) {
      t.same(readChunked(bytes, size).frames, whole.frames, `${name}: chunks of ${size}`);
    }
  }
});

t.test('records inside one chunk are zero-copy views of it', async (t) => {
  const file = pcapFile(1, frames);
  const reader = new PcapReader('z', new EventLog());
  const chunk = Uint8Array.from(file);
  const got = reader.push(chunk);
  t.equal(got.length, 5);
  for (const f of got) t.equal(f.bytes.buffer, chunk.buffer);
  // Split inside the last record: the first four stay views, the last is a copy.
  const reader2 = new PcapReader('z', new EventLog());
  const a = file.slice(0, file.length - 100);
  const b = file.slice(file.length - 100);
  const first = reader2.push(a);
  const second = reader2.push(b);
  t.equal(first.length, 4);
  t.equal(second.length, 1);
  t.not(second[0]!.bytes.buffer, a.buffer);
  t.not(second[0]!.bytes.buffer, b.buffer);
  t.equal(hexOf(second[0]!.bytes), hexOf(frames[4]!.bytes));
});

t.test('every anomaly code in the table is documented', async (t) => {
  for (const [code, info] of Object.entries(PCAP_ANOMALIES)) {
    t.equal(info.code, code);
    t.match(info.description, /\.$/, `${code} has a full-sentence description`);
  }
});

t.test('modified pcap (24-byte record headers): guessed under the standard magic, known under 0xa1b2cd34', async (t) => {
  /** A modified record: ts, caplen, origlen, ifindex 2, protocol 0x0800, pkt_type 0, pad, data. */
  const rec = (sec: number, usec: number, data: Uint8Array, le: boolean): Uint8Array => {
    const b = new Uint8Array(24 + data.length);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, sec, le);
    dv.setUint32(4, usec, le);
    dv.setUint32(8, data.length, le);
    dv.setUint32(12, data.length, le);
    dv.setUint32(16, 2, le);
    dv.setUint16(20, 0x0800, le);
    b.set(data, 24);
    return b;
  };
  const header = (magic: number, le: boolean): Uint8Array => {
    const h = pcapHeader(1, { bigEndian: !le });
    new DataView(h.buffer).setUint32(0, magic, le);
    return h;
  };
  const recs = (le: boolean): Uint8Array[] => [rec(100, 1, payload(48, 1), le), rec(101, 2, payload(10, 2), le), rec(102, 3, payload(0, 3), le)];
  const want = [[100, 1000, hexOf(payload(48, 1))], [101, 2000, hexOf(payload(10, 2))], [102, 3000, '']];
  for (const [name, magic, le] of [
    ['standard magic, guessed', 0xa1b2c3d4, true],
    ['standard magic big-endian, guessed', 0xa1b2c3d4, false],
    ['modified magic', 0xa1b2cd34, true],
    ['modified magic big-endian', 0xa1b2cd34, false],
  ] as const) {
    const file = concatBytes([header(magic, le), ...recs(le)]);
    const whole = readSplit(file);
    t.same(whole.frames.map((f) => [f.tsSec, f.tsNsec, f.hex]), want, name);
    t.same(whole.anomalies, []);
    t.equal(whole.reader.pcapVariant, 'modified');
    let bad = 0;
    for (let cut = 0; cut <= file.length; cut++) {
      if (JSON.stringify(readSplit(file, [cut]).frames) !== JSON.stringify(whole.frames)) bad++;
    }
    t.equal(bad, 0, `${name}: every split agrees`);
    t.same(readChunked(file, 1).frames, whole.frames, `${name}: 1-byte chunks`);
  }
  // One modified record alone under the standard magic: nothing tells the layouts apart, so the
  // guess, made at end(), is the standard one. The frame is ifindex, protocol, pkt_type, pad and
  // two payload bytes; the last 8 bytes are a truncated record.
  const one = readChunked(concatBytes([header(0xa1b2c3d4, true), recs(true)[1]!]), 5);
  t.same(one.frames.map((f) => f.hex), ['02000000' + '0008' + '00' + '00' + hexOf(payload(10, 2)).slice(0, 4)]);
  t.same(one.anomalies.map((a) => a.code), ['pcap.truncated_record']);
  // A standard file is not mistaken for a modified one, and the guess is reported.
  const std = readSplit(pcapFile(1, frames));
  t.equal(std.reader.pcapVariant, 'standard');
});

t.test('a file that is not pcap is named by its magic, still as pcap.bad_magic', async (t) => {
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  const gzip = new Uint8Array(gzipSync(Buffer.from('not a capture')));
  const cases: [string, Uint8Array, string | undefined][] = [
    // name, first bytes, foreign format (undefined: unknown binary)
    ['Sun snoop', concatBytes([ascii('snoop\0\0\0'), hex('00000002 00000004')]), 'Sun snoop capture'],
    ['Daintree SNA', ascii('#Format=4\r\n# SNA v3.0.0.7 SUS:20090709 ACT:819705\r\n'), 'Daintree SNA text capture (.dcf)'],
    ['gzip from node:zlib', gzip, 'gzip-compressed file'],
    ['bzip2', ascii('BZh91AY&SY'), 'bzip2-compressed file'],
    ['xz', hex('fd377a585a00 0004e6d6b446'), 'xz-compressed file'],
    ['zstd', hex('28b52ffd 2400'), 'zstd-compressed file'],
    ['text', ascii('No.     Time           Source\n'), 'text file'],
    ['unknown binary', hex('deadbeef 00020004 00000000'), undefined],
  ];
  for (const [name, bytes, format] of cases) {
    const log = new EventLog();
    const reader = new PcapReader('t', log);
    t.same(reader.push(bytes), [], name);
    reader.end();
    t.same(log.anomalies.map((a) => a.code), ['pcap.bad_magic'], name);
    t.equal(reader.foreign?.name, format, name);
    t.equal(reader.format, undefined, name);
    if (format !== undefined) t.match(log.anomalies[0]!.detail, `: ${format}, `, `${name}: the detail says what it is`);
  }
});
