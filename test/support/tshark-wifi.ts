/**
 * The field-by-field comparison of the Wi-Fi decoders (radiotap, PPI,
 * 802.11, its elements, EAPOL-Key) with tshark, for the conformance test
 * over ../shared/captures/wifi_80211 and over the generator's capture.
 *
 * Each field: tshark's name and this decoder's reading in tshark's text
 * form. Where the two legitimately differ the comparison says so here:
 *   - tshark prints repeated fields comma-separated; the SSID, DS channel
 *     and RSN fields compare the first element only (the decoder keeps the
 *     first, as the standard puts one of each in a frame), the antenna
 *     signals compare all of them (one per chain).
 *   - A frame the radio flagged with a bad FCS is decoded by tshark but not
 *     believed here: for those frames only the radiotap fields are compared.
 *   - tshark reads the RSN and WPA elements inside EAPOL-Key data (messages 2 and 3);
 *     the decoder reads elements of management frames only, so the RSN
 *     fields are not compared on EAPOL frames.
 *   - tshark derives `radiotap.datarate` from MCS/VHT/HE when the Rate field
 *     is absent; the decoder reports the Rate field and the MCS index apart,
 *     so the rate is compared only where the Rate field is present.
 *   - WPS strings may hold commas, so they are compared whole.
 *   - FCS: tshark verifies it (wlan.check_checksum) only on frames it can
 *     dissect; on the others (status 2, "unverified") the decoder's own check
 *     is not compared. A frame whose FCS does not match is not believed.
 */
import { execFileSync } from 'node:child_process';
import type { EapolView } from '../../src/decode/eapol/index.js';
import type { Ieee80211View } from '../../src/decode/ieee80211/index.js';
import { parseRsn, rsnOf, wpsOf } from '../../src/decode/ieee80211/elements.js';
import type { PpiView } from '../../src/decode/ppi/index.js';
import type { RadiotapView } from '../../src/decode/radiotap/index.js';
import type { DecodedFrame, Layer } from '../../src/decode/types.js';
import { macString } from '../../src/decode/bytes.js';

export const WIFI_FIELDS = [
  'radiotap.flags.badfcs', 'wlan.fcs.status', 'radiotap.mactime', 'radiotap.dbm_antsignal', 'radiotap.dbm_antnoise', 'radiotap.channel.freq',
  'radiotap.datarate', 'radiotap.mcs.index', 'wlan_radio.channel', 'ppi.80211-common.chan.freq', 'ppi.80211-common.dbm.antsignal',
  'wlan.fc.type_subtype', 'wlan.fc.protected', 'wlan.ra', 'wlan.ta', 'wlan.bssid', 'wlan.sa', 'wlan.da',
  'wlan.ssid', 'wlan.ds.current_channel', 'wlan.fixed.reason_code', 'wlan.fixed.auth.alg',
  'wlan.rsn.gcs.type', 'wlan.rsn.pcs.type', 'wlan.rsn.akms.type', 'wlan.rsn.capabilities.mfpr', 'wlan.rsn.capabilities.mfpc',
  'wlan.wfa.ie.wpa.type', 'wps.manufacturer', 'wps.model_name', 'wps.model_number', 'wps.device_name',
  'wlan_rsna_eapol.keydes.msgnr',
] as const;
export type WifiField = (typeof WIFI_FIELDS)[number];
export type WifiRow = Record<WifiField, string>;

/** tshark's rows for `file`, one per frame. */
export function tsharkWifiRows(file: string): WifiRow[] {
  // check_checksum: tshark verifies the FCS (status 0 bad, 1 good, 2 not verified).
  const args = ['-o', 'wlan.check_checksum:TRUE', '-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of WIFI_FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  const rows: WifiRow[] = [];
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const v = line.split('\t');
    const r = {} as WifiRow;
    WIFI_FIELDS.forEach((f, i) => (r[f] = v[i] ?? ''));
    rows.push(r);
  }
  return rows;
}

function find<T extends Layer>(f: DecodedFrame, name: string): T | undefined {
  return f.layers.find((l) => l.name === name) as T | undefined;
}

const first = (s: string): string => s.split(',')[0] ?? '';
const mac = (n: number): string => (n < 0 ? '' : macString(n));
const hex = (b: Uint8Array, p: number, n: number): string => Buffer.from(b.subarray(p, p + n)).toString('hex');
const num = (n: number | undefined): string => (n === undefined || n < 0 ? '' : String(n));

