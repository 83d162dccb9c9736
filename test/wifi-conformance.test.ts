/**
 * Conformance of the Wi-Fi decoders with tshark, field by field and frame by
 * frame, on every capture under ../shared/captures/wifi_80211 (read in
 * place; IOMT_CAPTURES moves it): subtypes and their counts, addresses and
 * BSSIDs, SSIDs, signal and noise dBm, channel and frequency, rates, RSN
 * AKMs, ciphers and MFP bits, WPA AKMs, WPS strings, EAPOL message numbers,
 * deauthentication reason codes (test/support/tshark-wifi.ts lists them).
 *
 * A missing folder, fewer files than MIN_FILES, fewer frames than
 * MIN_FRAMES or a missing tshark is a failure, not a skip.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import type { RawFrame, SourceEvents } from '../src/capture/types.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import type { Ieee80211View } from '../src/decode/ieee80211/index.js';
import { capturesDir, capturesIn, tsharkVersion } from './support/captures.js';
import { diffWifiRow, tsharkWifiRows, type WifiRow } from './support/tshark-wifi.js';

const MIN_FILES = 7;
/** 6,169 frames today. */
const MIN_FRAMES = 6_000;

/** Decode anomalies the real captures contain, per file, with why (each checked against tshark's expert info). */
const KNOWN_ANOMALIES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  // Frame 2's last element (id 8, Hopping Pattern Parameters) claims 100 octets where 8 remain:
  // tshark says "Tag Length is longer than remaining payload" (Error/Malformed).
  'wifi_80211/wireshark-wiki_210411_win10_radiotap.pcapng': { 'ieee80211.element_overrun': 1 },
};
/** Frames the radio flagged with a bad FCS (radiotap Flags 0x40), counted and not believed. */
const BAD_FCS: Readonly<Record<string, number>> = { 'wifi_80211/heigvd-swi-labo1_deauth.pcapng': 72 };
/**
 * Frames whose FCS does not match although the radio did not flag them: in wpa-Induction, three
 * that tshark also finds bad (wlan.fcs.status 0) and ten with protocol version 2 that tshark cannot
 * dissect ("Unknown Protocol Version", so it leaves the FCS unverified). Without the check they
 * would be a malformed probe request and ten bad versions.
 */
const FCS_MISMATCH: Readonly<Record<string, number>> = {
  'wifi_80211/wireshark-wiki_wpa-Induction.pcap': 13,
  // Frame 1 (Windows native monitor mode): tshark finds its FCS bad too.
  'wifi_80211/wireshark-wiki_210411_win10_radiotap.pcapng': 1,
};

const events: SourceEvents = { anomaly: () => {}, state: () => {} };

export function decodeFile(file: string): { raws: RawFrame[] } {
  const reader = new PcapReader(file, events);
  return { raws: [...reader.push(readFileSync(file)), ...reader.end()] };
}

const TSHARK = tsharkVersion();

t.test('802.11 decoders agree with tshark on every wifi_80211 capture', async (t) => {
  t.ok(TSHARK, `tshark: ${TSHARK ?? 'missing'}`);
  const root = capturesDir();
  const files = capturesIn(root, ['wifi_80211']);
  t.ok(files.length >= MIN_FILES, `${files.length} capture files (at least ${MIN_FILES})`);
  if (TSHARK === undefined) return;
  let frames = 0;
  const fieldsSeen: Record<string, number> = {};
  for (const file of files) {
    const name = file.slice(root.length).replace(/^\//, '');
    await t.test(name, async (t) => {
      const want: WifiRow[] = tsharkWifiRows(file);
      const { raws } = decodeFile(file);
      t.equal(raws.length, want.length, 'frame count');
      const dec = defaultFrameDecoder();
      const diffs: string[] = [];
      const ours = new Map<string, number>();
      const theirs = new Map<string, number>();
      raws.forEach((raw, i) => {
        const w = want[i];
        const f = dec.decode(raw);
        if (w === undefined) return;
        diffs.push(...diffWifiRow(i + 1, f, w));
        const v = f.layers.find((l) => l.name === 'ieee80211') as Ieee80211View | undefined;
        const st = v === undefined ? '' : `0x${v.typeSubtype.toString(16).padStart(4, '0')}`;
        ours.set(st, (ours.get(st) ?? 0) + 1);
        // A bad-FCS frame is decoded by tshark and not believed here (src/decode/radiotap/index.ts).
        const rt = f.layers[0] as { fcsOk?: boolean } | undefined;
        const ts = w['radiotap.flags.badfcs'] === '1' || w['wlan.fcs.status'] === '0' || rt?.fcsOk === false ? '' : w['wlan.fc.type_subtype'].split(',')[0]!;
        theirs.set(ts, (theirs.get(ts) ?? 0) + 1);
        for (const [k, val] of Object.entries(w)) if (val !== '') fieldsSeen[k] = (fieldsSeen[k] ?? 0) + 1;
      });
      t.same(diffs.slice(0, 20), [], `field disagreements (${diffs.length})`);
      t.same(Object.fromEntries([...ours].sort()), Object.fromEntries([...theirs].sort()), 'subtype counts');
      t.equal(dec.counters.bugs, 0, 'no decoder.bug');
      t.equal(dec.counters.notes.get('radiotap.bad_fcs') ?? 0, BAD_FCS[name] ?? 0, 'bad-FCS frames counted');
      t.equal(dec.counters.notes.get('radiotap.fcs_mismatch') ?? 0, FCS_MISMATCH[name] ?? 0, 'FCS mismatches counted');
      t.same(Object.fromEntries([...dec.counters.byCode].sort()), KNOWN_ANOMALIES[name] ?? {}, 'anomaly counts match the baseline');
      frames += raws.length;
    });
  }
  t.ok(frames >= MIN_FRAMES, `${frames} frames compared (at least ${MIN_FRAMES})`);
  // Every field family must have been compared on real frames, not just declared.
  for (const k of ['wlan.ssid', 'radiotap.dbm_antsignal', 'wlan_radio.channel', 'wlan.rsn.akms.type', 'wlan_rsna_eapol.keydes.msgnr', 'wlan.fixed.reason_code', 'radiotap.mcs.index']) {
    t.ok((fieldsSeen[k] ?? 0) > 0, `${k} compared on ${fieldsSeen[k] ?? 0} frames`);
  }
  t.comment(`frames with each field set: ${JSON.stringify(fieldsSeen)}`);
});
