/**
 * The ward's Wi-Fi, as a radiotap capture (LINKTYPE 127): what a monitor
 * interface beside a ward hears in a few minutes, and two attacks.
 *
 * - HOSPITAL: WPA2-Enterprise (802.1X, MFP capable), two access points on
 *   channels 1 and 6; HOSPITAL-GUEST, open, on channel 1.
 * - MED-DEVICES: WPA2-PSK without MFP on channel 11; infusion pumps and
 *   patient monitors associate with it, complete the 4-way handshake and
 *   send protected data; their WPS strings name manufacturer and model.
 * - Phones with randomised (locally administered) MACs probing for
 *   HOSPITAL-GUEST and wildcard SSIDs.
 * - Injected: a deauthentication flood (broadcast and directed) spoofing
 *   the MED-DEVICES access point, and an evil twin advertising HOSPITAL as
 *   an open network from a new BSSID.
 *
 * Deterministic for a seed (prng.ts). Radiotap headers vary as real
 * drivers' do: Rate or MCS, FCS on some adapters, per-chain signals with a
 * vendor namespace on others, and a few frames the radio flagged bad.
 */
import { Prng } from './prng.js';
import {
  ack, assocRequest, beacon, cat, dataFromDs, dataToDs, deauth, eapolKey, element, probeRequest, RATES, rsnElement,
  snap, ssidElement, withFcs, wpsElement, type Bytes, type RadioOptions,
} from './wifi-frames.js';

export const LINKTYPE_RADIOTAP = 127;

export interface WifiFrame {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly bytes: Bytes;
}

export interface WifiScenario {
  readonly enterprise: readonly string[];
  readonly guest: string;
  readonly medAp: string;
  readonly evilTwin: string;
  readonly medical: readonly string[];
  readonly phones: readonly string[];
  /** Seconds after the start when the flood and the evil twin begin. */
  readonly floodAt: number;
  readonly twinAt: number;
}

export const WIFI_SCENARIO: WifiScenario = {
  enterprise: ['00:3a:98:10:00:01', '00:3a:98:10:00:02'],
  guest: '00:3a:98:10:00:03',
  medAp: '00:3a:98:20:00:01',
  evilTwin: '00:c0:ca:66:66:66',
  medical: ['00:80:2f:11:22:01', '00:80:2f:11:22:02', '00:09:fb:33:44:01'],
  phones: ['da:a1:19:00:00:01', '6e:11:22:33:44:55', '3a:77:00:12:34:56'],
  floodAt: 60,
  twinAt: 90,
};

const FREQ: Readonly<Record<number, number>> = { 1: 2412, 6: 2437, 11: 2462 };

export interface WifiGenOptions {
  readonly seed?: number;
  readonly startSec?: number;
  /** Seconds of air time to generate (default 180). */
  readonly seconds?: number;
  readonly scenario?: WifiScenario;
  /** Leave out the attacks (a quiet ward). */
  readonly quiet?: boolean;
}

