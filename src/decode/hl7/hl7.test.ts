/**
 * HL7 v2 over MLLP: MSH and MSA fields, segment names and counts only, the
 * PHI boolean, streaming past a large segment, and malformed framing.
 */
import t from 'tap';
import { concat, mllp } from '../../../test/builders/medical.js';
import { hl7Roles } from './consts.js';
import { Hl7StreamParser, looksLikeMllp, type Hl7Event } from './index.js';

function parse(b: Uint8Array): { events: Hl7Event[]; used: number; need: number } {
  const p = new Hl7StreamParser();
  const events: Hl7Event[] = [];
  const used = p.feed(b, (e) => events.push(e));
  return { events, used, need: p.need };
}

const adt = mllp(
  'MSH|^~\\&|ADT_SRC|GENERAL|LAB|HOSP|20260101120000||ADT^A01^ADT_A01|MSG00001|P^T|2.5.1',
  'EVN|A01|20260101', 'PID|1||PAT-7781^^^HOSP^MR||DOE^JANE^Q||19650412|F', 'NK1|1|DOE^JOHN|SPO', 'PV1|1|I|ICU^01^A', 'OBX|1|NM|HR||88', 'OBX|2|NM|SPO2||97',
);

t.test('MSH fields, segment counts, PHI boolean, and nothing of PID', async (t) => {
  t.ok(looksLikeMllp(adt));
  const { events, used } = parse(adt);
  t.equal(used, adt.length);
  const m = events[0]!;
  if (m.kind !== 'message') return t.fail('a message');
  t.same(
    [m.fieldSeparator, m.encodingCharacters, m.sendingApplication, m.sendingFacility, m.receivingApplication, m.receivingFacility, m.messageType, m.triggerEvent, m.controlId, m.processingId, m.version],
    ['|', '^~\\&', 'ADT_SRC', 'GENERAL', 'LAB', 'HOSP', 'ADT', 'A01', 'MSG00001', 'P', '2.5.1'],
  );
  t.same(m.segments, [['MSH', 1], ['EVN', 1], ['PID', 1], ['NK1', 1], ['PV1', 1], ['OBX', 2]]);
  t.equal(m.segmentCount, 7);
  t.equal(m.carriesPhi, true);
  const all = JSON.stringify(events);
  for (const s of ['DOE', 'JANE', 'PAT-7781', '19650412', 'ICU']) t.notOk(all.includes(s), `${s} does not leave`);
});

t.test('MSA ack codes; no PHI in an ACK', async (t) => {
  for (const code of ['AA', 'AE', 'AR', 'CA', 'CE', 'CR']) {
    const { events } = parse(mllp('MSH|^~\\&|LAB|HOSP|ADT_SRC|GENERAL|20260101||ACK^A01|A1|P|2.5.1', `MSA|${code}|MSG00001`));
    const m = events[0]!;
    if (m.kind !== 'message') return t.fail('a message');
    t.equal(m.ackCode, code);
    t.equal(m.ackControlId, 'MSG00001');
    t.equal(m.carriesPhi, false);
  }
});

t.test('a large OBX is skipped as it streams: need stays small', async (t) => {
  const big = mllp('MSH|^~\\&|PDF|X|Y|Z|1||ORU^R01|C9|P|2.6', `OBX|1|ED|PDF||${'A'.repeat(100_000)}`);
  const p = new Hl7StreamParser();
  const events: Hl7Event[] = [];
  let held = 0;
  let maxHeld = 0;
  for (let i = 0; i < big.length; i += 1000) {
    const buf = big.subarray(i - held, Math.min(big.length, i + 1000));
    const used = p.feed(buf, (e) => events.push(e));
    held = buf.length - used;
    maxHeld = Math.max(maxHeld, held);
  }
  t.ok(maxHeld < 100, `at most ${maxHeld} bytes left unconsumed`);
  t.same(events.map((e) => (e.kind === 'message' ? `${e.messageType}^${e.triggerEvent}` : e.code)), ['ORU^R01']);
});

t.test('malformed framing and segments: anomalies', async (t) => {
  t.same(parse(Uint8Array.from([0x41, 0x42])).events, [{ kind: 'anomaly', code: 'hl7.no_mllp_start' }]);
  t.ok(parse(Uint8Array.from([0x41])).used < 0, 'not MLLP: lost, the reassembler resynchronises');
  const noMsh = parse(mllp('PID|1||X'));
  t.same(noMsh.events.map((e) => (e.kind === 'anomaly' ? e.code : e.kind)), ['hl7.no_msh', 'hl7.no_msh']);
  const bad = parse(mllp('MSH|^~\\&|A|B|C|D|1||ADT^A08|C1|P|2.3', 'p!d|x'));
  t.same(bad.events.map((e) => (e.kind === 'anomaly' ? e.code : e.kind)), ['hl7.bad_segment_name', 'message']);
  const two = parse(concat(adt, Uint8Array.from([0x0d, 0x0a]), adt));
  t.equal(two.events.length, 2, 'stray CR/LF between frames are tolerated');
});

t.test('roles from message types (IHE PCD DEC, ACM, PIV)', async (t) => {
  t.same(hl7Roles('ORU', 'R01'), { type: 'ORU', trigger: 'R01', sender: 'observation-reporter', receiver: 'observation-consumer' });
  t.equal(hl7Roles('ORU', 'R40')?.sender, 'alarm-reporter');
  t.equal(hl7Roles('RGV', 'O15')?.receiver, 'infusion-pump-server');
  t.equal(hl7Roles('ADT', 'A03')?.sender, 'adt-source');
  t.equal(hl7Roles('ACK', ''), undefined);
});
