/**
 * Bench section `medical` (issue 11 "Bench"): the medical stream path on a
 * capture dominated by HL7 and DICOM sessions, beside `tshark -T fields`
 * on the same file, in one run; then a flood of concurrent TCP streams that
 * every hold bytes, to show the reassembly caps hold.
 *
 * - parse: scripts/ward/medical.ts sessions written to var/bench, read by a
 *   child process (pcap reader, decode walk, bounded reassembly, DICOM,
 *   HL7/MLLP and POCT1-A parsers: what the agent runs per TCP frame) under
 *   /usr/bin/time for its peak RSS; tshark with the DICOM heuristic and HL7
 *   on 2575 prints PDU types, HL7 message types and control ids.
 * - flood: `streams` client directions, each a DICOM A-ASSOCIATE-RQ cut
 *   short (the parser claims the stream and waits for the rest) plus an
 *   out-of-order 8 KB segment past a gap (buffered), from distinct ports;
 *   with the default caps (4096 streams, 256 KiB each, 32 MiB in all) the
 *   evictions are counted and RSS stays flat.
 *
 * Alone: `node dist/scripts/bench/medical.js [frames] [streams]`.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PcapReader } from '../../src/capture/pcap/reader.js';
import { pcapFile } from '../../src/capture/pcap/writer.js';
import { MedicalContext } from '../../src/analyze/medical/context.js';
import { defaultFrameDecoder } from '../../src/decode/index.js';
import { ethernet, ipv4, rawFrame, tcp, TCP_FLAGS } from '../../test/builders/frames.js';
import { associateRq } from '../../test/builders/medical.js';
import { medicalWardFrames } from '../ward/medical.js';
import { timed } from './common.js';

export interface MedicalBench {
  readonly frames: number;
  readonly megabytes: number;
  readonly ours: { readonly fps: number; readonly mbps: number; readonly maxRssBytes: number; readonly events: number };
  readonly tshark: { readonly fps: number; readonly mbps: number; readonly maxRssBytes: number; readonly rows: number };
  readonly ratio: number;
  readonly flood: { readonly streams: number; readonly fps: number; readonly maxRssBytes: number; readonly kept: number; readonly bufferedBytes: number; readonly counters: Record<string, number> };
}

/** Child mode `parse FILE`: the medical path over a capture; JSON on stdout. */
function parse(file: string): { frames: number; seconds: number; events: number } {
  const t0 = process.hrtime.bigint();
  const reader = new PcapReader(file, { anomaly: () => {}, state: () => {} });
  const dec = defaultFrameDecoder();
  const ctx = new MedicalContext();
  let frames = 0;
  let events = 0;
  const one = (raw: Parameters<typeof dec.decode>[0]): void => {
    events += ctx.events(dec.decode(raw)).length;
    frames++;
  };
  // In 1 MiB chunks, as the agent's file source reads: frames are not all held at once.
  const buf = readFileSync(file);
  for (let o = 0; o < buf.length; o += 1 << 20) for (const raw of reader.push(buf.subarray(o, Math.min(buf.length, o + (1 << 20))))) one(raw);
  for (const raw of reader.end()) one(raw);
  return { frames, seconds: Number(process.hrtime.bigint() - t0) / 1e9, events };
}

