/**
 * No patient data is published or stored (DESIGN.md non-negotiable 2,
 * issue 11 §7 and "What it must show: a privacy test"). The real agent
 * (`iomt-sensor run`: pcap-file source, the analyzers as the agent wires
 * them, its LevelDB state directory, MQTT to a Mosquitto this test starts)
 * replays built HL7 v2/MLLP (ADT^A01 with PID name, birth date, MRN and
 * address; ORU^R01 vitals with OBX values), DICOM (A-ASSOCIATE with a user
 * identity, C-STORE with a dataset holding (0010,0010) name, (0010,0020) ID
 * and (0010,0030) birth date) and POCT1-A (HEL.R01 hello, OBS.R01 with a
 * patient topic) sessions, an IEEE 11073 SDC Hello with a patient context
 * scope, the shared HL7/DICOM captures and the ward generator's medical
 * capture.
 *
 * Every patient value is a unique sentinel. Each must be in the replayed
 * capture file (or the test looks for something that was never there),
 * must be absent from every payload the broker delivered (raw bytes and the
 * decoded CBOR rendered as JSON) and from every byte of every file under the
 * state directory after the agent closed it. Positive controls: the AE
 * titles, HL7 sending application, DICOM implementation version and POCT1-A
 * vendor (non-PHI identification) must be found in the same payloads and
 * files, and phi.cleartext_transport must have been raised, so the frames
 * did reach the parsers that saw the patient data.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { pcapFile } from '../src/capture/pcap/writer.js';
import { decodeTelemetry } from '../src/telemetry/index.js';
import { tcpFrame, udpFrame, type Endpoints } from './builders/app.js';
import { wsd } from './builders/discovery.js';
import { associateAc, associateRq, commandSet, mllp, pData, patientDataset, releaseRp, releaseRq } from './builders/medical.js';
import { filesUnder, replayThroughAgent } from './support/privacy.js';
import { capturesDir } from './support/captures.js';
import { startMosquitto } from './support/mosquitto.js';
import { writeMedicalWardCapture } from '../scripts/ward/medical.js';

/** Patient values: each unique, so any hit is a leak and not a coincidence. */
export const PHI = {
  hl7Name: 'QXZAMBRANO^HELGAQX', hl7Mrn: 'MRNQX7731', hl7Dob: '19310417', hl7Street: '12 QXLINDENSTRASSE',
  obxValue: '187.4321', obxText: 'QXNOTE-SENTINEL-NOTE', nk1: 'QXKINSMAN^OTTOQX',
  dicomName: 'QXDICOMNAME^ZEDQX', dicomId: 'QXPID99812', dicomDob: '19290911',
  dicomUser: 'qxuser.priv', dicomPass: 'QXPASSCODE77',
  poctPatient: 'QXPOCPAT551', poctValue: 'QX5.551',
  sdcPatient: 'QXSDCPATCTX8812',
} as const;

/** Non-PHI identification the sensor must publish and store. */
export const VISIBLE = ['ADTSRC_PRIV', 'MONGW_PRIV', 'PRIVMOD_SCU', 'PRIVPACS', 'PRIVIMPL_3.6', 'PRIVVENDOR', 'sdc-provider'] as const;

