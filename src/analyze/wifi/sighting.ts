/**
 * What 802.11 management and data frames tell the inventory, through the
 * sighting seam (src/analyze/inventory/sighting.ts):
 *
 * - Access points, from beacons and probe responses: the device
 *   `{kind: 'bssid'}`, also known as its MAC, with attributes ssid,
 *   security (open, WEP, WPA, WPA2-PSK, WPA2-Enterprise, WPA3-SAE, OWE ...
 *   plus the MFP state), channel, and WPS vendor, model and serial when the
 *   AP advertises them; facts `wifi.vendor_oui` and `wifi.wps_*`.
 * - Stations by MAC, the same identifier as the wired side, so a laptop
 *   seen on the SPAN port and on the air is one device: probe requests give
 *   `wifi.probe_ssid` facts and WPS strings, (re)association requests and
 *   data frames to the distribution system the attribute associated
 *   (the BSSID). A locally administered (randomised) station MAC is
 *   `ephemeral`: tracked in the inventory's capped pool, never alerted.
 *
 * Signal strength is not put on devices here (it changes every frame); the
 * Wi-Fi analyzer keeps it smoothed per station and sensor.
 */
import { macString } from '../../decode/bytes.js';
import { MGMT } from '../../decode/ieee80211/consts.js';
import { securityOf, ssidOf, vendorOuis, wpsOf, type Security } from '../../decode/ieee80211/elements.js';
import type { Ieee80211View } from '../../decode/ieee80211/index.js';
import type { RadiotapView } from '../../decode/radiotap/index.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import type { Fact, Sighting, SightingSource } from '../inventory/sighting.js';

/** 2^40: dividing a MAC number by it leaves the first octet. */
const FIRST_OCTET = 2 ** 40;

/** The group bit (IEEE 802-2014 §8.2): multicast and broadcast, never a station. */
export function isGroupMac(mac: number): boolean {
  return Math.floor(mac / FIRST_OCTET) % 2 === 1;
}

/** The locally administered bit (IEEE 802-2014 §8.4): randomised MACs set it. */
export function isLocalMac(mac: number): boolean {
  return (Math.floor(mac / FIRST_OCTET) & 2) !== 0;
}

/** "WPA2-PSK", "WPA3-SAE+MFP", "WPA2-Enterprise+MFP-capable": the security attribute's value. */
export function securityText(s: Security): string {
  let t = SECURITY_TEXT.get(s);
  if (t === undefined) {
    t = s.mfp === 'required' ? `${s.name}+MFP` : s.mfp === 'capable' ? `${s.name}+MFP-capable` : s.name;
    SECURITY_TEXT.set(s, t);
  }
  return t;
}

/** securityOf hands out the same frozen Security for the same element (elements.ts), so its text is kept beside it. */
const SECURITY_TEXT = new WeakMap<Security, string>();

type Attr = readonly [AttributeName, Observation];

