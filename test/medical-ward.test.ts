/**
 * The ward generator's medical capture (scripts/ward/medical.ts, issue 11
 * §9): tshark reads it without a malformed packet or an expert warning,
 * finds as many HL7 messages and DICOM PDUs as the sensor's parsers, and
 * the same seed gives the same bytes. Its patient values are synthetic and
 * must cross the wire (the sensor's cleartext-PHI alert needs them), which
 * the test checks too, so a generator that stopped sending them would fail.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import { MedicalContext } from '../src/analyze/medical/context.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { medicalWardFrames, writeMedicalWardCapture } from '../scripts/ward/medical.js';

const tshark = (args: string[]): string => execFileSync('tshark', args, { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });

t.test('the medical ward capture: tshark-clean, parsed like tshark, deterministic', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'medward-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'm.pcap');
  const n = writeMedicalWardCapture(file, { seed: 7, rounds: 12 });
  t.ok(n > 1000, `${n} frames`);
  const opts = ['-r', file, '-n', '-o', 'dicom.heuristic:TRUE', '-d', 'tcp.port==2575,hl7'];
  t.equal(tshark([...opts, '-Y', '_ws.malformed || _ws.expert.severity >= 6291456']).trim(), '', 'no malformed frame, no expert error or warning');
  const hl7 = tshark([...opts, '-Y', 'hl7', '-T', 'fields', '-e', 'hl7.message.type']).split('\n').filter(Boolean).length;
  const pdus = tshark([...opts, '-Y', 'dicom', '-T', 'fields', '-e', 'dicom.pdu.type', '-E', 'occurrence=a']).split('\n').filter(Boolean).flatMap((l) => l.split(','));

  const reader = new PcapReader(file, { anomaly: () => {}, state: () => {} });
  const dec = defaultFrameDecoder();
  const ctx = new MedicalContext();
  const kinds: Record<string, number> = {};
  for (const raw of [...reader.push(readFileSync(file)), ...reader.end()]) {
    for (const e of ctx.events(dec.decode(raw))) kinds[`${e.proto}.${e.ev.kind}`] = (kinds[`${e.proto}.${e.ev.kind}`] ?? 0) + 1;
  }
  t.equal(kinds['hl7.message'], hl7, `HL7 messages: ${hl7} by tshark`);
  for (const [type, kind] of [[1, 'associate-rq'], [2, 'associate-ac'], [5, 'release-rq'], [6, 'release-rp']] as const) {
    t.equal(kinds[`dicom.${kind}`], pdus.filter((p) => Number(p) === type).length, `DICOM ${kind}`);
  }
  t.equal(kinds['poct1.message'], 12 * 4, 'POCT1-A HEL, ACK, DST, OBS per round');
  t.equal(Object.keys(kinds).filter((k) => k.endsWith('anomaly')).length, 0, `no anomaly (${JSON.stringify(kinds)})`);
  t.ok(readFileSync(file).includes(Buffer.from('SYNTHETIC^PATIENT1')), 'synthetic patient names are on the wire');
  const again = medicalWardFrames({ seed: 7, rounds: 12 });
  t.same(Buffer.concat(again.map((f) => f.bytes)), Buffer.concat(medicalWardFrames({ seed: 7, rounds: 12 }).map((f) => f.bytes)), 'same seed, same frames');
  t.notSame(Buffer.concat(again.map((f) => f.bytes)), Buffer.concat(medicalWardFrames({ seed: 8, rounds: 12 }).map((f) => f.bytes)), 'another seed, other frames');
});
