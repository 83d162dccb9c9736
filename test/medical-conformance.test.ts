/**
 * Conformance of the medical stream parsers with tshark on every capture of
 * ../shared/captures/ethernet_medical (issue 11 "What it must show"), field
 * by field: AE titles, implementation class UID and version name,
 * presentation contexts (abstract syntaxes, transfer syntaxes, results),
 * DIMSE command names and statuses, HL7 message types, trigger events and
 * control ids. tshark reads DICOM on any port with its heuristic and HL7 on
 * the one port the nDPI capture uses; the sensor finds both by content.
 *
 * Missing captures or a missing tshark fail the test: a comparison over
 * nothing proves nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import { MedicalContext, type MedicalEvent } from '../src/analyze/medical/context.js';
import { statusClass } from '../src/decode/dicom/consts.js';
import type { Hl7Message } from '../src/decode/hl7/index.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { capturesDir, capturesIn, tsharkVersion } from './support/captures.js';

const MIN_FILES = 6;

function ourEvents(file: string): Array<[number, MedicalEvent]> {
  const reader = new PcapReader(file, { anomaly: () => {}, state: () => {} });
  const raws = [...reader.push(readFileSync(file)), ...reader.end()];
  const dec = defaultFrameDecoder();
  const ctx = new MedicalContext();
  const out: Array<[number, MedicalEvent]> = [];
  raws.forEach((raw, i) => {
    for (const e of ctx.events(dec.decode(raw))) out.push([i + 1, e]);
  });
  return out;
}

const FIELDS = [
  'frame.number', 'dicom.pdu.type', 'dicom.assoc.ae.calling', 'dicom.assoc.ae.called', 'dicom.userinfo.uid', 'dicom.userinfo.version',
  'dicom.pctx.id', 'dicom.pctx.result', 'dicom.pctx.abss.syntax', 'dicom.pctx.xfer.syntax', '_ws.col.Info',
  'hl7.message.type', 'hl7.event.type', 'hl7.field',
] as const;

function tsharkRows(file: string): Array<Record<(typeof FIELDS)[number], string[]>> {
  const out = execFileSync('tshark', [
    '-r', file, '-n', '-o', 'dicom.heuristic:TRUE', '-d', 'tcp.port==6661,hl7', '-Y', 'dicom or hl7',
    '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=\u001f', ...FIELDS.flatMap((f) => ['-e', f]),
  ], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l !== '').map((l) => {
    const cols = l.split('\t');
    return Object.fromEntries(FIELDS.map((f, i) => [f, (cols[i] ?? '') === '' ? [] : cols[i]!.split('\u001f')])) as Record<(typeof FIELDS)[number], string[]>;
  });
}

/**
 * tshark's DIMSE reading of a P-DATA frame, from its Info column (its DICOM
 * dissector puts the command set in the tree without fields): "P-DATA,
 * C-ECHO-RSP ID=1 (Success)" is a command and its status class; any other
 * P-DATA summary ("C-FIND-RQ-DATA", "CT Image Storage") is a dataset.
 */
function tsharkDimse(info: string): { commands: string[]; statuses: string[]; dataset: boolean } {
  const commands: string[] = [];
  const statuses: string[] = [];
  for (const m of info.matchAll(/([CN]-[A-Z-]+?-(?:RQ|RSP)) ID=\d+(?: \(([A-Za-z]+)[^)]*\))?/g)) {
    commands.push(m[1]!);
    if (m[2] !== undefined) statuses.push(m[2].toLowerCase());
  }
  return { commands, statuses, dataset: commands.length === 0 && /^P-DATA/.test(info) };
}

/** The UID in tshark's "Name (1.2.3)" rendering of a syntax. */
const uidOf = (s: string): string => /\(([0-9.]+)\)\s*$/.exec(s)?.[1] ?? s.replace(/\0/g, '');

const TSHARK = tsharkVersion();

