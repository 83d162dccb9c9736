/**
 * The medical analyzer's alerts (issue 11 §8, codes 5000-5006) from built
 * frames through the real decoder, reassembler, gate and sink: each raised
 * when its trigger happens and not otherwise, with devices, protocol and
 * port and never content; learning mode; the "seen" sets' caps.
 */
import t from 'tap';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { AlertGate } from '../../alerts/gate.js';
import { BatchSink } from '../sink.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { tcpFrame, type Endpoints } from '../../../test/builders/app.js';
import { rawFrame } from '../../../test/builders/frames.js';
import { clientHello, tlsRecord } from '../../../test/builders/app.js';
import { associateRj, associateRq, commandSet, mllp, pData, patientDataset } from '../../../test/builders/medical.js';
import { MedicalContext } from './context.js';
import { MedicalAnalyzer, type MedicalOptions } from './index.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const ILE = '1.2.840.10008.1.2';
const SITE = ['10.0.0.0/8'];

function harness(o: Partial<MedicalOptions> = {}) {
  const a = new MedicalAnalyzer({ rejectBurst: 3, rejectWindowS: 60, maxKnown: 16, learningS: 0, siteNetworks: SITE, ...o }, new MedicalContext());
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const dec = defaultFrameDecoder();
  let port = 40000;
  /** One connection's client-to-server (or back) messages, sequence numbers running. */
  const conn = (e: Endpoints, sport: number) => {
    const cport = port++;
    const seq = [1, 1];
    return (payload: Uint8Array, ts: number, back = false): void => {
      const f = tcpFrame(cport, sport, payload, back, e, seq[back ? 1 : 0]);
      seq[back ? 1 : 0]! += payload.length;
      a.onFrame(dec.decode({ ...rawFrame(f, 1, f.length, 'eth0'), tsSec: ts, tsNsec: 0 }), sink);
    };
  };
  const codes = (): string[] => sink.drain().alerts.map((x) => x.input.code);
  return { a, sink, conn, codes };
}

const LAN: Endpoints = { client: '10.1.0.31', server: '10.1.0.7' };
const rq = (calling: string, identity?: { type: number; primary: string; secondary: string }): Uint8Array =>
  associateRq({ calling, called: 'PACS', contexts: [[1, CT, [ILE]]], ...(identity ? { identity } : {}) });

t.test('DICOM: a new peer and new AE titles, once each', async (t) => {
  const h = harness();
  h.conn(LAN, 104)(rq('US_01'), 1000);
  t.same(h.codes().sort(), ['medical.dicom_new_ae_title', 'medical.dicom_new_peer']);
  h.conn(LAN, 104)(rq('US_01'), 1001);
  t.same(h.codes(), [], 'the same peer and AE titles again: nothing');
  h.conn(LAN, 104)(rq('US_02'), 1002);
  t.same(h.codes(), ['medical.dicom_new_ae_title'], 'a new calling AE from a known peer');
});

t.test('learning mode: quiet for learning_s, then alerts', async (t) => {
  const h = harness({ learningS: 100 });
  h.conn(LAN, 104)(rq('US_01'), 1000);
  h.conn(LAN, 2575)(mllp('MSH|^~\\&|APP_A|FAC|X|Y|1||ADT^A01|C1|P|2.5'), 1050);
  t.same(h.codes(), [], 'learnt quietly');
  h.conn(LAN, 104)(rq('US_01'), 1200);
  h.conn(LAN, 2575)(mllp('MSH|^~\\&|APP_A|FAC|X|Y|1||ADT^A01|C2|P|2.5'), 1200);
  t.same(h.codes(), [], 'what was learnt stays known');
  h.conn(LAN, 2575)(mllp('MSH|^~\\&|APP_B|FAC|X|Y|1||ADT^A01|C3|P|2.5'), 1201);
  t.same(h.codes(), ['medical.hl7_unknown_application']);
});

