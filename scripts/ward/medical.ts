/**
 * Medical traffic for the ward generator (issue 11 §9), a separate Ethernet
 * capture so the main ward capture keeps its opaque HL7 bodies: per round,
 *
 * - HL7 v2 over MLLP (HL7 v2.5.1 Appendix C): the HIS sends ADT^A01 to the
 *   interface engine, the monitor gateway ORU^R01 vitals (IHE PCD-01), each
 *   answered with ACK (MSA|AA);
 * - DICOM (PS3.8): an ultrasound modality's C-ECHO association, then a
 *   C-STORE of a small synthetic US image (dataset over several segments);
 *   a review workstation's Study Root C-FIND;
 * - POCT1-A: a blood-gas analyser's HEL.R01 hello, DST.R01 status and an
 *   OBS.R01 result to its data manager;
 * - IEEE 11073 SDC: an infusion pump's WS-Discovery Hello (MedicalDevice,
 *   sdc.cdc.type 69985, https XAddrs), the central station's Probe, and a
 *   TLS ClientHello to the pump (protected SDC).
 *
 * Every patient value is obviously synthetic (SYNTHETIC^PATIENT, SYN-
 * identifiers, birth date 19000101): the point is that the sensor flags the
 * cleartext transport without ever keeping them. TCP sessions run SYN to
 * FIN with consistent sequence numbers (RFC 9293 §3.4), segmented at 1460.
 * Deterministic for a seed.
 */
import { writeFileSync } from 'node:fs';
import { pcapFile } from '../../src/capture/pcap/writer.js';
import { TCP_FLAGS, ethernet, ipv4, tcp, udp } from '../../test/builders/frames.js';
import { clientHello, tlsRecord } from '../../test/builders/app.js';
import { wsd } from '../../test/builders/discovery.js';
import { associateAc, associateRq, commandSet, concat, mllp, pData, patientDataset, releaseRp, releaseRq } from '../../test/builders/medical.js';

export interface MedicalWardOptions {
  readonly seed?: number;
  /** Rounds of sessions (each about 130 frames). */
  readonly rounds?: number;
  /** Capture start, epoch seconds. */
  readonly start?: number;
}

export interface MedicalFrame {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly bytes: Uint8Array;
}

interface Node {
  readonly mac: string;
  readonly ip: string;
}

/** The medical nodes (OUIs as in profiles.ts: Philips, GE Healthcare, Dell, B. Braun; the rest Intel). */
export const MEDICAL_WARD = {
  his: { mac: '98:e7:43:4d:00:06', ip: '10.40.0.6' },
  hl7Engine: { mac: '98:e7:43:4d:00:05', ip: '10.40.0.5' },
  monitorGateway: { mac: '00:09:5c:4d:00:21', ip: '10.40.0.21' },
  pacs: { mac: '98:e7:43:4d:00:07', ip: '10.40.0.7' },
  ultrasound: { mac: '44:4b:5d:4d:00:31', ip: '10.40.0.31' },
  workstation: { mac: '00:1b:21:4d:00:41', ip: '10.40.0.41' },
  poctAnalyser: { mac: '00:1b:21:4d:00:51', ip: '10.40.0.51' },
  poctManager: { mac: '00:1b:21:4d:00:09', ip: '10.40.0.9' },
  sdcPump: { mac: '00:12:21:4d:00:61', ip: '10.40.0.61' },
} as const satisfies Record<string, Node>;

export const MEDICAL_AE = { ultrasound: 'SYN_US_01', pacs: 'SYN_PACS', workstation: 'SYN_REVIEW' } as const;
const IMPL_UID = '1.2.826.0.1.3680043.10.999.1';
const IMPL_VERSION = 'SYNWARD_1.0';
const VERIFICATION = '1.2.840.10008.1.1';
const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const STUDY_FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const ILE = '1.2.840.10008.1.2';
const MSS = 1460;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

