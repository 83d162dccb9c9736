/**
 * The Wi-Fi analyzer: access points, SSIDs and stations heard on monitor
 * sources, and the wireless alerts of src/alerts/defs/wifi.ts. Devices go
 * to the inventory through the sighting seam (sighting.ts); this analyzer
 * keeps only what detection needs, in tables with caps (wifi.max_aps,
 * max_ssids, max_stations) whose evictions are counted:
 *
 * - per BSSID: SSID, security rank and MFP, open or not, the deauth window
 *   and the EAPOL window;
 * - per SSID: the BSSIDs that advertised it and the best security it has
 *   shown (the evil-twin baseline);
 * - per station: its signal per sensor, smoothed (exponential moving
 *   average, weight wifi.signal_alpha), and its last BSSID.
 *
 * Medical devices are known by their class attribute, which the inventory
 * holds: the analyzer is handed a read-only lookup (analyzers.ts).
 */
import type { Analyzer, Sink } from '../types.js';
import type { DecodedFrame } from '../../decode/types.js';
import type { Config } from '../../config/index.js';
import type { Ieee80211View } from '../../decode/ieee80211/index.js';
import type { RadiotapView } from '../../decode/radiotap/index.js';
import type { PpiView } from '../../decode/ppi/index.js';
import type { EapolView } from '../../decode/eapol/index.js';
import { MGMT } from '../../decode/ieee80211/consts.js';
import { SECURITY_RANK, securityOf, ssidOf } from '../../decode/ieee80211/elements.js';
import { macKey, macString } from '../../decode/bytes.js';
import { BoundedMap, BoundedSet } from './lru.js';
import { channelOf, isGroupMac, securityText } from './sighting.js';

export { WifiSightingSource } from './sighting.js';

export interface WifiOptions {
  readonly maxAps: number;
  readonly maxSsids: number;
  readonly maxStations: number;
  readonly deauthThreshold: number;
  readonly windowS: number;
  readonly eapolMsg1Threshold: number;
  readonly signalAlpha: number;
  /** SSID -> allowed BSSIDs (macKey numbers); an empty list allows any. */
  readonly knownNetworks: ReadonlyMap<string, readonly number[]>;
}

export function wifiOptions(config: Config): WifiOptions {
  const c = config.wifi;
  const known = new Map<string, number[]>();
  for (const n of c.known_networks) known.set(n.ssid, n.bssids.map(parseMac));
  return {
    maxAps: c.max_aps, maxSsids: c.max_ssids, maxStations: c.max_stations, deauthThreshold: c.deauth_threshold,
    windowS: c.window_s, eapolMsg1Threshold: c.eapol_msg1_threshold, signalAlpha: c.signal_alpha, knownNetworks: known,
  };
}

function parseMac(s: string): number {
  const b = Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));
  return macKey(b, 0);
}

/** Says whether the device with this MAC is of a medical class. */
export type MedicalLookup = (mac: number) => boolean;

/** Victims and transmitters named per flood alert, at most. */
const MAX_NAMED = 16;
/** Sensors whose signal is kept per station. */
const MAX_SENSORS = 4;

interface Ap {
  ssid: string;
  /** SECURITY_RANK * 2 + 1 when MFP is required. */
  rank: number;
  security: string;
  open: boolean;
  mfpRequired: boolean;
  channel: number;
  deauthStart: number;
  deauthCount: number;
  flooding: boolean;
  transmitters: BoundedSet<number>;
  victims: BoundedSet<number>;
  reasons: BoundedSet<number>;
  eapolStart: number;
  msg1: number;
  msg4: number;
  handshakeAlerted: boolean;
  noMfpAlerted: boolean;
  rogueAlerted: boolean;
}

interface SsidRecord {
  bestRank: number;
  open: boolean;
  bssids: BoundedSet<number>;
}

interface Station {
  /** Smoothed dBm per sensor (capture source name). */
  readonly signal: Map<string, number>;
  bssid: number;
}

export class WifiAnalyzer implements Analyzer {
  readonly name = 'wifi';
  private readonly aps: BoundedMap<number, Ap>;
  private readonly ssids: BoundedMap<string, SsidRecord>;
  private readonly stations: BoundedMap<number, Station>;
  private readonly malformedAlerted: BoundedMap<number, true>;
  readonly counters = { mgmt: 0, ctrl: 0, data: 0, deauth: 0, eapol_msg1: 0, eapol_msg4: 0 };

