/**
 * Stream robustness (issue 11 "What it must show"): a DICOM association
 * larger than 16 KB and an HL7 session, cut at every byte boundary, sent out
 * of order, retransmitted (identically and with conflicting bytes) and with
 * segments missing, give the same events as the whole stream, or a counted
 * gap/resynchronisation; never an exception, and never more bytes held
 * than the caps.
 */
import fc from 'fast-check';
import t from 'tap';
import {
  associateAc, associateRq, commandSet, concat, mllp, pData, patientDataset, releaseRp, releaseRq,
} from '../../../test/builders/medical.js';
import { detectMedical, type StreamEvent } from '../medical/context.js';
import { Reassembler, type StreamOptions } from './index.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const TS = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.90'];
/** 130 presentation contexts of four transfer syntaxes each: well over 16 KB. */
const bigRq = associateRq({
  calling: 'MODALITY1', called: 'PACS', implUid: '1.2.826.0.1.3680043.2.1', implVersion: 'FAKE_3.1',
  contexts: Array.from({ length: 130 }, (_, i) => [2 * i + 1, `${CT}.${i}`, TS] as const),
});
const dicomClient = concat(
  bigRq,
  pData([1, 0x03, commandSet({ command: 0x0001, sopClass: CT, dataset: true })]),
  pData([1, 0x00, patientDataset('FAKE^PATIENT', 'ID-0001', '19700101')]),
  pData([1, 0x02, new Array<number>(3000).fill(0x41)]),
  releaseRq(),
);
const hl7Client = concat(
  mllp('MSH|^~\\&|MONITOR_GW|ICU|EMR|HOSP|20260101||ORU^R01^ORU_R01|CTRL1|P|2.6', 'PID|1||ID-0001||FAKE^PATIENT||19700101', 'OBX|1|NM|HR||72'),
  mllp('MSH|^~\\&|MONITOR_GW|ICU|EMR|HOSP|20260101||ORU^R01^ORU_R01|CTRL2|P|2.6', 'PID|1||ID-0002||OTHER^FAKE||19800101', `OBX|1|ED|PDF||${'Z'.repeat(6000)}`),
);

const OPTS: StreamOptions = { maxStreams: 8, maxBytesPerStream: 64 * 1024, maxBytesTotal: 96 * 1024, maxSegmentsPerStream: 64 };
const KEY = 'a|1|b|2';

function whole(bytes: Uint8Array): string[] {
  const r = new Reassembler<StreamEvent>((f) => detectMedical(f), OPTS);
  r.segment(KEY, 1000, new Uint8Array(0), { syn: true }, 40000, 104);
  const ev = r.segment(KEY, 1001, bytes, {}, 40000, 104).map((e) => JSON.stringify(e));
  return [...ev, ...r.finish().map((e) => JSON.stringify(e))];
}

/** Runs segments [offset, bytes] and returns the events and the reassembler. */
function run(segs: ReadonlyArray<readonly [number, Uint8Array]>, opts = OPTS): { events: string[]; r: Reassembler<StreamEvent>; maxHeld: number } {
  const r = new Reassembler<StreamEvent>((f) => detectMedical(f), opts);
  const events: string[] = [];
  let maxHeld = 0;
  r.segment(KEY, 1000, new Uint8Array(0), { syn: true }, 40000, 104);
  for (const [off, b] of segs) {
    for (const e of r.segment(KEY, (1001 + off) >>> 0, b, {}, 40000, 104)) events.push(JSON.stringify(e));
    maxHeld = Math.max(maxHeld, r.bytes);
  }
  for (const e of r.finish()) events.push(JSON.stringify(e));
  return { events, r, maxHeld };
}

t.test('the built association is larger than 16 KB and parses whole', async (t) => {
  t.ok(bigRq.length > 16 * 1024, `${bigRq.length} bytes`);
  const ev = whole(dicomClient).map((s) => JSON.parse(s) as StreamEvent);
  const rq = ev[0]!;
  t.equal(rq.proto, 'dicom');
  if (rq.proto === 'dicom' && rq.ev.kind === 'associate-rq') {
    t.equal(rq.ev.contexts.length, 130);
    t.equal(rq.ev.contexts[129]!.abstractSyntax, `${CT}.129`);
    t.same(rq.ev.contexts[0]!.transferSyntaxes, TS);
    t.equal(rq.ev.implementationVersion, 'FAKE_3.1');
  } else t.fail('first event is the association request');
  t.same(ev.map((e) => e.ev.kind), ['associate-rq', 'command', 'dataset', 'release-rq']);
});

t.test('split at every byte boundary: same events', async (t) => {
  for (const [name, bytes] of [['hl7', hl7Client], ['dicom', concat(associateAc({ calling: 'A', called: 'B', contexts: [[1, '0', ['1.2.840.10008.1.2']]] }), pData([1, 3, commandSet({ command: 0x8030, status: 0, dataset: false })]), releaseRp())]] as const) {
    const want = whole(bytes);
    let bad = 0;
    for (let i = 1; i < bytes.length; i++) {
      const got = run([[0, bytes.subarray(0, i)], [i, bytes.subarray(i)]]).events;
      if (JSON.stringify(got) !== JSON.stringify(want)) bad++;
    }
    t.equal(bad, 0, `${name}: ${bytes.length - 1} split points`);
  }
});