/** One TCP connection: frames with running sequence numbers in both directions. */
function conversation(e: Endpoints, cport: number, sport: number): (payload: Uint8Array, toClient?: boolean) => Uint8Array {
  const seq = [1000, 500_000];
  return (payload, toClient = false) => {
    const d = toClient ? 1 : 0;
    const f = tcpFrame(cport, sport, payload, toClient, e, seq[d]);
    seq[d]! += payload.length;
    return f;
  };
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const CT = '1.2.840.10008.5.1.4.1.1.2';
const ILE = '1.2.840.10008.1.2';

export function builtFrames(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const hl7 = conversation({ client: '10.20.0.31', server: '10.20.0.5', clientMac: '00:1b:21:aa:10:31', serverMac: '00:1b:21:aa:10:05' }, 40100, 2575);
  out.push(hl7(mllp(
    'MSH|^~\\&|ADTSRC_PRIV|GENHOSP|LABSYS|GENHOSP|20260105070000||ADT^A01^ADT_A01|CTRLPRIV01|P|2.5.1',
    'EVN|A01|20260105070000',
    `PID|1||${PHI.hl7Mrn}^^^GENHOSP^MR||${PHI.hl7Name}||${PHI.hl7Dob}|F|||${PHI.hl7Street}^^QXTOWN`,
    `NK1|1|${PHI.nk1}|SPO`,
    'PV1|1|I|ICU^01^A',
  )));
  out.push(hl7(mllp('MSH|^~\\&|LABSYS|GENHOSP|ADTSRC_PRIV|GENHOSP|20260105070001||ACK^A01|ACKPRIV01|P|2.5.1', 'MSA|AA|CTRLPRIV01'), true));
  const oru = conversation({ client: '10.20.0.41', server: '10.20.0.5', clientMac: '00:1b:21:aa:10:41', serverMac: '00:1b:21:aa:10:05' }, 40200, 2575);
  out.push(oru(mllp(
    'MSH|^~\\&|MONGW_PRIV|ICU|CIS|GENHOSP|20260105070100||ORU^R01^ORU_R01|CTRLPRIV02|P|2.6',
    `PID|1||${PHI.hl7Mrn}^^^GENHOSP^MR||${PHI.hl7Name}||${PHI.hl7Dob}|F`,
    'OBR|1|||182777000^monitoring of patient^SCT',
    `OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||${PHI.obxValue}|262688^MDC_DIM_PERCENT^MDC|||||R`,
    `OBX|2|ST|NOTE^Note||${PHI.obxText}||||||R`,
  )));
  out.push(oru(mllp('MSH|^~\\&|CIS|GENHOSP|MONGW_PRIV|ICU|20260105070101||ACK^R01|ACKPRIV02|P|2.6', 'MSA|AA|CTRLPRIV02'), true));

  const dcm = conversation({ client: '10.20.0.61', server: '10.20.0.7', clientMac: '00:1b:21:aa:10:61', serverMac: '00:1b:21:aa:10:07' }, 40300, 104);
  const assoc = { calling: 'PRIVMOD_SCU', called: 'PRIVPACS', implUid: '1.2.826.0.1.3680043.9.7777.1', implVersion: 'PRIVIMPL_3.6' };
  out.push(dcm(associateRq({ ...assoc, contexts: [[1, CT, [ILE]]], identity: { type: 2, primary: PHI.dicomUser, secondary: PHI.dicomPass } })));
  out.push(dcm(associateAc({ ...assoc, contexts: [[1, '0', [ILE]]] }), true));
  out.push(dcm(pData([1, 0x03, commandSet({ command: 0x0001, sopClass: CT, dataset: true })])));
  out.push(dcm(pData([1, 0x02, patientDataset(PHI.dicomName, PHI.dicomId, PHI.dicomDob)])));
  out.push(dcm(pData([1, 0x03, commandSet({ command: 0x8001, sopClass: CT, status: 0, dataset: false })]), true));
  out.push(dcm(releaseRq()));
  out.push(dcm(releaseRp(), true));

  const poct = conversation({ client: '10.20.0.71', server: '10.20.0.9', clientMac: '00:1b:21:aa:10:71', serverMac: '00:1b:21:aa:10:09' }, 40400, 7001);
  out.push(poct(ascii('<?xml version="1.0" encoding="UTF-8"?><HEL.R01><HDR><HDR.message_type V="HEL.R01"/><HDR.control_id V="1"/></HDR>'
    + '<DEV><DEV.vendor_id V="PRIVVENDOR"/><DEV.model_id V="PRIVMODEL-9"/><DEV.device_id V="SN-PRIV-0001"/><DEV.sw_version V="PRIVSW-2.1"/></DEV></HEL.R01>')));
  out.push(poct(ascii('<?xml version="1.0" encoding="UTF-8"?><OBS.R01><HDR><HDR.message_type V="OBS.R01"/><HDR.control_id V="2"/></HDR>'
    + `<SVC><PT><PT.patient_id V="${PHI.poctPatient}"/><OBS><OBS.observation_id V="GLU"/><OBS.value V="${PHI.poctValue}"/></OBS></PT></SVC></OBS.R01>`)));
  // An IEEE 11073 SDC provider whose Hello carries a patient context scope (IEEE 11073-20701 §9.3.2).
  out.push(udpFrame(3702, 3702, wsd({ action: 'Hello', body: '<wsd:Hello><wsd:Types>dpws:Device mdpws:MedicalDevice</wsd:Types>'
    + `<wsd:Scopes>sdc.mds.pkp:1.2.840.10004.20701.1.1 sdc.ctxt.pat:/urn%3Aoid%3A1.2.3/${PHI.sdcPatient}</wsd:Scopes><wsd:XAddrs>https://10.20.0.81:6464/</wsd:XAddrs></wsd:Hello>` }),
  false, { client: '10.20.0.81', server: '239.255.255.250', clientMac: '00:1b:21:aa:10:81', serverMac: '01:00:5e:7f:ff:fa' }));
  return out;
}

interface Case {
  readonly name: string;
  readonly file: string;
  readonly needles: readonly string[];
  readonly visible: readonly string[];
  readonly alert?: string;
}

t.test('no patient value in medical traffic is published or stored', async (t) => {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'iomt-medpriv-'));
  t.teardown(async () => {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const built = join(dir, 'built.pcap');
  writeFileSync(built, pcapFile(1, builtFrames().map((bytes, i) => ({ tsSec: 1_767_600_000 + i, tsNsec: 0, bytes }))));
  const med = join(capturesDir(), 'ethernet_medical');
  const ward = join(dir, 'ward-medical.pcap');
  writeMedicalWardCapture(ward, { seed: 5, rounds: 12 });
  const CASES: Case[] = [
    { name: 'built HL7, DICOM and POCT1-A sessions', file: built, needles: Object.values(PHI), visible: VISIBLE, alert: 'phi.cleartext_transport' },
    // The nDPI capture's test patient: PID-5 name, PID-7 birth date, PID-11 address, PID-13 e-mail, PID-19 SSN (tshark shows them as hl7.field values).
    { name: 'ndpi_hl7-mllp_adt-a01.pcap', file: join(med, 'ndpi_hl7-mllp_adt-a01.pcap'), needles: ['MOUSE^MICKEY', 'MINNIE', '19281118', '123 Main St.', 'ohtoodles@notdisney.com', '999999999'], visible: ['SENDING_APPLICATION'], alert: 'phi.cleartext_transport' },
    // The C-STORE dataset of the profuzzbench CT: its pseudonymised patient name/ID hash and study instance UID. Both ends are 127.0.0.1 with a zero MAC, which the inventory does not keep as a device: the AE titles are visible through the alerts.
    { name: 'profuzzbench_dicom_store.pcap', file: join(med, 'profuzzbench_dicom_store.pcap'), needles: ['026470d51482c93efc18b9803159c960', '2.25.10475680093149299172355150404217687525728647146253243576628'], visible: ['STORESCU', 'ANY-SCP'], alert: 'phi.cleartext_transport' },
    // The ward generator's medical capture (scripts/ward/medical.ts): its synthetic patients' names and IDs.
    { name: 'ward-gen --medical', file: ward, needles: ['SYNTHETIC^PATIENT1', 'SYNTHETIC^PATIENT12', 'SYN-000001', 'SYN-000012'], visible: ['SYN_PACS', 'SYN_US_01', 'SYNWARD_1.0', 'SYN_MONGW', 'SYNLAB'], alert: 'phi.cleartext_transport' },
  ];
  for (const [i, c] of CASES.entries()) {
    await t.test(c.name, async (t) => {
      const raw = readFileSync(c.file);
      for (const n of c.needles) t.ok(raw.includes(Buffer.from(n, 'latin1')), `the capture does hold ${n}`);
      const { code, out, state, payloads: got, lastSeq } = await replayThroughAgent({ dir, id: `medpriv-${i}`, file: c.file, brokerUrl: broker.url });
      t.equal(code, 0, `the agent replays the capture and exits cleanly\n${out.slice(-2000)}`);
      t.ok(got.length >= lastSeq && lastSeq > 0, `${got.length} payloads for ${lastSeq} messages`);
      const msgs = got.map((p) => decodeTelemetry(p));
      t.ok(msgs.every((m) => m.ok), 'every payload decodes');
      // The decoded CBOR rendered as text: a value the CBOR encoding split or re-encoded would show here.
      const json = JSON.stringify(msgs, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
      const alerts = msgs.flatMap((m) => (m.ok && m.kindName === 'alert' ? [m.body] : []));
      if (c.alert !== undefined) t.ok(alerts.some((a) => a.code === c.alert), `${c.alert} was published (${alerts.map((a) => a.code).join(', ')})`);

      const files = filesUnder(state);
      t.ok(files.length > 0, `${files.length} files under the LevelDB state directory`);
      const contents = files.map((f) => [f, readFileSync(f)] as const);
      for (const v of c.visible) {
        const b = Buffer.from(v, 'latin1');
        t.ok(got.some((p) => p.includes(b)) && json.includes(v), `positive control: ${v} is in a published payload (raw and decoded)`);
        t.ok(contents.some(([, d]) => d.includes(b)), `positive control: ${v} is in a state file`);
      }
      for (const n of c.needles) {
        const b = Buffer.from(n, 'latin1');
        t.equal(got.filter((p) => p.includes(b)).length, 0, `no raw payload of ${got.length} holds ${n}`);
        t.notOk(json.includes(n), `no decoded payload holds ${n}`);
        t.same(contents.filter(([, d]) => d.includes(b)).map(([f]) => f), [], `no file under the state directory holds ${n}`);
      }
    });
  }
});