class Wire {
  readonly frames: MedicalFrame[] = [];
  t: number;
  private port = 49152;
  constructor(startSec: number, private readonly rnd: () => number) {
    this.t = startSec * 1e6;
  }

  private push(bytes: Uint8Array, gapUs: number): void {
    this.t += Math.max(1, Math.round(gapUs));
    const t = this.t;
    this.frames.push({ tsSec: Math.floor(t / 1e6), tsNsec: (t % 1e6) * 1000, bytes });
  }

  private tcpFrame(a: Node, b: Node, sport: number, dport: number, flags: number, seq: number, ack: number, payload: Uint8Array): Uint8Array {
    return ethernet({ src: a.mac, dst: b.mac, type: 0x0800 }, ipv4({ src: a.ip, dst: b.ip, proto: 6 }, tcp({ sport, dport, seq, ack, flags, checksumWith: { src: a.ip, dst: b.ip } }, payload)));
  }

  udp(a: Node, dstMac: string, dstIp: string, sport: number, dport: number, payload: Uint8Array): void {
    this.push(ethernet({ src: a.mac, dst: dstMac, type: 0x0800 }, ipv4({ src: a.ip, dst: dstIp, proto: 17 }, udp({ sport, dport }, payload))), 2000 + this.rnd() * 5000);
  }

  /** A whole TCP session: handshake, messages (segmented at the MSS), FIN both ways. */
  session(c: Node, s: Node, dport: number, msgs: ReadonlyArray<readonly [boolean, Uint8Array]>): void {
    this.port = this.port >= 64000 ? 49152 : this.port + 1;
    const sport = this.port;
    let cs = Math.floor(this.rnd() * 0xffffffff) >>> 0;
    let ss = Math.floor(this.rnd() * 0xffffffff) >>> 0;
    const A = TCP_FLAGS.ACK;
    const send = (fromClient: boolean, flags: number, payload: Uint8Array, gap: number): void => {
      const f = fromClient ? this.tcpFrame(c, s, sport, dport, flags, cs, flags & A ? ss : 0, payload) : this.tcpFrame(s, c, dport, sport, flags, ss, cs, payload);
      this.push(f, gap);
      const adv = payload.length + (flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN) ? 1 : 0);
      if (fromClient) cs = (cs + adv) >>> 0;
      else ss = (ss + adv) >>> 0;
    };
    const none = new Uint8Array(0);
    send(true, TCP_FLAGS.SYN, none, 50_000 + this.rnd() * 200_000);
    send(false, TCP_FLAGS.SYN | A, none, 300);
    send(true, A, none, 300);
    for (const [fromClient, data] of msgs) {
      for (let o = 0; o < data.length; o += MSS) send(fromClient, TCP_FLAGS.PSH | A, data.subarray(o, Math.min(data.length, o + MSS)), 200 + this.rnd() * 3000);
      send(!fromClient, A, none, 300);
    }
    send(true, TCP_FLAGS.FIN | A, none, 1000);
    send(false, TCP_FLAGS.FIN | A, none, 300);
    send(true, A, none, 300);
  }
}

const ts = (sec: number): string => new Date(sec * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);

