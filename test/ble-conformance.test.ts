/**
 * BLE conformance against tshark: every capture under ../shared/captures/ble_ll
 * and ble_hci (pcap, pcapng and btsnoop) is decoded here and by tshark, and,
 * frame by frame, these must agree: CRC status, RSSI, channel, access
 * address, advertising PDU type, advertiser address and whether it is
 * random, company ids, local names and 16-bit service UUIDs (LL); event
 * type, address, address type, RSSI, company ids, names and UUIDs of every
 * HCI advertising report. Then, per file: PDU type counts, and the set of
 * advertisers seen in CRC-good frames (the devices), with the addresses
 * that only bad-CRC frames carry counted apart.
 *
 * The captures are read in place (IOMT_CAPTURES moves them). Fewer files
 * than MIN_FILES or frames than MIN_FRAMES, or no tshark, fails.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import type { RawFrame, SourceAnomaly, SourceEvents } from '../src/capture/types.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import type { DecodedFrame } from '../src/decode/types.js';
import { advertsOf, btleOf, crcOf, radioOf } from '../src/analyze/ble/frame.js';
import type { BtleRfView } from '../src/decode/btle_rf/index.js';
import { capturesDir, tsharkVersion } from './support/captures.js';

/** 15 files and 41,000 frames today. */
const MIN_FILES = 15;
const MIN_FRAMES = 40_000;
const AGG = '\u001f';

/** tshark reads DLT_USER0 inside PPI as BLE only when told (PROVENANCE.md). */
const USER_DLT = ['-o', 'uat:user_dlts:"User 0 (DLT=147)","btle","0","","0",""'];

const LL_FIELDS = [
  'frame.number', 'nordic_ble.crcok', 'btle_rf.flags', 'nordic_ble.rssi', 'btle_rf.signal_dbm', 'nordic_ble.channel', 'btle_rf.channel',
  'btle.access_address', 'btle.advertising_header.pdu_type', 'btle.advertising_address', 'btle.advertising_header.randomized_tx',
  'btle.advertising_header.randomized_rx', 'btcommon.eir_ad.entry.company_id', 'btcommon.eir_ad.entry.device_name',
  'btcommon.eir_ad.entry.uuid_16', '_ws.expert.message',
] as const;
const HCI_FIELDS = [
  'frame.number', 'bthci_evt.le_advts_event_type', 'bthci_evt.bd_addr', 'bthci_evt.le_peer_address_type', 'bthci_evt.rssi',
  'btcommon.eir_ad.entry.company_id', 'btcommon.eir_ad.entry.device_name', 'btcommon.eir_ad.entry.uuid_16', 'bthci_evt.le_num_reports',
  '_ws.expert.message',
] as const;

type Row = Record<string, string>;

function tshark(file: string, fields: readonly string[]): Row[] {
  const args = ['-r', file, ...(file.includes('_ppi') ? USER_DLT : []), '-T', 'fields', '-E', 'separator=/t', '-E', `aggregator=${AGG}`, '-E', 'quote=n', '-E', 'occurrence=a'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l !== '').map((l) => {
    const v = l.split('\t');
    return Object.fromEntries(fields.map((f, i) => [f, v[i] ?? '']));
  });
}

class Events implements SourceEvents {
  readonly anomalies: SourceAnomaly[] = [];
  anomaly(a: SourceAnomaly): void {
    this.anomalies.push(a);
  }
  state(): void {}
}

function readAll(file: string): { frames: RawFrame[]; anomalies: SourceAnomaly[] } {
  const ev = new Events();
  const r = new PcapReader('conformance', ev);
  const frames = [...r.push(readFileSync(file)), ...r.end()];
  return { frames, anomalies: ev.anomalies };
}

const list = (s: string): string[] => (s === '' ? [] : s.split(AGG));
/** tshark prints control characters as JSON-style escapes in fields; the decoder drops them (they never reach a console). */
// eslint-disable-next-line no-control-regex
const printable = (s: string): string => s.replace(/\\[rnt]/g, '').replace(/[\u0000-\u001f\u007f]/g, '');
const hexes = (s: string): string => [...new Set(list(s).map((x) => parseInt(x, 16).toString(16).padStart(4, '0')))].sort().join(' ');
const sortedUniq = (xs: readonly string[]): string => [...new Set(xs)].sort().join(' ');

/** tshark's CRC verdict: the radio header's flag when there is one, else its expert info on an advertising PDU. */
function tsharkCrc(r: Row): string {
  if (r['nordic_ble.crcok'] !== '') return r['nordic_ble.crcok'] === '1' ? 'ok' : 'bad';
  if (r['btle_rf.flags'] !== '') {
    const f = parseInt(r['btle_rf.flags']!, 16);
    if (f & 0x400) return f & 0x800 ? 'ok' : 'bad';
  }
  const ex = r['_ws.expert.message']!;
  if (/Incorrect CRC/i.test(ex)) return 'bad';
  if (r['btle.access_address'] === '0x8e89bed6' && !/CRC unchecked|indeterminate/i.test(ex)) return 'ok';
  return 'unknown';
}