/** Child mode `flood N`: N concurrent streams through one MedicalContext with the default caps. */
function flood(n: number): { streams: number; seconds: number; kept: number; bufferedBytes: number; counters: Record<string, number> } {
  const dec = defaultFrameDecoder();
  const ctx = new MedicalContext();
  const rq = associateRq({ calling: 'FLOOD_SCU', called: 'PACS', contexts: Array.from({ length: 40 }, (_, i) => [2 * i + 1, '1.2.840.10008.5.1.4.1.1.2', ['1.2.840.10008.1.2']] as const) });
  const head = rq.subarray(0, 400);
  const ooo = new Uint8Array(8192).fill(0x41);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const src = `10.${64 + ((i >> 16) & 0x3f)}.${(i >> 8) & 0xff}.${i & 0xff}`;
    const f = (seq: number, payload: Uint8Array): Uint8Array =>
      ethernet({ src: '00:1b:21:00:00:01', dst: '00:1b:21:00:00:02', type: 0x0800 }, ipv4({ src, dst: '10.40.0.7', proto: 6 }, tcp({ sport: 40000 + (i % 20000), dport: 104, seq, flags: TCP_FLAGS.PSH | TCP_FLAGS.ACK }, payload)));
    for (const b of [f(1000, head), f(1000 + head.length + 1000, ooo)]) ctx.events(dec.decode({ ...rawFrame(b, 1, b.length, 'flood'), tsSec: 1_767_600_000 + (i >> 10) }));
  }
  const r = ctx.streams;
  return { streams: n, seconds: Number(process.hrtime.bigint() - t0) / 1e9, kept: r.size, bufferedBytes: r.bytes, counters: { ...r.counters } };
}

export async function medicalSection(benchDir: string, frames: number, streams: number): Promise<MedicalBench> {
  mkdirSync(benchDir, { recursive: true });
  const file = join(benchDir, 'medical-bench.pcap');
  const per = medicalWardFrames({ seed: 1, rounds: 1 }).length;
  const all = medicalWardFrames({ seed: 1, rounds: Math.max(1, Math.ceil(frames / per)) }).slice(0, frames);
  const bytes = pcapFile(1, all);
  writeFileSync(file, bytes);
  const mb = bytes.length / 1e6;
  const self = fileURLToPath(import.meta.url);

  const o = await timed([process.execPath, self, 'parse', file], true);
  if (o.code !== 0) throw new Error(`medical parse child failed: ${o.stderr}`);
  const ours = JSON.parse(o.stdout ?? '{}') as { frames: number; seconds: number; events: number };

  const th = await timed(['tshark', '-r', file, '-n', '-o', 'dicom.heuristic:TRUE', '-d', 'tcp.port==2575,hl7', '-T', 'fields',
    '-e', 'frame.number', '-e', 'dicom.pdu.type', '-e', 'hl7.message.type', '-e', 'hl7.event.type'], true);
  if (th.code !== 0) throw new Error(`tshark failed: ${th.stderr}`);
  const rows = (th.stdout ?? '').split('\n').length - 1;
  if (rows !== ours.frames) throw new Error(`tshark printed ${rows} rows for ${ours.frames} frames`);

  const fl = await timed([process.execPath, self, 'flood', String(streams)], true);
  if (fl.code !== 0) throw new Error(`medical flood child failed: ${fl.stderr}`);
  const f = JSON.parse(fl.stdout ?? '{}') as { streams: number; seconds: number; kept: number; bufferedBytes: number; counters: Record<string, number> };

  const oursFps = ours.frames / ours.seconds;
  const tsharkFps = rows / th.seconds;
  return {
    frames: ours.frames, megabytes: mb,
    ours: { fps: oursFps, mbps: mb / ours.seconds, maxRssBytes: o.maxRssBytes, events: ours.events },
    tshark: { fps: tsharkFps, mbps: mb / th.seconds, maxRssBytes: th.maxRssBytes, rows },
    ratio: oursFps / tsharkFps,
    flood: { streams: f.streams, fps: (2 * f.streams) / f.seconds, maxRssBytes: fl.maxRssBytes, kept: f.kept, bufferedBytes: f.bufferedBytes, counters: f.counters },
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [mode, arg] = process.argv.slice(2);
  if (mode === 'parse') process.stdout.write(JSON.stringify(parse(arg!)));
  else if (mode === 'flood') process.stdout.write(JSON.stringify(flood(Number(arg))));
  else {
    const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
    const r = await medicalSection(join(root, 'var', 'bench'), Number(mode ?? 200_000), Number(arg ?? 100_000));
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  }
}