function hl7Round(w: Wire, n: number): void {
  const M = MEDICAL_WARD;
  const now = ts(w.t / 1e6);
  const pid = `PID|1||SYN-${String(n).padStart(6, '0')}^^^SYNHOSP^MR||SYNTHETIC^PATIENT${n}||19000101|U`;
  w.session(M.his, M.hl7Engine, 2575, [
    [true, mllp(`MSH|^~\\&|SYN_HIS|SYNHOSP|SYN_ENGINE|SYNHOSP|${now}||ADT^A01^ADT_A01|ADT${n}|P|2.5.1`, `EVN|A01|${now}`, pid, 'PV1|1|I|WARD3^12^A')],
    [false, mllp(`MSH|^~\\&|SYN_ENGINE|SYNHOSP|SYN_HIS|SYNHOSP|${now}||ACK^A01|ACKA${n}|P|2.5.1`, `MSA|AA|ADT${n}`)],
  ]);
  w.session(M.monitorGateway, M.hl7Engine, 2575, [
    [true, mllp(`MSH|^~\\&|SYN_MONGW|WARD3|SYN_ENGINE|SYNHOSP|${now}||ORU^R01^ORU_R01|ORU${n}|P|2.6`, pid, 'OBR|1|||182777000^monitoring of patient^SCT',
      'OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R', 'OBX|2|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.2|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R')],
    [false, mllp(`MSH|^~\\&|SYN_ENGINE|SYNHOSP|SYN_MONGW|WARD3|${now}||ACK^R01|ACKO${n}|P|2.6`, `MSA|AA|ORU${n}`)],
  ]);
}

function dicomRound(w: Wire, n: number, rnd: () => number): void {
  const M = MEDICAL_WARD;
  const assoc = (calling: string, as: string) => ({ calling, called: MEDICAL_AE.pacs, implUid: IMPL_UID, implVersion: IMPL_VERSION, contexts: [[1, as, [ILE]]] as Array<readonly [number, string, readonly string[]]> });
  const ac = (calling: string) => ({ calling, called: MEDICAL_AE.pacs, implUid: IMPL_UID, implVersion: IMPL_VERSION, contexts: [[1, '0', [ILE]]] as Array<readonly [number, string, readonly string[]]> });
  w.session(M.ultrasound, M.pacs, 104, [
    [true, associateRq(assoc(MEDICAL_AE.ultrasound, VERIFICATION))], [false, associateAc(ac(MEDICAL_AE.ultrasound))],
    [true, pData([1, 0x03, commandSet({ command: 0x0030, sopClass: VERIFICATION, messageId: 1, dataset: false })])],
    [false, pData([1, 0x03, commandSet({ command: 0x8030, sopClass: VERIFICATION, messageId: 1, status: 0, dataset: false })])],
    [true, releaseRq()], [false, releaseRp()],
  ]);
  // A small synthetic image: patient module, then 4-8 KB of pixel data (7FE0,0010) as opaque bytes.
  const pixels = Array.from({ length: 4096 + 2 * Math.floor(rnd() * 2048) }, () => Math.floor(rnd() * 256));
  const px = [0xe0, 0x7f, 0x10, 0x00, pixels.length & 0xff, (pixels.length >> 8) & 0xff, 0, 0, ...pixels];
  const ds = [...patientDataset(`SYNTHETIC^PATIENT${n}`, `SYN-${String(n).padStart(6, '0')}`, '19000101'), ...px];
  w.session(M.ultrasound, M.pacs, 104, [
    [true, associateRq(assoc(MEDICAL_AE.ultrasound, US_IMAGE))], [false, associateAc(ac(MEDICAL_AE.ultrasound))],
    [true, concat(pData([1, 0x03, commandSet({ command: 0x0001, sopClass: US_IMAGE, messageId: 2, dataset: true })]), pData([1, 0x02, ds]))],
    [false, pData([1, 0x03, commandSet({ command: 0x8001, sopClass: US_IMAGE, messageId: 2, status: 0, dataset: false })])],
    [true, releaseRq()], [false, releaseRp()],
  ]);
  w.session(M.workstation, M.pacs, 104, [
    [true, associateRq(assoc(MEDICAL_AE.workstation, STUDY_FIND))], [false, associateAc(ac(MEDICAL_AE.workstation))],
    // The identifier: (0008,0052) Query/Retrieve Level "STUDY " (PS3.4 §C.4.1.1.3.1).
    [true, concat(pData([1, 0x03, commandSet({ command: 0x0020, sopClass: STUDY_FIND, messageId: 3, dataset: true })]), pData([1, 0x02, [0x08, 0x00, 0x52, 0x00, 6, 0, 0, 0, ...ascii('STUDY ')]]))],
    [false, pData([1, 0x03, commandSet({ command: 0x8020, sopClass: STUDY_FIND, messageId: 3, status: 0, dataset: false })])],
    [true, releaseRq()], [false, releaseRp()],
  ]);
}