interface FileStats {
  frames: number;
  pduCounts: Record<string, number>;
  goodDevices: Set<string>;
  badOnly: Set<string>;
}

function compareLl(t: Test, file: string): FileStats {
  const want = tshark(file, LL_FIELDS);
  const { frames, anomalies } = readAll(file);
  t.equal(frames.length, want.length, 'frame count');
  t.same(anomalies, [], 'no reader anomalies');
  const dec = defaultFrameDecoder();
  const diffs: string[] = [];
  const ourPdus: Record<string, number> = {};
  const theirPdus: Record<string, number> = {};
  const good = new Set<string>();
  const theirGood = new Set<string>();
  const seen = new Set<string>();
  frames.forEach((raw, i) => {
    const w = want[i]!;
    const f: DecodedFrame = dec.decode(raw);
    const b = btleOf(f);
    const radio = radioOf(f.layers);
    const d = (field: string, ours: unknown, theirs: unknown): void => {
      if (String(ours) !== String(theirs)) diffs.push(`#${i + 1} ${field}: ours ${String(ours)} tshark ${String(theirs)}`);
    };
    d('crc', b === undefined ? 'unknown' : crcOf(f, b), tsharkCrc(w));
    d('rssi', radio.rssi ?? '', w['nordic_ble.rssi'] || w['btle_rf.signal_dbm']);
    const ch = f.layers[0]?.name === 'btle_rf' ? (f.layers[0] as BtleRfView).rfChannel : radio.channel === -1 ? '' : radio.channel;
    d('channel', ch, w['nordic_ble.channel'] || w['btle_rf.channel']);
    d('access_address', b === undefined ? '' : `0x${b.accessAddress.toString(16).padStart(8, '0')}`, w['btle.access_address']);
    const tp = w['btle.advertising_header.pdu_type']!;
    if (b?.isAdvertising) {
      d('pdu_type', `0x${b.pduType.toString(16).padStart(2, '0')}`, tp);
      ourPdus[b.pduType] = (ourPdus[b.pduType] ?? 0) + 1;
    }
    if (tp !== '') theirPdus[parseInt(tp, 16)] = (theirPdus[parseInt(tp, 16)] ?? 0) + 1;
    const ads = advertsOf(f);
    const a = ads[0];
    if (a === undefined && b?.isAdvertising === true && b.length < ((b.pduType === 3 || b.pduType === 5) ? 12 : 6)) {
      // A Length too short for AdvA: tshark reads the address from the bytes after the PDU anyway. Only bad-CRC frames do this.
      d('short_pdu_crc', crcOf(f, b), 'bad');
    } else d('advertising_address', a?.address ?? '', list(w['btle.advertising_address']!)[0] ?? '');
    if (a !== undefined && b !== undefined) {
      const t3 = b.pduType === 3 || b.pduType === 5;
      const rnd = w[t3 ? 'btle.advertising_header.randomized_rx' : 'btle.advertising_header.randomized_tx'];
      d('random', a.addressType !== 0 ? '1' : '0', rnd === '1' || rnd === 'True' ? '1' : '0');
      // AdvData of a bad-CRC frame is noise: tshark reads what it can of a structure running off the end, the decoder stops there.
      // Such frames are counted, not believed (issue 9), so their contents are not compared.
    }
    if (a !== undefined && b !== undefined && a.crc === 'ok') {
      const names = list(w['btcommon.eir_ad.entry.device_name']!).map(printable);
      d('company_id', sortedUniq(a.ad.companies.map((c) => c.toString(16).padStart(4, '0'))), hexes(w['btcommon.eir_ad.entry.company_id']!));
      if (names.length > 0 || a.ad.name !== '') d('device_name', names.includes(a.ad.name) ? names.join('|') : a.ad.name, names.join('|'));
      d('uuid_16', sortedUniq(a.ad.services.filter((s) => s.length === 4)), hexes(w['btcommon.eir_ad.entry.uuid_16']!));
    }
    if (a !== undefined) {
      seen.add(a.address);
      if (a.crc === 'ok') good.add(a.address);
    }
    const ta = list(w['btle.advertising_address']!)[0];
    if (ta !== undefined && tsharkCrc(w) === 'ok') theirGood.add(ta);
  });
  t.same(diffs.slice(0, 15), [], `field disagreements: ${diffs.length}`);
  if (process.env['BLE_DIFFS']) for (const x of diffs) console.error(x);
  t.same(ourPdus, theirPdus, 'advertising PDU type counts');
  t.same([...good].sort(), [...theirGood].sort(), `advertisers in CRC-good frames (${good.size})`);
  t.equal(dec.counters.bugs, 0, 'no decoder.bug');
  const badOnly = new Set([...seen].filter((x) => !good.has(x)));
  return { frames: frames.length, pduCounts: ourPdus, goodDevices: good, badOnly };
}

