/**
 * The Wi-Fi generator's capture (scripts/ward/wifi.ts) end to end: tshark
 * reads it as the decoders do (field by field, the radiotap variants with
 * FCS, MCS, per-chain signals and a vendor namespace included), and the
 * replay raises the injected attacks' alerts and none on the quiet ward.
 * The medical-device and handshake alerts, which need a device class or a
 * hostile pattern the ward does not carry, are driven through the analyzer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { replayFiles } from '../src/analyze/replay.js';
import { replayConfig } from '../src/analyze/replay-config.js';
import { WifiAnalyzer, wifiOptions } from '../src/analyze/wifi/index.js';
import type { Sink } from '../src/analyze/types.js';
import type { AlertInput } from '../src/alerts/types.js';
import { pcapFile } from '../src/capture/pcap/writer.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { macKey } from '../src/decode/bytes.js';
import { LINKTYPE_RADIOTAP, WIFI_SCENARIO as SC, wifiFrames } from '../scripts/ward/wifi.js';
import { dataFromDs, eapolKey, mac, snap, withFcs } from '../scripts/ward/wifi-frames.js';
import { rawFrame } from './builders/frames.js';
import { tsharkVersion } from './support/captures.js';
import { diffWifiRow, tsharkWifiRows } from './support/tshark-wifi.js';

const dir = mkdtempSync(join(tmpdir(), 'wifi-ward-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'ward.pcap');
const quietFile = join(dir, 'quiet.pcap');
const frames = wifiFrames({ seed: 7 });
writeFileSync(file, pcapFile(LINKTYPE_RADIOTAP, frames));
writeFileSync(quietFile, pcapFile(LINKTYPE_RADIOTAP, wifiFrames({ seed: 7, quiet: true })));

class Collect implements Sink {
  readonly alerts: AlertInput[] = [];
  readonly counts = new Map<string, number>();
  alert(a: AlertInput): void {
    this.alerts.push(a);
  }
  publish(): void {}
  put(): void {}
  del(): void {}
  count(code: string, n = 1): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + n);
  }
}

t.test('tshark reads the generated capture as the decoders do', async (t) => {
  t.ok(tsharkVersion(), 'tshark runs');
  const want = tsharkWifiRows(file);
  t.equal(want.length, frames.length, 'frame count');
  const dec = defaultFrameDecoder();
  const diffs: string[] = [];
  frames.forEach((f, i) => diffs.push(...diffWifiRow(i + 1, dec.decode({ ...rawFrame(f.bytes, LINKTYPE_RADIOTAP), tsSec: f.tsSec }), want[i]!)));
  t.same(diffs.slice(0, 20), [], `disagreements (${diffs.length})`);
  t.equal(dec.counters.notes.get('radiotap.bad_fcs'), 2, 'the two frames flagged bad are counted and not believed');
  t.ok(want.some((w) => w['radiotap.dbm_antsignal'].split(',').length === 3), 'per-chain signals behind a vendor namespace compared');
  t.ok(want.some((w) => w['radiotap.mcs.index'] !== ''), 'MCS compared');
  t.ok(want.some((w) => w['wlan_rsna_eapol.keydes.msgnr'] === '4'), 'EAPOL message 4 compared');
  t.ok(want.some((w) => w['wps.model_name'] === 'Plum 360'), 'WPS strings compared');
});

t.test('replay: the injected flood and evil twin raise one alert each, the quiet ward none', async (t) => {
  const cfg = replayConfig({ inventory: { learning_period_s: 0 } });
  const s = await replayFiles({ files: [file], config: cfg });
  const codes = s.alerts.map((a) => a.def.code).filter((c) => c.startsWith('wifi.')).sort();
  t.same(codes, ['wifi.deauth_flood', 'wifi.evil_twin'], 'the two attacks');
  const flood = s.alerts.find((a) => a.def.code === 'wifi.deauth_flood')!;
  t.equal(flood.input.device, `bssid:${SC.medAp}`);
  t.equal(flood.input.facts?.['attacker'], SC.medAp, 'the spoofed transmitter');
  t.match(String(flood.input.facts?.['victims']), /broadcast/, 'broadcast victims');
  for (const m of SC.medical) t.match(String(flood.input.facts?.['victims']), m, `victim ${m}`);
  const twin = s.alerts.find((a) => a.def.code === 'wifi.evil_twin')!;
  t.equal(twin.input.facts?.['bssid'], SC.evilTwin);
  t.equal(twin.input.facts?.['security'], 'open');
  const q = await replayFiles({ files: [quietFile], config: cfg });
  t.same(q.alerts.filter((a) => a.def.code.startsWith('wifi.')).map((a) => a.def.code), [], 'quiet ward: no wifi alert');
  // Inventory: pumps by MAC, associated with the MED-DEVICES AP, vendor from WPS; phones ephemeral.
  const pump = s.devices.find((d) => d.ids[0]?.value === SC.medical[0]);
  t.equal(pump?.attrs.find((a) => a.name === 'associated')?.value, SC.medAp, 'associated');
  t.equal(pump?.attrs.find((a) => a.name === 'vendor')?.value, 'Hospira', 'vendor from WPS (confidence 3 beats the OUI)');
  t.equal(s.counters['inventory.ephemeral_new'], SC.phones.length, 'randomised phone MACs are ephemeral, counted');
  const ent = s.devices.find((d) => d.ids.some((i) => i.kind === 'bssid' && i.value === SC.enterprise[0]));
  t.equal(ent?.attrs.find((a) => a.name === 'security')?.value, 'WPA2-Enterprise+MFP-capable');
  const k = await replayFiles({ files: [file], config: replayConfig({ inventory: { learning_period_s: 0 }, wifi: { known_networks: [{ ssid: 'HOSPITAL', bssids: [...SC.enterprise] }] } }) });
  const rogue = k.alerts.filter((a) => a.def.code === 'wifi.rogue_ap');
  t.same(rogue.map((a) => a.input.facts?.['bssid']), [SC.evilTwin], 'known_networks: the unknown BSSID is a rogue');
});

t.test('medical devices: open-network probe and a network without MFP, once each', async (t) => {
  const medical = new Set(SC.medical.map((m) => macKey(Uint8Array.from(mac(m)), 0)));
  const a = new WifiAnalyzer(wifiOptions(replayConfig()), (m) => medical.has(m));
  const out = new Collect();
  const dec = defaultFrameDecoder();
  for (const f of wifiFrames({ seed: 7, quiet: true })) a.onFrame(dec.decode({ ...rawFrame(f.bytes, LINKTYPE_RADIOTAP), tsSec: f.tsSec }), out);
  const codes = out.alerts.map((x) => `${x.code} ${x.device}`).sort();
  t.same(codes, [`wifi.medical_no_mfp bssid:${SC.medAp}`, `wifi.medical_open_network mac:${SC.medical[0]}`]);
  t.ok(a.signalOf(SC.medical[0]!, 'test')! < -50, 'signal smoothed per station and sensor');
});

t.test('handshake capture: many message 1s and no message 4 raise one alert; a completed handshake does not', async (t) => {
  const a = new WifiAnalyzer(wifiOptions(replayConfig()));
  const out = new Collect();
  const dec = defaultFrameDecoder();
  const r = { freq: 2462, signal: -40, rate: 2 };
  for (let i = 0; i < 25; i++) {
    const b = withFcs(r, dataFromDs(SC.medAp, SC.phones[i % 3]!, i, snap(0x888e, eapolKey(1, i + 1, true))));
    a.onFrame(dec.decode({ ...rawFrame(b, LINKTYPE_RADIOTAP), tsSec: 1000 + (i >> 3) }), out);
  }
  t.same(out.alerts.map((x) => x.code), ['wifi.handshake_capture'], 'one alert');
  t.equal(out.alerts[0]?.facts?.['pmkid'], true, 'PMKID offered');
  const b = new WifiAnalyzer(wifiOptions(replayConfig()));
  const out2 = new Collect();
  for (const f of wifiFrames({ seed: 7, quiet: true })) b.onFrame(dec.decode({ ...rawFrame(f.bytes, LINKTYPE_RADIOTAP), tsSec: f.tsSec }), out2);
  t.same(out2.alerts, [], "the ward's handshakes complete: nothing");
  t.equal(b.gauges()['eapol_msg4'], SC.medical.length, 'every message 4 counted');
});

t.test('bounded: 100k random station MACs stay within max_stations, evictions counted', async (t) => {
  const a = new WifiAnalyzer({ ...wifiOptions(replayConfig()), maxStations: 1000 });
  const out = new Collect();
  const dec = defaultFrameDecoder();
  const r = { freq: 2412, signal: -60, rate: 2 };
  for (let i = 0; i < 100_000; i++) {
    const m = `02:${((i >>> 24) & 0xff).toString(16).padStart(2, '0')}:${((i >>> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >>> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}:01`;
    const f = withFcs(r, Uint8Array.from([0x40, 0, 0, 0, 255, 255, 255, 255, 255, 255, ...mac(m), 255, 255, 255, 255, 255, 255, 0, 0, 0, 0]));
    a.onFrame(dec.decode(rawFrame(f, LINKTYPE_RADIOTAP)), out);
  }
  t.equal(a.gauges()['stations'], 1000);
  t.equal(a.gauges()['stations_evicted'], 99_000);
});