function poctRound(w: Wire, n: number): void {
  const M = MEDICAL_WARD;
  const hdr = (root: string, id: number): string => `<?xml version="1.0" encoding="UTF-8"?><${root}><HDR><HDR.message_type V="${root}"/><HDR.control_id V="${id}"/><HDR.version_id V="POCT1"/></HDR>`;
  w.session(M.poctAnalyser, M.poctManager, 7001, [
    [true, ascii(`${hdr('HEL.R01', 1)}<DEV><DEV.vendor_id V="SYNLAB"/><DEV.model_id V="BG-SYN 9"/><DEV.device_id V="SYN-BG-0001"/><DEV.sw_version V="3.2.0"/></DEV></HEL.R01>`)],
    [false, ascii(`${hdr('ACK.R01', 1)}<ACK><ACK.type_cd V="AA"/><ACK.ack_control_id V="1"/></ACK></ACK.R01>`)],
    [true, ascii(`${hdr('DST.R01', 2)}<DST><DST.update_dttm V="2026-01-05T07:00:00"/><DST.new_observations_qty V="1"/></DST></DST.R01>`)],
    [true, ascii(`${hdr('OBS.R01', 3)}<SVC><PT><PT.patient_id V="SYN-${String(n).padStart(6, '0')}"/><OBS><OBS.observation_id V="pH"/><OBS.value V="7.40"/></OBS></PT></SVC></OBS.R01>`)],
  ]);
}

function sdcRound(w: Wire): void {
  const M = MEDICAL_WARD;
  w.udp(M.monitorGateway, '01:00:5e:7f:ff:fa', '239.255.255.250', 3702, 3702, wsd({ action: 'Probe', body: '<wsd:Probe><wsd:Types>mdpws:MedicalDevice</wsd:Types></wsd:Probe>' }));
  w.udp(M.sdcPump, '01:00:5e:7f:ff:fa', '239.255.255.250', 3702, 3702, wsd({
    action: 'Hello',
    body: '<wsd:Hello><wsa:EndpointReference><wsa:Address>urn:uuid:5a1e0000-0000-4000-8000-000000000061</wsa:Address></wsa:EndpointReference>'
      + '<wsd:Types>dpws:Device mdpws:MedicalDevice</wsd:Types><wsd:Scopes>sdc.mds.pkp:1.2.840.10004.20701.1.1 sdc.cdc.type:///69985 sdc.ctxt.loc:/sdc.ctxt.loc.detail/WARD3%2F12</wsd:Scopes>'
      + `<wsd:XAddrs>https://${M.sdcPump.ip}:6464/sdc</wsd:XAddrs><wsd:MetadataVersion>1</wsd:MetadataVersion></wsd:Hello>`,
  }));
  w.session(M.monitorGateway, M.sdcPump, 6464, [[true, tlsRecord(22, clientHello({ ciphers: [0xc02f, 0xc030] }))]]);
}

export function medicalWardFrames(o: MedicalWardOptions = {}): MedicalFrame[] {
  let s = (o.seed ?? 1) >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const w = new Wire(o.start ?? Date.UTC(2026, 0, 5, 7, 0, 0) / 1000, rnd);
  const rounds = o.rounds ?? 20;
  for (let n = 1; n <= rounds; n++) {
    if (n === 1 || n % 10 === 0) sdcRound(w);
    hl7Round(w, n);
    dicomRound(w, n, rnd);
    poctRound(w, n);
  }
  return w.frames;
}

export function writeMedicalWardCapture(file: string, o: MedicalWardOptions = {}): number {
  const frames = medicalWardFrames(o);
  writeFileSync(file, pcapFile(1, frames));
  return frames.length;
}