t.test('cleartext PHI: an HL7 PID, a DICOM dataset, a POCT1-A patient; not an ACK or a command alone', async (t) => {
  const h = harness();
  const hl7 = h.conn(LAN, 2575);
  hl7(mllp('MSH|^~\\&|LAB|H|ADT|H|1||ACK^A01|A1|P|2.5', 'MSA|AA|C1'), 1000);
  h.codes();
  hl7(mllp('MSH|^~\\&|LAB|H|ADT|H|1||ADT^A01|A2|P|2.5', 'PID|1||QXMRN1||QXDOE^QXJANE||19010101'), 1001);
  const al = h.sink.drain().alerts;
  t.same(al.map((x) => x.input.code), ['phi.cleartext_transport']);
  t.match(al[0]?.input.facts, { protocol: 'hl7', port: 2575, transport: 'tcp' });
  t.notOk(JSON.stringify(al).includes('QX'), 'the alert carries no patient value');
  const d = h.conn(LAN, 104);
  d(rq('US_01'), 1002);
  h.codes();
  d(pData([1, 0x03, commandSet({ command: 0x0030, sopClass: '1.2.840.10008.1.1', dataset: false })]), 1003);
  t.same(h.codes(), [], 'a C-ECHO command set carries no PHI');
  d(pData([1, 0x02, patientDataset('QXNAME', 'QXID', '19020202')]), 1004);
  t.same(h.codes(), ['phi.cleartext_transport']);
  h.conn(LAN, 7001)(Uint8Array.from('<?xml version="1.0"?><OBS.R01><PT><PT.patient_id V="QXP"/></PT></OBS.R01>', (c) => c.charCodeAt(0)), 1005);
  t.same(h.codes(), ['phi.cleartext_transport']);
});

t.test('A-ASSOCIATE-RJ bursts from one server', async (t) => {
  const h = harness();
  const rj = (ts: number): void => h.conn(LAN, 104)(associateRj(1, 1, 7), ts, true);
  rj(1000);
  rj(1010);
  t.same(h.codes(), [], 'two rejections are not a burst');
  rj(1020);
  t.same(h.codes(), ['medical.dicom_reject_burst'], 'the third within the window is');
  rj(1100);
  rj(1200);
  rj(1300);
  t.same(h.codes(), [], 'spread over more than the window: no burst');
});

t.test('user identity in cleartext names the acceptor and never the secret', async (t) => {
  const h = harness();
  h.conn(LAN, 104)(rq('US_01', { type: 2, primary: 'qxuser', secondary: 'QXSECRET' }), 1000);
  const al = h.sink.drain().alerts.filter((x) => x.input.code === 'medical.cleartext_user_identity');
  t.equal(al.length, 1);
  t.equal(al[0]?.input.device, 'ipv4:10.1.0.7', 'the server whose login crossed');
  t.notOk(JSON.stringify(al).includes('QXSECRET') || JSON.stringify(al).includes('qxuser'), 'no username or passcode');
});

t.test('C-STORE off the site networks, not on them', async (t) => {
  const h = harness();
  const on = h.conn(LAN, 104);
  on(rq('US_01'), 1000);
  h.codes();
  on(pData([1, 0x03, commandSet({ command: 0x0001, sopClass: CT, dataset: true })]), 1001);
  t.same(h.codes(), [], 'to the site PACS');
  const off = h.conn({ client: '10.1.0.31', server: '203.0.113.9' }, 104);
  off(rq('US_01'), 1002);
  h.codes();
  off(pData([1, 0x03, commandSet({ command: 0x0001, sopClass: CT, dataset: true })]), 1003);
  t.same(h.codes(), ['medical.dicom_store_offsite']);
});

t.test('the seen sets are capped and count what they forget', async (t) => {
  const h = harness({ maxKnown: 16 });
  for (let i = 0; i < 40; i++) h.conn({ client: `10.2.0.${i + 1}`, server: '10.1.0.7' }, 104)(rq(`AE_${i}`), 1000 + i);
  const g = h.a.gauges();
  t.equal(g['known_peers'], 16);
  t.equal(g['known_ae_titles'], 16);
  t.ok((g['known_evicted'] ?? 0) >= 24 + 25, `evicted ${g['known_evicted']}`);
});

t.test('TLS-protected DICOM and HL7 are counted as protected, and raise nothing', async (t) => {
  const h = harness();
  const hello = tlsRecord(22, clientHello({ ciphers: [0xc02f] }));
  h.conn(LAN, 2762)(hello, 1000);
  h.conn(LAN, 11112)(hello, 1001);
  h.conn(LAN, 2575)(hello, 1002);
  h.conn(LAN, 8443)(hello, 1003);
  t.equal(h.sink.counters.get('medical.dicom.protected'), 2, 'DICOM TLS on 2762 and 11112');
  t.equal(h.sink.counters.get('medical.hl7.protected'), 1, 'HL7 over TLS on 2575');
  t.same(h.codes(), [], 'no alert');
});
