/**
 * DICOM upper layer (PS3.8 §9.3) and DIMSE command sets (PS3.7 Annex E):
 * each PDU type from built bytes, fragments, the user identity type without
 * its secret, and malformed input as counted anomalies.
 */
import t from 'tap';
import {
  abort, associateAc, associateRj, associateRq, commandSet, concat, pData, patientDataset, pdu, releaseRp, releaseRq,
} from '../../../test/builders/medical.js';
import { statusClass, UID_INFO } from './consts.js';
import { DicomStreamParser, looksLikeDicom, type DicomEvent } from './index.js';

function parse(b: Uint8Array): { events: DicomEvent[]; used: number; need: number } {
  const p = new DicomStreamParser();
  const events: DicomEvent[] = [];
  const used = p.feed(b, (e) => events.push(e));
  return { events, used, need: p.need };
}

const rq = associateRq({
  calling: 'CT_SCANNER', called: 'PACS_MAIN', implUid: '1.2.3.4', implVersion: 'SCANNER_7',
  contexts: [[1, '1.2.840.10008.1.1', ['1.2.840.10008.1.2']], [3, '1.2.840.10008.5.1.4.1.1.2', ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2']]],
  identity: { type: 2, primary: 'radiologist', secondary: 'S3cret-Passw0rd' },
});

t.test('A-ASSOCIATE-RQ: AE titles, contexts, implementation, identity type only', async (t) => {
  t.ok(looksLikeDicom(rq));
  const { events, used } = parse(rq);
  t.equal(used, rq.length);
  const a = events[0]!;
  t.equal(a.kind, 'associate-rq');
  if (a.kind !== 'associate-rq') return;
  t.equal(a.callingAe, 'CT_SCANNER');
  t.equal(a.calledAe, 'PACS_MAIN');
  t.equal(a.applicationContext, '1.2.840.10008.3.1.1.1');
  t.same(a.contexts.map((c) => [c.id, c.abstractSyntax, c.transferSyntaxes]), [
    [1, '1.2.840.10008.1.1', ['1.2.840.10008.1.2']], [3, '1.2.840.10008.5.1.4.1.1.2', ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2']],
  ]);
  t.equal(a.implementationUid, '1.2.3.4');
  t.equal(a.implementationVersion, 'SCANNER_7');
  t.equal(a.maxPduLength, 16384);
  t.equal(a.userIdentity, 'username-passcode');
  const all = JSON.stringify(events);
  t.notOk(all.includes('radiologist') || all.includes('S3cret'), 'neither identity field leaves the parser');
});

t.test('AC results, RJ, release, abort', async (t) => {
  const ac = associateAc({ calling: 'CT_SCANNER', called: 'PACS_MAIN', contexts: [[1, '0', ['1.2.840.10008.1.2']], [3, '3', ['1.2.840.10008.1.2']]] });
  const { events } = parse(concat(ac, associateRj(1, 1, 7), releaseRq(), releaseRp(), abort(2, 6)));
  t.same(events.map((e) => e.kind), ['associate-ac', 'associate-rj', 'release-rq', 'release-rp', 'abort']);
  const a = events[0]!;
  if (a.kind === 'associate-ac') t.same(a.contexts.map((c) => c.result), [0, 3]);
  t.same(events[1], { kind: 'associate-rj', result: 1, source: 1, reason: 7 });
  t.same(events[4], { kind: 'abort', source: 2, reason: 6 });
});

t.test('P-DATA: a fragmented command, a dataset never read', async (t) => {
  const cmd = commandSet({ command: 0x0001, sopClass: '1.2.840.10008.5.1.4.1.1.2', dataset: true });
  const b = concat(
    pData([3, 0x01, cmd.slice(0, 20)]),
    pData([3, 0x03, cmd.slice(20)], [3, 0x00, patientDataset('FAKE^NAME', 'PID-42', '19991231')]),
    pData([3, 0x02, [1, 2, 3, 4]]),
    pData([3, 0x03, commandSet({ command: 0x8001, status: 0xa700, dataset: false })]),
  );
  const { events, used } = parse(b);
  t.equal(used, b.length);
  t.same(events.map((e) => (e.kind === 'command' ? `${e.name}:${e.status}:${e.hasDataset}` : e.kind)), ['C-STORE-RQ:-1:true', 'dataset', 'C-STORE-RSP:42752:false']);
  t.notOk(JSON.stringify(events).includes('FAKE'), 'no dataset value leaves');
  t.equal(statusClass(0xa700), 'failure');
  t.equal(statusClass(0xff00), 'pending');
  t.equal(statusClass(0xb000), 'warning');
});

t.test('consumed N, need M: a partial PDU is not consumed', async (t) => {
  const part = parse(rq.subarray(0, 100));
  t.equal(part.used, 0);
  t.equal(part.need, rq.length);
  const hdr = parse(rq.subarray(0, 3));
  t.equal(hdr.need, 6);
});

t.test('malformed input: anomalies, never exceptions', async (t) => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['unknown PDU type', pdu(0x09, [0, 0, 0, 0]), 'dicom.bad_pdu_type'],
    ['huge control PDU', Uint8Array.from([1, 0, 0x7f, 0, 0, 0, 0, 1]), 'dicom.pdu_too_long'],
    ['PDV longer than its PDU', Uint8Array.from([4, 0, 0, 0, 0, 8, 0, 0, 0, 40, 1, 3, 0, 0]), 'dicom.bad_pdv_length'],
    ['short RQ', pdu(1, [0, 1, 0, 0]), 'dicom.associate_truncated'],
    ['item overrun', pdu(1, [0, 1, 0, 0, ...new Array<number>(64).fill(0x20), 0x10, 0, 0xff, 0xff]), 'dicom.item_overrun'],
    ['command without a field', pData([1, 3, [0, 0, 0x02, 0, 2, 0, 0, 0, 0x31, 0x00]]), 'dicom.command_without_field'],
  ];
  for (const [name, b, code] of cases) {
    const { events } = parse(b);
    t.same(events.map((e) => (e.kind === 'anomaly' ? e.code : e.kind)), [code], name);
  }
});

t.test('the generated UID table names the SOP classes the issue lists', async (t) => {
  const want: Array<[string, string]> = [
    ['1.2.840.10008.1.1', 'verification'], ['1.2.840.10008.5.1.4.1.1.2', 'storage'], ['1.2.840.10008.5.1.4.1.1.4', 'storage'],
    ['1.2.840.10008.5.1.4.1.1.6.1', 'storage'], ['1.2.840.10008.5.1.4.1.1.1.1', 'storage'], ['1.2.840.10008.5.1.4.1.1.20', 'storage'],
    ['1.2.840.10008.5.1.4.1.1.128', 'storage'], ['1.2.840.10008.5.1.4.1.1.12.1', 'storage'], ['1.2.840.10008.5.1.4.1.1.481.1', 'storage'],
    ['1.2.840.10008.5.1.4.1.1.88.11', 'storage'], ['1.2.840.10008.5.1.4.31', 'worklist'], ['1.2.840.10008.3.1.2.3.3', 'mpps'],
    ['1.2.840.10008.1.20.1', 'commitment'], ['1.2.840.10008.5.1.4.1.2.1.1', 'query'], ['1.2.840.10008.5.1.4.1.2.2.2', 'retrieve'],
  ];
  for (const [uid, service] of want) t.equal(UID_INFO.get(uid)?.service, service, `${uid} ${UID_INFO.get(uid)?.name}`);
  t.equal(UID_INFO.get('1.2.840.10008.1.2')?.kind, 'transfer');
});

t.test('content detection: a direction that starts with an A-ASSOCIATE-RJ is DICOM (a refusing acceptor sends nothing else)', async (t) => {
  t.ok(looksLikeDicom(associateRj(1, 1, 7)), 'rejected-permanent, service user, called AE not recognised');
  t.ok(looksLikeDicom(associateRj(2, 3, 2)), 'rejected-transient, service provider (presentation)');
  t.notOk(looksLikeDicom(associateRj(0, 1, 1)), 'result 0 is not defined (PS3.8 §9.3.4)');
  t.notOk(looksLikeDicom(associateRj(1, 4, 1)), 'source 4 is not defined');
  t.notOk(looksLikeDicom(Uint8Array.of(3, 0, 0, 0, 0, 5, 0, 1, 1, 1, 0)), 'an RJ is exactly 4 bytes long');
  t.notOk(looksLikeDicom(associateRj(1, 1, 7).subarray(0, 9)), 'fewer than 10 bytes');
});