t.test('a conflicting retransmission: first copy wins, counted', async (t) => {
  const b = hl7Client;
  const forged = b.slice(0, 200);
  forged[120] = 0x58;
  const { events, r } = run([[0, b.subarray(0, 200)], [0, forged], [200, b.subarray(200)]]);
  t.same(events, whole(b));
  t.equal(r.counters['streams.overlap_conflict'], 1);
  const later = run([[100, b.subarray(100, 300)], [0, forged.subarray(0, 150)], [300, b.subarray(300)], [0, b.subarray(0, 100)]]);
  t.equal(later.r.counters['streams.overlap_conflict'], 1, 'an out-of-order copy held first wins over a later one');
  t.same(later.events, whole(b), 'the forged byte fell on the held copy, which won');
});

/** Cuts `bytes` into segments, then reorders, repeats and drops some. */
const plan = (n: number) => fc.record({
  cuts: fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 80 }),
  swaps: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 6 })), { maxLength: 20 }),
  dups: fc.array(fc.nat(), { maxLength: 10 }),
  drops: fc.array(fc.nat(), { maxLength: 3 }),
});

t.test('property: reordered, retransmitted and gapped streams give the same events or a counted resync, within the caps', async (t) => {
  for (const [name, bytes] of [['dicom', dicomClient], ['hl7', hl7Client]] as const) {
    const want = whole(bytes);
    let same = 0;
    let counted = 0;
    fc.assert(fc.property(plan(bytes.length), (p) => {
      const cuts = [0, ...p.cuts.sort((a, b) => a - b), bytes.length];
      let segs: [number, Uint8Array][] = [];
      for (let i = 0; i + 1 < cuts.length; i++) segs.push([cuts[i]!, bytes.subarray(cuts[i], cuts[i + 1])]);
      for (const [at, d] of p.swaps) {
        const i = at % segs.length;
        const j = Math.min(segs.length - 1, i + d);
        [segs[i], segs[j]] = [segs[j]!, segs[i]!];
      }
      for (const d of p.dups) segs.splice(d % segs.length, 0, segs[(d * 7) % segs.length]!);
      const dropped = new Set(p.drops.map((d) => d % segs.length));
      segs = segs.filter((_, i) => !dropped.has(i));
      const { events, r, maxHeld } = run(segs);
      if (maxHeld > OPTS.maxBytesTotal) return false;
      if (JSON.stringify(events) === JSON.stringify(want)) {
        same++;
        return true;
      }
      const c = r.counters;
      if ((c['streams.gap'] ?? 0) + (c['streams.parser_lost'] ?? 0) + (c['streams.evicted.stream_bytes'] ?? 0) > 0) {
        counted++;
        return true;
      }
      // Without a counted gap, missing bytes (the first segment never came) may only lose events, never invent them.
      return dropped.size > 0 && events.every((e) => want.includes(e));
    }), { numRuns: 150, seed: 11 });
    t.ok(same > 0, `${name}: ${same} runs gave the same events, ${counted} a counted resync`);
  }
});

t.test('caps: streams, bytes per stream and bytes in total, each with its counter', async (t) => {
  const r = new Reassembler<StreamEvent>((f) => detectMedical(f), { ...OPTS, maxStreams: 4 });
  for (let i = 0; i < 10; i++) r.segment(`k${i}`, 1, bigRq.subarray(0, 1000), {}, 1, 104);
  t.equal(r.size, 4);
  t.equal(r.counters['streams.evicted.streams'], 6);
  const tot = new Reassembler<StreamEvent>((f) => detectMedical(f), { ...OPTS, maxBytesTotal: 65_536 });
  for (let i = 0; i < 8; i++) tot.segment(`k${i}`, 1, bigRq.subarray(0, 12_000), {}, 1, 104);
  t.ok(tot.bytes <= 65_536, `${tot.bytes} bytes held`);
  t.ok((tot.counters['streams.evicted.total_bytes'] ?? 0) > 0, 'total-bytes evictions counted');
  const one = new Reassembler<StreamEvent>((f) => detectMedical(f), { ...OPTS, maxBytesPerStream: 8192 });
  const ev = [...one.segment('k', 1, bigRq.subarray(0, 5000), {}, 1, 104), ...one.segment('k', 5001, bigRq.subarray(5000), {}, 1, 104)];
  t.equal(one.counters['streams.evicted.stream_bytes'], 1, `an association larger than the per-stream cap is dropped, counted: ${JSON.stringify(one.counters)}`);
  t.same(ev.filter((e) => e.ev.kind === 'associate-rq'), []);
  t.ok(one.bytes <= 8192);
  const none = new Reassembler<StreamEvent>((f) => detectMedical(f), OPTS);
  none.segment('web', 1, new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), {}, 1, 80);
  t.equal(none.size, 0, 'a stream no parser claims is forgotten at once');
});