/** This decoder's reading of a frame, in tshark's text form, for the fields it is compared on. */
export function ourWifiRow(f: DecodedFrame): Partial<WifiRow> {
  const r: Partial<WifiRow> = {};
  const rt = find<RadiotapView>(f, 'radiotap');
  if (rt !== undefined) {
    r['radiotap.flags.badfcs'] = rt.flags === undefined ? '' : rt.badFcs ? '1' : '0';
    r['wlan.fcs.status'] = rt.fcsOk === undefined ? '' : rt.fcsOk ? '1' : '0';
    r['radiotap.mactime'] = num(rt.tsft);
    r['radiotap.dbm_antsignal'] = rt.signals?.join(',') ?? '';
    r['radiotap.dbm_antnoise'] = num(rt.noise === undefined ? undefined : rt.noise) === '' && rt.noise !== undefined ? String(rt.noise) : rt.noise === undefined ? '' : String(rt.noise);
    r['radiotap.channel.freq'] = rt.freq === undefined ? '' : String(rt.freq);
    r['radiotap.datarate'] = rt.rate === undefined ? '' : String(rt.rate / 2);
    r['radiotap.mcs.index'] = num(rt.mcs);
    r['wlan_radio.channel'] = rt.channel < 0 ? '' : String(rt.channel);
  }
  const ppi = find<PpiView>(f, 'ppi');
  if (ppi !== undefined) {
    r['ppi.80211-common.chan.freq'] = ppi.freq === undefined ? '' : String(ppi.freq);
    r['ppi.80211-common.dbm.antsignal'] = ppi.signal === undefined ? '' : String(ppi.signal);
  }
  const w = find<Ieee80211View>(f, 'ieee80211');
  if (w === undefined) return r;
  r['wlan.fc.type_subtype'] = `0x${w.typeSubtype.toString(16).padStart(4, '0')}`;
  r['wlan.fc.protected'] = w.protected ? '1' : '0';
  r['wlan.ra'] = mac(w.addr1);
  r['wlan.ta'] = mac(w.addr2);
  r['wlan.bssid'] = mac(w.bssid);
  r['wlan.sa'] = w.isCtrl ? '' : mac(w.sa);
  r['wlan.da'] = w.isCtrl ? '' : mac(w.da);
  r['wlan.ssid'] = w.ssidOffset < 0 ? '' : hex(w.bytes, w.ssidOffset, w.ssidLength);
  r['wlan.ds.current_channel'] = num(w.dsChannel);
  r['wlan.fixed.reason_code'] = w.reason < 0 ? '' : `0x${w.reason.toString(16).padStart(4, '0')}`;
  r['wlan.fixed.auth.alg'] = num(w.authAlgorithm);
  const rsn = rsnOf(w);
  if (rsn !== undefined && rsn.kind === 'rsn') {
    r['wlan.rsn.gcs.type'] = num(rsn.groupCipher);
    r['wlan.rsn.pcs.type'] = rsn.pairwise.join(',');
    r['wlan.rsn.akms.type'] = rsn.akms.join(',');
    r['wlan.rsn.capabilities.mfpr'] = rsn.capabilities < 0 ? '' : (rsn.capabilities & 0x40) !== 0 ? '1' : '0';
    r['wlan.rsn.capabilities.mfpc'] = rsn.capabilities < 0 ? '' : (rsn.capabilities & 0x80) !== 0 ? '1' : '0';
  }
  const wpa = w.wpaOffset < 0 ? undefined : parseRsn(w.bytes, w.wpaOffset, w.wpaLength, 'wpa');
  if (wpa !== undefined) r['wlan.wfa.ie.wpa.type'] = wpa.akms.join(',');
  const wps = wpsOf(w);
  r['wps.manufacturer'] = wps?.manufacturer ?? '';
  r['wps.model_name'] = wps?.modelName ?? '';
  r['wps.model_number'] = wps?.modelNumber ?? '';
  r['wps.device_name'] = wps?.deviceName ?? '';
  const e = find<EapolView>(f, 'eapol');
  r['wlan_rsna_eapol.keydes.msgnr'] = e !== undefined && e.isKey ? String(e.message) : '';
  return r;
}

/** Fields where only the first of tshark's comma-separated values is this decoder's. */
const FIRST_ONLY: ReadonlySet<WifiField> = new Set([
  'wlan.ssid', 'wlan.ds.current_channel', 'wlan.rsn.gcs.type', 'wlan.rsn.capabilities.mfpr', 'wlan.rsn.capabilities.mfpc',
  'wlan.fixed.reason_code', 'wlan.fixed.auth.alg', 'radiotap.channel.freq', 'wlan.fcs.status', 'radiotap.dbm_antnoise', 'radiotap.mactime',
  'radiotap.flags.badfcs', 'radiotap.datarate', 'wlan_radio.channel', 'wlan.ra', 'wlan.ta', 'wlan.bssid', 'wlan.sa', 'wlan.da',
  'wlan.fc.type_subtype', 'wlan.fc.protected',
]);

/** Tshark's text for the comparison: `<MISSING>` (an absent SSID element body) is an empty SSID. */
function norm(f: WifiField, v: string): string {
  let s = FIRST_ONLY.has(f) ? first(v) : v;
  if (s === '<MISSING>') s = '';
  if (f === 'radiotap.datarate' && s !== '') s = String(Number(s));
  return s;
}

/** Disagreements of frame `n`, as "frame 12 wlan.bssid: ours X, tshark Y". */
export function diffWifiRow(n: number, f: DecodedFrame, want: WifiRow): string[] {
  const ours = ourWifiRow(f);
  const rt = find<RadiotapView>(f, 'radiotap');
  // Not believed: flagged bad by the radio, or an FCS that does not match.
  const badFcs = rt?.badFcs === true || rt?.fcsOk === false;
  const out: string[] = [];
  for (const k of WIFI_FIELDS) {
    if (badFcs && !k.startsWith('radiotap.') && !k.startsWith('wlan_radio.')) continue;
    if ((k.startsWith('wlan.rsn.') || k.startsWith('wlan.wfa.')) && f.layers.some((l) => l.name === 'eapol')) continue;
    if (k === 'radiotap.datarate' && rt?.rate === undefined) continue;
    const a = ours[k] ?? '';
    let b = norm(k, want[k]);
    // tshark does not verify the FCS of frames it cannot dissect (status 2); the decoder checks every FCS.
    if (k === 'wlan.fcs.status' && b === '2') b = a;
    if (a !== b) out.push(`frame ${n} ${k}: ours ${JSON.stringify(a)}, tshark ${JSON.stringify(b)}`);
  }
  return out;
}