function compareHci(t: Test, file: string): FileStats {
  const want = tshark(file, HCI_FIELDS);
  const { frames, anomalies } = readAll(file);
  t.equal(frames.length, want.length, 'frame count');
  t.same(anomalies, [], 'no reader anomalies');
  const dec = defaultFrameDecoder();
  const diffs: string[] = [];
  const counts: Record<string, number> = {};
  const good = new Set<string>();
  let reports = 0;
  let malformed = 0;
  frames.forEach((raw, i) => {
    const w = want[i]!;
    const f = dec.decode(raw);
    const ads = advertsOf(f);
    const d = (field: string, ours: unknown, theirs: unknown): void => {
      if (String(ours) !== String(theirs)) diffs.push(`#${i + 1} ${field}: ours ${String(ours)} tshark ${String(theirs)}`);
    };
    const types = list(w['bthci_evt.le_advts_event_type']!);
    if (types.length === 0 && ads.length === 0) return;
    d('reports', ads.length, types.length);
    reports += ads.length;
    const names = ['ADV_IND', 'ADV_DIRECT_IND', 'ADV_SCAN_IND', 'ADV_NONCONN_IND', 'SCAN_RSP'];
    d('event_type', ads.map((a) => a.pdu).join(','), types.map((x) => names[parseInt(x, 16)] ?? x).join(','));
    d('bd_addr', ads.map((a) => a.address).join(','), list(w['bthci_evt.bd_addr']!).join(','));
    d('random', ads.map((a) => (a.addressType !== 0 ? 1 : 0)).join(','), list(w['bthci_evt.le_peer_address_type']!).map((x) => (parseInt(x, 16) % 2 === 1 ? 1 : 0)).join(','));
    if (/Malformed/.test(w['_ws.expert.message']!)) {
      // tshark stops at an AD structure longer than the report's data and never reaches the RSSI after it;
      // the decoder reads the report by its own lengths and flags the AdvData (ad.bad_length).
      malformed++;
      d('ad_problem', ads.some((a) => a.ad.problem !== ''), true);
      return;
    }
    d('rssi', ads.map((a) => a.rssi ?? '').join(','), list(w['bthci_evt.rssi']!).join(','));
    d('company_id', sortedUniq(ads.flatMap((a) => a.ad.companies.map((c) => c.toString(16).padStart(4, '0')))), hexes(w['btcommon.eir_ad.entry.company_id']!));
    const tn = list(w['btcommon.eir_ad.entry.device_name']!).map(printable);
    const on = ads.map((a) => a.ad.name).filter((n) => n !== '');
    d('device_name', on.every((n) => tn.includes(n)) ? tn.join('|') : on.join('|'), tn.join('|'));
    d('uuid_16', sortedUniq(ads.flatMap((a) => a.ad.services.filter((s) => s.length === 4))), hexes(w['btcommon.eir_ad.entry.uuid_16']!));
    for (const a of ads) {
      counts[a.pdu] = (counts[a.pdu] ?? 0) + 1;
      good.add(a.address);
    }
  });
  t.same(diffs.slice(0, 15), [], `field disagreements: ${diffs.length}`);
  if (process.env['BLE_DIFFS']) for (const x of diffs) console.error(x);
  t.equal(dec.counters.bugs, 0, 'no decoder.bug');
  t.comment(`${reports} advertising reports, ${malformed} that tshark calls malformed`);
  return { frames: frames.length, pduCounts: counts, goodDevices: good, badOnly: new Set() };
}

const TSHARK = tsharkVersion();

t.test('BLE decode agrees with tshark on every shared BLE capture', async (t) => {
  t.ok(TSHARK, `tshark: ${TSHARK ?? 'missing'}`);
  const root = capturesDir();
  const files: [string, 'll' | 'hci'][] = [];
  for (const [dir, kind] of [['ble_ll', 'll'], ['ble_hci', 'hci']] as const) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, dir)).sort();
    } catch {
      // Counted below: a missing folder fails the file count.
    }
    for (const n of names) if (/\.(pcap|pcapng|log)$/.test(n)) files.push([join(root, dir, n), kind]);
  }
  t.ok(files.length >= MIN_FILES, `${files.length} BLE capture files in ${root} (at least ${MIN_FILES})`);
  if (TSHARK === undefined) return;
  let frames = 0;
  const summary: string[] = [];
  for (const [file, kind] of files) {
    const name = file.slice(root.length + 1);
    await t.test(name, async (t) => {
      const s = kind === 'll' ? compareLl(t, file) : compareHci(t, file);
      frames += s.frames;
      summary.push(`${name}: ${s.frames} frames, ${s.goodDevices.size} advertisers from CRC-good frames, ${s.badOnly.size} seen only in bad-CRC frames, PDUs ${JSON.stringify(s.pduCounts)}`);
    });
  }
  t.ok(frames >= MIN_FRAMES, `${frames} frames compared (at least ${MIN_FRAMES})`);
  for (const line of summary) t.comment(line);
});