export class WifiSightingSource implements SightingSource {
  readonly name = 'wifi';
  readonly layers: readonly string[] = ['ieee80211'];

  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const v = layer as Ieee80211View;
    if (v.isMgmt) {
      if (v.protected) return;
      const st = v.subtype;
      if (st === MGMT.beacon || st === MGMT.probeResp) this.ap(v, frame, emit);
      else if (st === MGMT.probeReq || st === MGMT.assocReq || st === MGMT.reassocReq) this.station(v, frame, emit);
    } else if (v.isData && v.toDs && !v.fromDs) {
      // A station sending to the distribution system through its AP (IEEE 802.11-2020 Table 9-5).
      const sta = v.addr2;
      const bssid = v.addr1;
      if (sta < 0 || isGroupMac(sta) || isGroupMac(bssid)) return;
      emit({
        subject: { kind: 'mac', value: macString(sta) },
        ephemeral: isLocalMac(sta),
        attrs: [['associated', obs(macString(bssid), 'data', 'bssid', 4, frame)]],
      });
    }
  }

  private ap(v: Ieee80211View, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const bssid = v.bssid;
    if (bssid < 0 || isGroupMac(bssid)) return;
    const mac = macString(bssid);
    const attrs: Attr[] = [];
    const facts: Fact[] = [];
    const ssid = ssidOf(v);
    if (ssid !== undefined && ssid !== '') attrs.push(['ssid', obs(ssid, 'ieee80211', 'ssid', 4, frame)]);
    attrs.push(['security', obs(securityText(securityOf(v)), 'ieee80211', 'rsn', 4, frame)]);
    const ch = channelOf(v, frame);
    if (ch > 0) attrs.push(['channel', obs(String(ch), 'ieee80211', v.dsChannel > 0 ? 'ds_parameter_set' : 'radiotap', 4, frame)]);
    this.wps(v, frame, attrs, facts);
    for (const o of vendorOuis(v)) facts.push({ key: 'wifi.vendor_oui', value: o });
    emit({ subject: { kind: 'bssid', value: mac }, also: [{ kind: 'mac', value: mac }], attrs, facts });
  }

  private station(v: Ieee80211View, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const sta = v.addr2;
    if (sta < 0 || isGroupMac(sta)) return;
    const attrs: Attr[] = [];
    const facts: Fact[] = [];
    const ssid = ssidOf(v);
    if (v.subtype === MGMT.probeReq) {
      if (ssid !== undefined && ssid !== '') facts.push({ key: 'wifi.probe_ssid', value: ssid });
    } else {
      const bssid = v.addr1;
      if (!isGroupMac(bssid)) attrs.push(['associated', obs(macString(bssid), 'ieee80211', 'assoc_req', 3, frame)]);
      if (ssid !== undefined && ssid !== '') attrs.push(['ssid', obs(ssid, 'ieee80211', 'assoc_req.ssid', 3, frame)]);
    }
    this.wps(v, frame, attrs, facts);
    for (const o of vendorOuis(v)) facts.push({ key: 'wifi.vendor_oui', value: o });
    emit({ subject: { kind: 'mac', value: macString(sta) }, ephemeral: isLocalMac(sta), attrs, facts });
  }

  /** WPS strings (WSC v2.0.7 §12) as facts for the class engine, and vendor/model/serial attributes. */
  private wps(v: Ieee80211View, frame: DecodedFrame, attrs: Attr[], facts: Fact[]): void {
    const w = wpsOf(v);
    if (w === undefined) return;
    if (w.manufacturer) {
      facts.push({ key: 'wifi.wps_manufacturer', value: w.manufacturer });
      attrs.push(['vendor', obs(w.manufacturer, 'wps', 'manufacturer', 3, frame)]);
    }
    if (w.modelName) {
      facts.push({ key: 'wifi.wps_model', value: w.modelName });
      attrs.push(['model', obs(w.modelNumber ? `${w.modelName} ${w.modelNumber}` : w.modelName, 'wps', 'model_name', 3, frame)]);
    }
    if (w.modelNumber) facts.push({ key: 'wifi.wps_model_number', value: w.modelNumber });
    if (w.deviceName) facts.push({ key: 'wifi.wps_device_name', value: w.deviceName });
    if (w.serialNumber) attrs.push(['serial', obs(w.serialNumber, 'wps', 'serial_number', 3, frame)]);
  }
}

/** The AP's channel: its DS Parameter Set, else the radio's. */
export function channelOf(v: Ieee80211View, frame: DecodedFrame): number {
  if (v.dsChannel > 0) return v.dsChannel;
  const rt = frame.layers[0];
  return rt !== undefined && rt.name === 'radiotap' ? (rt as RadiotapView).channel : -1;
}

function obs(value: string, proto: string, field: string, confidence: number, frame: DecodedFrame): Observation {
  return { value, proto, field, time: frame.raw.tsSec, confidence, source: frame.raw.source };
}