/** The frames, in time order. */
export function wifiFrames(o: WifiGenOptions = {}): WifiFrame[] {
  const sc = o.scenario ?? WIFI_SCENARIO;
  const rng = new Prng(o.seed ?? 1);
  const start = o.startSec ?? Date.UTC(2026, 0, 5, 7, 0, 0) / 1000;
  const seconds = o.seconds ?? 180;
  const out: { t: number; b: Bytes }[] = [];
  let seq = 0;
  const radio = (ch: number, signal: number, kind: number): RadioOptions => {
    // Three driver styles, so every radiotap path is exercised.
    const freq = FREQ[ch]!;
    if (kind % 3 === 0) return { freq, signal, noise: -95, rate: 2 };
    if (kind % 3 === 1) return { freq, signal, mcs: 7, fcs: 'good' };
    return { freq, signal, rate: 12, fcs: 'good', chains: [signal - 1, signal - 3] };
  };
  const push = (t: number, r: RadioOptions, f: Bytes): void => {
    out.push({ t, b: withFcs(r, f) });
  };
  const entEls = (ssid: string, ch: number, mfp: 'off' | 'capable' | 'required', akm: number): number[] => [
    ...ssidElement(ssid), ...RATES, ...element(3, [ch]), ...element(5, [0, 1, 0, 0]), ...rsnElement([akm], mfp),
  ];
  const medWps = { manufacturer: 'Hospira', model: 'Plum 360', number: '15.1', name: 'PUMP-ICU-07' };
  // Beacons every 102.4 ms would be 5,000 per AP; one in ten is plenty for a ward capture.
  for (let t = 0; t < seconds; t += 1.024) {
    push(t, radio(1, -52 + rng.int(-3, 3), 0), beacon(sc.enterprise[0]!, seq++, Math.round(t * 1e6), entEls('HOSPITAL', 1, 'capable', 1), true));
    push(t + 0.01, radio(6, -61 + rng.int(-3, 3), 1), beacon(sc.enterprise[1]!, seq++, Math.round(t * 1e6), entEls('HOSPITAL', 6, 'capable', 1), true));
    push(t + 0.02, radio(1, -55 + rng.int(-3, 3), 2), beacon(sc.guest, seq++, Math.round(t * 1e6), [...ssidElement('HOSPITAL-GUEST'), ...RATES, ...element(3, [1])], false));
    push(t + 0.03, radio(11, -48 + rng.int(-3, 3), 0), beacon(sc.medAp, seq++, Math.round(t * 1e6), [...entEls('MED-DEVICES', 11, 'off', 2), ...wpsElement({ manufacturer: 'Cisco', model: 'AIR-AP1852', number: '1852I', name: 'ward7-med' })], true));
  }
  // Medical devices: associate, 4-way handshake, then protected data every few seconds.
  sc.medical.forEach((m, i) => {
    const t0 = 2 + i;
    const r = radio(11, -60 - 4 * i, i);
    push(t0, r, cat(probeRequest(m, seq++, 'MED-DEVICES').subarray(0), wpsElement(medWps)));
    push(t0 + 0.05, r, assocRequest(m, sc.medAp, seq++, 'MED-DEVICES', rsnElement([2], 'off')));
    push(t0 + 0.1, radio(11, -48, 0), dataFromDs(sc.medAp, m, seq++, snap(0x888e, eapolKey(1, 0x11 + i))));
    push(t0 + 0.11, r, dataToDs(m, sc.medAp, sc.medAp, seq++, snap(0x888e, eapolKey(2, 0x21 + i)), false));
    push(t0 + 0.12, radio(11, -48, 0), dataFromDs(sc.medAp, m, seq++, snap(0x888e, eapolKey(3, 0x11 + i))));
    push(t0 + 0.13, r, dataToDs(m, sc.medAp, sc.medAp, seq++, snap(0x888e, eapolKey(4, 0)), false));
    // The first pump still has the guest network in its saved profiles (wifi.medical_open_network).
    if (i === 0) push(t0 + 30, r, probeRequest(m, seq++, 'HOSPITAL-GUEST'));
    for (let t = t0 + 1; t < seconds; t += 3 + rng.int(0, 2)) {
      const body = Array.from({ length: 8 + 60 }, () => rng.int(0, 255));
      push(t, r, dataToDs(m, sc.medAp, '00:3a:98:00:00:fe', seq++, body, true));
      push(t + 0.0001, radio(11, -48, 0), ack(m));
    }
  });
  // Phones with randomised MACs probe (wildcard and the guest SSID) every ~20 s.
  sc.phones.forEach((p, i) => {
    for (let t = 5 + 3 * i; t < seconds; t += 20 + rng.int(0, 5)) {
      const r = radio(1 + 5 * (i % 2), -70 + rng.int(-5, 5), i + 1);
      push(t, r, probeRequest(p, seq++, ''));
      push(t + 0.002, r, probeRequest(p, seq++, 'HOSPITAL-GUEST'));
    }
  });
  // Two frames the radio flagged bad, as a busy channel produces.
  push(7.5, { freq: 2412, signal: -88, rate: 2, fcs: 'bad-flag' }, beacon(sc.enterprise[0]!, seq++, 0, entEls('HOSPITAL', 1, 'capable', 1), true));
  push(8.5, { freq: 2412, signal: -89, mcs: 3, fcs: 'bad-flag' }, deauth(sc.enterprise[0]!, 'ff:ff:ff:ff:ff:ff', sc.enterprise[0]!, seq++, 3));
  if (o.quiet !== true) {
    // Deauthentication flood: broadcast and directed at each pump, spoofing the MED-DEVICES AP, 20 frames/s for 5 s.
    for (let k = 0; k < 100; k++) {
      const to = k % 4 === 0 ? 'ff:ff:ff:ff:ff:ff' : sc.medical[k % sc.medical.length]!;
      push(sc.floodAt + k * 0.05, radio(11, -40, 0), deauth(sc.medAp, to, sc.medAp, seq++, 7));
    }
    // Evil twin: HOSPITAL, open, from a new BSSID on channel 6.
    for (let t = sc.twinAt; t < seconds; t += 1.024) {
      push(t, radio(6, -45, 0), beacon(sc.evilTwin, seq++, Math.round(t * 1e6), [...ssidElement('HOSPITAL'), ...RATES, ...element(3, [6])], false));
    }
  }
  out.sort((a, b) => a.t - b.t);
  return out.map(({ t, b }) => {
    const whole = Math.floor(t);
    return { tsSec: start + whole, tsNsec: Math.round((t - whole) * 1e9) % 1_000_000_000, bytes: b };
  });
}