  constructor(private opts: WifiOptions, private readonly isMedical: MedicalLookup = () => false) {
    this.aps = new BoundedMap(opts.maxAps);
    this.ssids = new BoundedMap(opts.maxSsids);
    this.stations = new BoundedMap(opts.maxStations);
    this.malformedAlerted = new BoundedMap(opts.maxStations);
  }

  onFrame(frame: DecodedFrame, out: Sink): void {
    const layers = frame.layers;
    let v: Ieee80211View | undefined;
    let radio: RadiotapView | PpiView | undefined;
    let eapol: EapolView | undefined;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i]!;
      if (l.name === 'ieee80211') v = l as Ieee80211View;
      else if (l.name === 'radiotap' || l.name === 'ppi') radio = l as RadiotapView | PpiView;
      else if (l.name === 'eapol') eapol = l as EapolView;
    }
    if (v === undefined) return;
    const t = frame.raw.tsSec;
    const c = this.counters;
    if (v.isCtrl) {
      c.ctrl++;
      return;
    }
    const ta = v.addr2;
    if (radio !== undefined && ta >= 0 && !isGroupMac(ta)) this.signal(ta, radio.signal, frame.raw.source, out);
    if (v.isData) {
      c.data++;
      if (eapol !== undefined) this.eapol(v, eapol, t, out);
      else if (v.toDs && !v.fromDs) this.stationOnAp(v.addr2, v.addr1, t, out);
      return;
    }
    c.mgmt++;
    if (v.badElement >= 0 || (v.elementsOverrun && !frame.truncated)) this.malformed(v, t, out);
    const st = v.subtype;
    if (st === MGMT.deauth || st === MGMT.disassoc) this.deauth(v, t, out);
    else if (v.protected) return;
    else if (st === MGMT.beacon || st === MGMT.probeResp) this.beacon(v, frame, t, out);
    else if (st === MGMT.probeReq) this.probe(v, t, out);
    else if (st === MGMT.assocReq || st === MGMT.reassocReq) this.stationOnAp(v.addr2, v.addr1, t, out, true);
  }

  /** Smoothed signal per station and sensor: s += alpha * (x - s). */
  private signal(mac: number, dbm: number | undefined, source: string, out: Sink): void {
    if (dbm === undefined) return;
    let s = this.stations.get(mac);
    if (s === undefined) {
      s = { signal: new Map(), bssid: -1 };
      if (this.stations.set(mac, s)) out.count('wifi.stations_evicted');
    }
    const prev = s.signal.get(source);
    if (prev === undefined) {
      if (s.signal.size < MAX_SENSORS) s.signal.set(source, dbm);
    } else s.signal.set(source, prev + this.opts.signalAlpha * (dbm - prev));
  }

  /** The smoothed signal of a station (or AP) at a sensor, dBm. */
  signalOf(mac: string, source: string): number | undefined {
    return this.stations.peek(parseMac(mac))?.signal.get(source);
  }

  private beacon(v: Ieee80211View, frame: DecodedFrame, t: number, out: Sink): void {
    const bssid = v.bssid;
    if (bssid < 0 || isGroupMac(bssid)) return;
    const sec = securityOf(v);
    const ssid = ssidOf(v) ?? '';
    const rank = SECURITY_RANK[sec.name] * 2 + (sec.mfp === 'required' ? 1 : 0);
    let ap = this.aps.get(bssid);
    if (ap === undefined) {
      ap = {
        ssid, rank, security: securityText(sec), open: sec.name === 'open', mfpRequired: sec.mfp === 'required', channel: channelOf(v, frame),
        deauthStart: t, deauthCount: 0, flooding: false, transmitters: new BoundedSet(MAX_NAMED), victims: new BoundedSet(MAX_NAMED),
        reasons: new BoundedSet(8), eapolStart: t, msg1: 0, msg4: 0, handshakeAlerted: false, noMfpAlerted: false, rogueAlerted: false,
      };
      if (this.aps.set(bssid, ap)) out.count('wifi.aps_evicted');
    } else if (ap.rank !== rank || ap.ssid !== ssid) {
      ap.rank = rank;
      ap.ssid = ssid;
      ap.security = securityText(sec);
      ap.open = sec.name === 'open';
      ap.mfpRequired = sec.mfp === 'required';
    }
    if (ssid === '') return;
    const known = this.opts.knownNetworks.get(ssid);
    if (known !== undefined && known.length > 0 && !known.includes(bssid) && !ap.rogueAlerted) {
      ap.rogueAlerted = true;
      out.alert({ code: 'wifi.rogue_ap', device: `bssid:${macString(bssid)}`, time: t, facts: { bssid: macString(bssid), ssid, channel: ap.channel, security: ap.security } });
    }
    let rec = this.ssids.get(ssid);
    if (rec === undefined) {
      rec = { bestRank: rank, open: ap.open, bssids: new BoundedSet(32) };
      rec.bssids.add(bssid);
      if (this.ssids.set(ssid, rec)) out.count('wifi.ssids_evicted');
      return;
    }
    if (ap.open) rec.open = true;
    if (rec.bssids.has(bssid)) {
      if (rank > rec.bestRank) rec.bestRank = rank;
      return;
    }
    rec.bssids.add(bssid);
    if (rank < rec.bestRank) {
      out.alert({
        code: 'wifi.evil_twin', device: `bssid:${macString(bssid)}`, time: t,
        facts: { bssid: macString(bssid), ssid, security: ap.security, channel: ap.channel, known_bssids: rec.bssids.items.filter((b) => b !== bssid).map(macString).join(',') },
      });
    } else if (rank > rec.bestRank) rec.bestRank = rank;
  }

  private probe(v: Ieee80211View, t: number, out: Sink): void {
    const sta = v.addr2;
    const ssid = ssidOf(v);
    if (sta < 0 || ssid === undefined || ssid === '') return;
    const rec = this.ssids.peek(ssid);
    if (rec !== undefined && rec.open && this.isMedical(sta)) {
      out.alert({ code: 'wifi.medical_open_network', device: `mac:${macString(sta)}`, time: t, facts: { station: macString(sta), ssid, frame: 'probe_request' } });
    }
  }

  /** A station talking to (or associating with) an AP: open-network and no-MFP checks for medical devices. */
  private stationOnAp(sta: number, bssid: number, t: number, out: Sink, assoc = false): void {
    if (sta < 0 || isGroupMac(sta) || isGroupMac(bssid)) return;
    const ap = this.aps.peek(bssid);
    if (ap === undefined) return;
    const s = this.stations.peek(sta);
    if (s !== undefined) s.bssid = bssid;
    if (ap.mfpRequired && !ap.open) return;
    if (ap.noMfpAlerted && !(assoc && ap.open)) return;
    if (!this.isMedical(sta)) return;
    if (assoc && ap.open) {
      out.alert({ code: 'wifi.medical_open_network', device: `mac:${macString(sta)}`, time: t, facts: { station: macString(sta), ssid: ap.ssid, bssid: macString(bssid), frame: 'association_request' } });
    }
    if (!ap.noMfpAlerted) {
      ap.noMfpAlerted = true;
      out.alert({ code: 'wifi.medical_no_mfp', device: `bssid:${macString(bssid)}`, time: t, facts: { bssid: macString(bssid), ssid: ap.ssid, security: ap.security, station: macString(sta) } });
    }
  }

  /** The AP a frame belongs to, created bare when no beacon has been heard yet. */
  private apFor(bssid: number, t: number, out: Sink): Ap {
    let ap = this.aps.get(bssid);
    if (ap === undefined) {
      ap = {
        ssid: '', rank: 0, security: 'unknown', open: false, mfpRequired: false, channel: -1, deauthStart: t, deauthCount: 0, flooding: false,
        transmitters: new BoundedSet(MAX_NAMED), victims: new BoundedSet(MAX_NAMED), reasons: new BoundedSet(8), eapolStart: t, msg1: 0, msg4: 0,
        handshakeAlerted: false, noMfpAlerted: false, rogueAlerted: false,
      };
      if (this.aps.set(bssid, ap)) out.count('wifi.aps_evicted');
    }
    return ap;
  }

  /**
   * Deauthentication and disassociation floods per network (IEEE 802.11-2020
   * §9.3.3.12, §9.3.3.5): counted in a window of window_s; one alert when
   * the count reaches the threshold, and no other until a window ends below it.
   */
  private deauth(v: Ieee80211View, t: number, out: Sink): void {
    this.counters.deauth++;
    // Protected (802.11w) deauthentications cannot be forged by an outsider: not a flood.
    if (v.protected) return;
    const bssid = v.bssid;
    if (bssid < 0 || isGroupMac(bssid)) return;
    const ap = this.apFor(bssid, t, out);
    if (t - ap.deauthStart >= this.opts.windowS) {
      if (ap.deauthCount < this.opts.deauthThreshold) ap.flooding = false;
      ap.deauthStart = t;
      ap.deauthCount = 0;
    }
    ap.deauthCount++;
    const ta = v.addr2;
    const ra = v.addr1;
    ap.transmitters.add(ta);
    for (const a of [ta, ra]) if (a !== bssid) ap.victims.add(isGroupMac(a) ? -1 : a);
    if (v.reason >= 0) ap.reasons.add(v.reason);
    if (!ap.flooding && ap.deauthCount >= this.opts.deauthThreshold) {
      ap.flooding = true;
      out.alert({
        code: 'wifi.deauth_flood', device: `bssid:${macString(bssid)}`, time: t,
        facts: {
          bssid: macString(bssid), ssid: ap.ssid, frames: ap.deauthCount, window_s: this.opts.windowS,
          attacker: ap.transmitters.items.map(macString).join(','),
          victims: ap.victims.items.map((a) => (a < 0 ? 'broadcast' : macString(a))).join(','),
          reasons: ap.reasons.items.join(','),
        },
      });
      ap.transmitters = new BoundedSet(MAX_NAMED);
      ap.victims = new BoundedSet(MAX_NAMED);
      ap.reasons = new BoundedSet(8);
    }
  }

  /** Handshake capture activity: many message 1s towards one network's stations and no message 4. */
  private eapol(v: Ieee80211View, e: EapolView, t: number, out: Sink): void {
    if (!e.isKey || !e.pairwise) return;
    const bssid = v.bssid;
    if (bssid < 0 || isGroupMac(bssid)) return;
    const ap = this.apFor(bssid, t, out);
    if (t - ap.eapolStart >= this.opts.windowS) {
      ap.eapolStart = t;
      ap.msg1 = 0;
      ap.msg4 = 0;
      ap.handshakeAlerted = false;
    }
    const m = e.message;
    if (m === 1) {
      ap.msg1++;
      this.counters.eapol_msg1++;
    } else if (m === 4) {
      ap.msg4++;
      this.counters.eapol_msg4++;
    }
    if (!ap.handshakeAlerted && ap.msg4 === 0 && ap.msg1 >= this.opts.eapolMsg1Threshold) {
      ap.handshakeAlerted = true;
      out.alert({ code: 'wifi.handshake_capture', device: `bssid:${macString(bssid)}`, time: t, facts: { bssid: macString(bssid), ssid: ap.ssid, msg1: ap.msg1, pmkid: e.hasPmkid } });
    }
  }

  private malformed(v: Ieee80211View, t: number, out: Sink): void {
    const ta = v.addr2;
    if (ta < 0 || this.malformedAlerted.peek(ta) !== undefined) return;
    if (this.malformedAlerted.set(ta, true)) out.count('wifi.malformed_evicted');
    out.alert({
      code: 'wifi.malformed_element', device: `mac:${macString(ta)}`, time: t,
      facts: { transmitter: macString(ta), subtype: v.subtype, element: v.badElement, length: v.badElementLength, overrun: v.elementsOverrun },
    });
  }

  onTick(): void {}

  reconfigure(config: Config): readonly string[] {
    const next = wifiOptions(config);
    const fixed = next.maxAps !== this.opts.maxAps || next.maxSsids !== this.opts.maxSsids || next.maxStations !== this.opts.maxStations;
    this.opts = { ...next, maxAps: this.opts.maxAps, maxSsids: this.opts.maxSsids, maxStations: this.opts.maxStations };
    return fixed ? ['wifi.max_aps', 'wifi.max_ssids', 'wifi.max_stations'] : [];
  }

  gauges(): Readonly<Record<string, number>> {
    const c = this.counters;
    return {
      aps: this.aps.size, ssids: this.ssids.size, stations: this.stations.size,
      aps_evicted: this.aps.evicted, ssids_evicted: this.ssids.evicted, stations_evicted: this.stations.evicted,
      frames_mgmt: c.mgmt, frames_ctrl: c.ctrl, frames_data: c.data, deauth: c.deauth, eapol_msg1: c.eapol_msg1, eapol_msg4: c.eapol_msg4,
    };
  }
}
