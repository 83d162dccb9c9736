/**
 * btsnoop logs through PcapReader: header and records, the three datalinks,
 * chunking, and the anomalies; and the real Android logs in ../shared against
 * tshark's frame count and timestamps.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PcapReader } from '../pcap/reader.js';
import type { RawFrame, SourceAnomaly, SourceEvents } from '../types.js';
import { BTSNOOP_EPOCH_DELTA_US } from './index.js';
import { capturesDir } from '../../../test/support/captures.js';

class Log implements SourceEvents {
  readonly anomalies: SourceAnomaly[] = [];
  anomaly(a: SourceAnomaly): void {
    this.anomalies.push(a);
  }
  state(): void {}
}

function header(datalink: number): Uint8Array {
  const b = Buffer.alloc(16);
  b.write('btsnoop\0', 0, 'latin1');
  b.writeUInt32BE(1, 8);
  b.writeUInt32BE(datalink, 12);
  return b;
}

function record(data: Uint8Array, flags: number, unixUs: bigint, orig = data.length): Uint8Array {
  const b = Buffer.alloc(24);
  b.writeUInt32BE(orig, 0);
  b.writeUInt32BE(data.length, 4);
  b.writeUInt32BE(flags, 8);
  b.writeUInt32BE(0, 12);
  b.writeBigInt64BE(unixUs + BTSNOOP_EPOCH_DELTA_US, 16);
  return Buffer.concat([b, data]);
}

function read(bytes: Uint8Array, chunk = bytes.length): { frames: RawFrame[]; log: Log; reader: PcapReader } {
  const log = new Log();
  const reader = new PcapReader('bt', log);
  const frames: RawFrame[] = [];
  for (let o = 0; o < bytes.length; o += chunk) frames.push(...reader.push(bytes.subarray(o, o + chunk)));
  frames.push(...reader.end());
  return { frames, log, reader };
}

const evt = Uint8Array.of(0x04, 0x0e, 0x04, 0x01, 0x03, 0x0c, 0x00);
const file = Buffer.concat([header(1002), record(evt, 1, 1_580_000_000_123_456n), record(Uint8Array.of(0x01, 0x03, 0x0c, 0x00), 0, 1_580_000_001_000_000n)]);

t.test('H4 (1002): frames as link type 201 with the direction header', async (t) => {
  for (const chunk of [file.length, 1, 7, 25]) {
    const { frames, log, reader } = read(file, chunk);
    t.equal(reader.format, 'btsnoop');
    t.same(log.anomalies, [], `no anomalies (chunk ${chunk})`);
    t.same(frames.map((f) => [f.linkType, f.tsSec, f.tsNsec, [...f.bytes.subarray(0, 5)]]), [
      [201, 1_580_000_000, 123_456_000, [0, 0, 0, 1, 4]],
      [201, 1_580_000_001, 0, [0, 0, 0, 0, 1]],
    ]);
    t.same([...frames[0]!.bytes.subarray(4)], [...evt]);
    t.equal(reader.counters.frames, 2);
  }
});

t.test('unencapsulated HCI (1001) and the BlueZ monitor (2001)', async (t) => {
  const u = read(Buffer.concat([header(1001), record(evt.subarray(1), 3, 0n), record(Uint8Array.of(0x40, 0, 1, 0, 0), 1, 0n)])).frames;
  t.same(u.map((f) => [...f.bytes.subarray(0, 5)]), [[0, 0, 0, 1, 4], [0, 0, 0, 1, 2]], 'command/event flag and direction give the H4 type');
  const m = read(Buffer.concat([header(2001), record(evt.subarray(1), (2 << 16) | 3, 0n)])).frames;
  t.same(m.map((f) => [f.linkType, ...f.bytes.subarray(0, 4)]), [[254, 0, 2, 0, 3]], 'adapter 2, opcode 3 (event)');
});

t.test('anomalies: datalink, version, record length, a record cut short', async (t) => {
  const code = (b: Uint8Array) => read(b).log.anomalies.map((a) => a.code);
  t.same(code(Buffer.concat([header(1003)])), ['btsnoop.unsupported_datalink']);
  const v2 = Buffer.from(header(1002));
  v2.writeUInt32BE(2, 8);
  t.same(code(v2), ['btsnoop.bad_version']);
  t.same(code(Buffer.concat([header(1002), record(evt, 1, 0n, 3)])), ['btsnoop.bad_record_length'], 'included > original');
  t.same(code(file.subarray(0, file.length - 2)), ['btsnoop.truncated_record']);
  t.same(code(Buffer.from('btsnoo!\0\0\0\0\x01\0\0\x03\xea', 'latin1')), ['btsnoop.bad_magic']);
});

t.test('the real Android logs: frame count and timestamps as tshark reads them', async (t) => {
  for (const f of ['ble_hci/dsd6-tracker_btsnoop_hci.log', 'ble_hci/wban-python_btsnoop_hci.log']) {
    const path = join(capturesDir(), f);
    const { frames, log } = read(readFileSync(path), 65536);
    const want = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len'], { encoding: 'utf8' }).trim().split('\n');
    t.equal(frames.length, want.length, `${f}: frames`);
    t.same(log.anomalies, []);
    const mism = frames.filter((fr, i) => {
      const [ts, len] = want[i]!.split('\t');
      const [s, ns] = ts!.split('.');
      // tshark counts the H4 frame without the 4-byte direction header.
      return Number(s) !== fr.tsSec || Number(ns!.padEnd(9, '0')) !== fr.tsNsec || Number(len) !== fr.origLen - 4;
    });
    t.equal(mism.length, 0, `${f}: timestamps and lengths agree`);
  }
});