t.test('medical parsers agree with tshark on every ethernet_medical capture', async (t) => {
  t.ok(TSHARK, `tshark: ${TSHARK ?? 'missing'}`);
  const root = capturesDir();
  const files = capturesIn(root, ['ethernet_medical']);
  t.ok(files.length >= MIN_FILES, `${files.length} capture files (at least ${MIN_FILES})`);
  if (TSHARK === undefined) return;
  const compared: Record<string, number> = {};
  const add = (k: string): void => {
    compared[k] = (compared[k] ?? 0) + 1;
  };
  for (const file of files) {
    const name = file.slice(root.length + 1);
    await t.test(name, async (t) => {
      const ours = ourEvents(file);
      const rows = tsharkRows(file);
      const byFrame = new Map<number, MedicalEvent[]>();
      for (const [n, e] of ours) byFrame.set(n, [...(byFrame.get(n) ?? []), e]);
      let dimseRows = 0;
      for (const row of rows) {
        const n = Number(row['frame.number'][0]);
        const evs = byFrame.get(n) ?? [];
        const types = row['dicom.pdu.type'].map((x) => Number(x));
        for (const type of types) {
          if (type === 1 || type === 2) {
            const a = evs.find((e) => e.proto === 'dicom' && e.ev.kind === (type === 1 ? 'associate-rq' : 'associate-ac'))?.ev;
            if (a === undefined || (a.kind !== 'associate-rq' && a.kind !== 'associate-ac')) {
              t.fail(`frame ${n}: tshark reads PDU type ${type}, we have ${JSON.stringify(evs.map((e) => e.ev.kind))}`);
              continue;
            }
            t.equal(a.callingAe, row['dicom.assoc.ae.calling'][0]!.trim(), `frame ${n} calling AE`);
            t.equal(a.calledAe, row['dicom.assoc.ae.called'][0]!.trim(), `frame ${n} called AE`);
            t.equal(a.implementationUid, row['dicom.userinfo.uid'][0], `frame ${n} implementation class UID`);
            t.equal(a.implementationVersion, row['dicom.userinfo.version'][0], `frame ${n} implementation version`);
            t.same(a.contexts.map((c) => c.id), row['dicom.pctx.id'].map((x) => Number(x)), `frame ${n} presentation context ids`);
            if (type === 1) {
              t.same(a.contexts.map((c) => c.abstractSyntax), row['dicom.pctx.abss.syntax'].map(uidOf), `frame ${n} abstract syntaxes`);
              t.same(a.contexts.flatMap((c) => c.transferSyntaxes), row['dicom.pctx.xfer.syntax'].map(uidOf), `frame ${n} transfer syntaxes`);
            } else {
              t.same(a.contexts.map((c) => c.result), row['dicom.pctx.result'].map((x) => Number(x)), `frame ${n} presentation context results`);
              t.same(a.contexts.map((c) => c.transferSyntaxes[0]), row['dicom.pctx.xfer.syntax'].map(uidOf), `frame ${n} accepted transfer syntaxes`);
            }
            add(type === 1 ? 'A-ASSOCIATE-RQ' : 'A-ASSOCIATE-AC');
            add('presentation contexts');
          } else if (type === 4) {
            const want = tsharkDimse(row['_ws.col.Info'].join(','));
            const got = evs.filter((e) => e.proto === 'dicom' && e.ev.kind === 'command').map((e) => e.ev);
            t.same(got.map((c) => (c.kind === 'command' ? c.name : '')), want.commands, `frame ${n} DIMSE commands`);
            t.same(got.filter((c) => c.kind === 'command' && c.status >= 0).map((c) => (c.kind === 'command' ? statusClass(c.status) : '')), want.statuses, `frame ${n} DIMSE statuses`);
            t.equal(evs.some((e) => e.ev.kind === 'dataset'), want.dataset, `frame ${n} dataset PDV`);
            if (want.commands.length > 0) {
              dimseRows++;
              add('DIMSE commands');
            }
          } else if (type === 3 || type === 5 || type === 6 || type === 7) {
            const kind = { 3: 'associate-rj', 5: 'release-rq', 6: 'release-rp', 7: 'abort' }[type];
            t.ok(evs.some((e) => e.ev.kind === kind), `frame ${n} ${kind}`);
            add(kind!);
          }
        }
        if (row['hl7.message.type'].length > 0) {
          const h = evs.find((e) => e.proto === 'hl7' && e.ev.kind === 'message');
          const m = h?.proto === 'hl7' && h.ev.kind === 'message' ? (h.ev as Hl7Message) : undefined;
          if (m === undefined) {
            t.fail(`frame ${n}: tshark reads an HL7 message, we have none`);
            continue;
          }
          t.equal(m.messageType, row['hl7.message.type'][0], `frame ${n} HL7 message type`);
          t.equal(m.triggerEvent, row['hl7.event.type'][0] ?? '', `frame ${n} HL7 trigger event`);
          // tshark's hl7.field lists every field; MSH-10 (control id) is the ninth after MSH-1 and MSH-2 are dropped.
          const fields = row['hl7.field'];
          t.ok(fields.includes(m.controlId), `frame ${n} HL7 control id ${m.controlId} among tshark's fields`);
          if (m.ackCode !== '') t.ok(fields.includes(m.ackCode), `frame ${n} MSA ack code ${m.ackCode}`);
          add('HL7 messages');
        }
      }
      const ourPdus = ours.filter(([, e]) => e.ev.kind !== 'dataset' && e.ev.kind !== 'anomaly' && e.ev.kind !== 'command').length;
      const theirPdus = rows.reduce((n, r) => n + r['dicom.pdu.type'].filter((x) => Number(x) !== 4).length + (r['hl7.message.type'].length > 0 ? 1 : 0), 0);
      t.equal(ourPdus, theirPdus, 'as many non-P-DATA PDUs and HL7 messages as tshark');
      t.equal(ours.filter(([, e]) => e.ev.kind === 'anomaly').length, 0, 'no anomalies on real captures');
      if (name.includes('dicom') && !name.includes('store')) t.ok(dimseRows > 0, 'DIMSE commands compared');
    });
  }
  t.ok((compared['A-ASSOCIATE-RQ'] ?? 0) >= 4 && (compared['HL7 messages'] ?? 0) >= 2 && (compared['DIMSE commands'] ?? 0) >= 6, `compared: ${JSON.stringify(compared)}`);
});
