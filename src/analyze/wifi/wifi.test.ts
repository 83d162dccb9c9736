/**
 * The Wi-Fi analyzer and sighting source on the shared captures
 * (../shared/captures/wifi_80211, read in place) through the same replay as
 * `iomt-sensor replay`: the deauthentication capture raises exactly one
 * flood alert naming the attacker and the victims, the quiet captures raise
 * no flood; access points become `bssid` devices also known by their MAC
 * with ssid, security and channel; stations are devices by MAC with their
 * probed SSIDs and associated BSSID. A missing captures folder fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { replayFiles } from '../replay.js';
import { replayConfig } from '../replay-config.js';
import { capturesDir } from '../../../test/support/captures.js';
import type { DeviceRecord } from '../inventory/index.js';

const dir = join(capturesDir(), 'wifi_80211');
const file = (n: string): string => join(dir, n);
const QUIET = [
  'aircrack-ng_test1.pcap', 'aircrack-ng_wpa3-psk.pcap', 'chrissanders_3e80211_wpaauth.pcapng',
  'wireshark-wiki_Network_Join_Nokia_Mobile_lt105.pcap', 'wireshark-wiki_wpa-Induction.pcap', 'wireshark-wiki_210411_win10_radiotap.pcapng',
];
const cfg = () => replayConfig({ inventory: { learning_period_s: 0, max_devices: 100_000 } });

/** tshark's access points: BSSIDs of beacons and probe responses with a good (or no) FCS. */
function tsharkAps(f: string): string[] {
  const out = execFileSync('tshark', ['-o', 'wlan.check_checksum:TRUE', '-r', f, '-Y', '(wlan.fc.type_subtype == 8 || wlan.fc.type_subtype == 5) && !(wlan.fcs.status == 0) && !(radiotap.flags.badfcs == 1)', '-T', 'fields', '-e', 'wlan.bssid'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return [...new Set(out.split('\n').filter((x) => x !== ''))].sort();
}

function attr(d: DeviceRecord, name: string): string | undefined {
  return d.attrs.find((a) => a.name === name)?.value;
}
function apsOf(ds: readonly DeviceRecord[]): string[] {
  return ds.flatMap((d) => d.ids.filter((i) => i.kind === 'bssid').map((i) => i.value)).sort();
}
function byId(ds: readonly DeviceRecord[], kind: string, value: string): DeviceRecord | undefined {
  return ds.find((d) => d.ids.some((i) => i.kind === kind && i.value === value));
}

t.test('captures are there', async (t) => {
  t.ok(existsSync(dir), `${dir} exists (IOMT_CAPTURES moves it)`);
});

t.test('the heigvd deauthentication capture raises exactly one flood alert naming attacker and victims', async (t) => {
  const s = await replayFiles({ files: [file('heigvd-swi-labo1_deauth.pcapng')], config: cfg() });
  const floods = s.alerts.filter((a) => a.def.code === 'wifi.deauth_flood');
  t.equal(floods.length, 1, 'one deduplicated alert');
  const f = floods[0]?.input.facts ?? {};
  t.equal(floods[0]?.input.device, 'bssid:b4:ee:b4:c4:10:a3', 'the network under attack');
  t.match(String(f['attacker']), /b4:ee:b4:c4:10:a3/, 'names the transmitter addresses (the AP spoofed)');
  t.match(String(f['attacker']), /c4:0b:cb:8c:63:71/, 'and the station spoofed');
  t.equal(f['victims'], 'c4:0b:cb:8c:63:71', 'names the victim');
  t.equal(f['reasons'], '7', 'reason code 7 (class 3 frame from non-associated station)');
  t.equal(s.counters['analyzer.bug.wifi'] ?? 0, 0, 'no analyzer bug');
  // Inventory: the AP as a bssid device, also known by its MAC, with its SSID, security and channel.
  const ap = byId(s.devices, 'bssid', 'b4:ee:b4:c4:10:a3');
  t.ok(ap, 'AP is a device');
  if (ap) {
    t.ok(ap.ids.some((i) => i.kind === 'mac' && i.value === 'b4:ee:b4:c4:10:a3'), 'also known by its MAC');
    t.equal(attr(ap, 'ssid'), 'ubm-68762', 'ssid');
    t.equal(attr(ap, 'security'), 'WPA2-PSK', 'security');
    t.equal(attr(ap, 'channel'), '6', 'channel');
  }
  t.same(apsOf(s.devices), tsharkAps(file('heigvd-swi-labo1_deauth.pcapng')), 'the access points tshark sees');
});

t.test('the quiet captures raise no flood and no handshake alert', async (t) => {
  for (const n of QUIET) {
    const s = await replayFiles({ files: [file(n)], config: cfg() });
    const codes = s.alerts.map((a) => a.def.code).filter((c) => c.startsWith('wifi.') && c !== 'wifi.malformed_element');
    t.same(codes, [], `${n}: no wifi alert`);
    t.equal(s.counters['analyzer.bug.wifi'] ?? 0, 0, `${n}: no analyzer bug`);
    t.same(apsOf(s.devices), tsharkAps(file(n)), `${n}: the access points tshark sees`);
  }
});

t.test('the Windows capture whose beacon overruns its elements raises one malformed-element alert', async (t) => {
  const s = await replayFiles({ files: [file('wireshark-wiki_210411_win10_radiotap.pcapng')], config: cfg() });
  const m = s.alerts.filter((a) => a.def.code === 'wifi.malformed_element');
  t.equal(m.length, 1);
  t.equal(m[0]?.input.facts?.['transmitter'], 'f0:9f:c2:77:2e:a4');
  t.equal(m[0]?.input.facts?.['overrun'], true);
});

t.test('stations: probed SSIDs as facts, associated BSSID, WPA3-SAE with MFP', async (t) => {
  const s = await replayFiles({ files: [file('aircrack-ng_wpa3-psk.pcap')], config: cfg() });
  const ap = byId(s.devices, 'bssid', '02:00:00:00:00:00');
  t.equal(ap && attr(ap, 'security'), 'WPA3-SAE+MFP', 'SAE AKM 8 with MFP required');
  t.equal(ap && attr(ap, 'ssid'), 'WPA3-Network');
  const sta = s.devices.find((d) => attr(d, 'associated') === '02:00:00:00:00:00' && d.ids[0]?.kind === 'mac');
  t.ok(sta, 'a station associated with the AP');
  const n = await replayFiles({ files: [file('wireshark-wiki_Network_Join_Nokia_Mobile_lt105.pcap')], config: cfg() });
  const nokiaAp = byId(n.devices, 'bssid', '00:01:e3:41:bd:6e');
  t.equal(nokiaAp && attr(nokiaAp, 'security'), 'WPA', 'WPA 1 element only');
  t.equal(nokiaAp && attr(nokiaAp, 'ssid'), 'martinet3');
});
