/**
 * Reading inside the elements the 802.11 view found: RSN (§9.4.2.24), the
 * Microsoft WPA element (WPA 1, the same layout with OUI 00:50:f2), WPS
 * attributes (Wi-Fi Simple Configuration v2.0.7 §12, big-endian TLVs) and
 * the SSID as text. Each function checks lengths before reading and returns
 * `undefined` for a body it cannot read, never throws.
 */
import { u16be, u16le } from '../bytes.js';
import { AKM_ENTERPRISE, AKM_OWE, AKM_SAE, AKMS, CIPHERS, OUI_IEEE80211, OUI_MICROSOFT, RSN_CAP_MFPC, RSN_CAP_MFPR, WPS_ATTR } from './consts.js';
import type { Ieee80211View } from './index.js';
import { BytesMemo } from './memo.js';

/**
 * What the same element bytes gave last time (memo.ts): beacons repeat their
 * elements, and the analyzer and the sighting source both read them. The
 * values are frozen, shared by every caller.
 */
export const ELEMENT_MEMO = {
  ssid: new BytesMemo<string>(1024),
  security: new BytesMemo<Security>(256),
  wps: new BytesMemo<WpsStrings>(512),
} as const;

export interface RsnInfo {
  /** `wpa` for the Microsoft element, `rsn` for the RSN element. */
  readonly kind: 'rsn' | 'wpa';
  /** Suite types (the low octet) of suites under the standard's OUI (00:0f:ac, or 00:50:f2 for WPA). */
  readonly groupCipher: number;
  readonly pairwise: readonly number[];
  readonly akms: readonly number[];
  /** RSN Capabilities, -1 when the element ends before them. */
  readonly capabilities: number;
  readonly pmkids: number;
}

function suiteType(b: Uint8Array, p: number, oui: number): number {
  const o = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  // A vendor's own suite is kept apart from the standard's numbers.
  return o === oui ? b[p + 3]! : 0x100 + b[p + 3]!;
}

/** Parses an RSN body (or a WPA body after OUI and type) at `p` of length `len`. */
export function parseRsn(b: Uint8Array, p: number, len: number, kind: 'rsn' | 'wpa'): RsnInfo | undefined {
  const oui = kind === 'rsn' ? OUI_IEEE80211 : OUI_MICROSOFT;
  const end = p + len;
  if (len < 2) return undefined;
  let q = p + 2; // version
  // §9.4.2.24.1: every field after the version is optional, but only from the end.
  let groupCipher = -1;
  const pairwise: number[] = [];
  const akms: number[] = [];
  let capabilities = -1;
  let pmkids = 0;
  if (q + 4 <= end) {
    groupCipher = suiteType(b, q, oui);
    q += 4;
  }
  for (const list of [pairwise, akms]) {
    if (q + 2 > end) break;
    const n = u16le(b, q);
    q += 2;
    if (q + 4 * n > end) return undefined;
    for (let i = 0; i < n; i++) list.push(suiteType(b, q + 4 * i, oui));
    q += 4 * n;
  }
  if (kind === 'rsn' && q + 2 <= end) {
    capabilities = u16le(b, q);
    q += 2;
    if (q + 2 <= end) pmkids = u16le(b, q);
  }
  return { kind, groupCipher, pairwise, akms, capabilities, pmkids };
}

/** The RSN element of a frame, else its WPA element, parsed. */
export function rsnOf(v: Ieee80211View): RsnInfo | undefined {
  if (v.rsnOffset >= 0) return parseRsn(v.bytes, v.rsnOffset, v.rsnLength, 'rsn');
  if (v.wpaOffset >= 0) return parseRsn(v.bytes, v.wpaOffset, v.wpaLength, 'wpa');
  return undefined;
}

export type SecurityName = 'open' | 'WEP' | 'WPA' | 'WPA2-PSK' | 'WPA2-Enterprise' | 'WPA3-SAE' | 'WPA3-Enterprise' | 'OWE' | 'WPA2/WPA3-SAE';

/** Strength order, weakest first: an evil twin is the same SSID with a lower rank. */
export const SECURITY_RANK: Readonly<Record<SecurityName, number>> = {
  open: 0, WEP: 1, WPA: 2, OWE: 3, 'WPA2-PSK': 4, 'WPA2/WPA3-SAE': 5, 'WPA2-Enterprise': 6, 'WPA3-SAE': 6, 'WPA3-Enterprise': 7,
};

export interface Security {
  readonly name: SecurityName;
  /** Management frame protection: required, capable, or off. */
  readonly mfp: 'required' | 'capable' | 'off';
  readonly akms: readonly string[];
  readonly pairwise: readonly string[];
}

/** The network's protection as beacons and probe responses advertise it (§12.6.1, §9.4.2.24). */
export function securityOf(v: Ieee80211View): Security {
  const rsn = v.rsnOffset >= 0;
  if (!rsn && v.wpaOffset < 0) return v.privacy ? WEP : OPEN;
  const p = rsn ? v.rsnOffset : v.wpaOffset;
  const len = rsn ? v.rsnLength : v.wpaLength;
  // An element that does not parse falls back on the Privacy bit, so the bit is part of the key.
  const tag = (rsn ? 1 : 2) | (v.privacy ? 4 : 0);
  const memo = ELEMENT_MEMO.security;
  const h = BytesMemo.hash(v.bytes, p, len, tag);
  return memo.lookup(h, v.bytes, p, len, tag) ?? memo.store(h, v.bytes, p, len, tag, freeze(securityOfRsn(v, rsnOf(v))));
}

const freeze = <T extends object>(o: T): T => {
  for (const x of Object.values(o)) if (Array.isArray(x)) Object.freeze(x);
  return Object.freeze(o);
};
const OPEN: Security = freeze({ name: 'open', mfp: 'off', akms: [], pairwise: [] });
const WEP: Security = freeze({ name: 'WEP', mfp: 'off', akms: [], pairwise: [] });

function securityOfRsn(v: Ieee80211View, r: RsnInfo | undefined): Security {
  if (r === undefined) return { name: v.privacy ? 'WEP' : 'open', mfp: 'off', akms: [], pairwise: [] };
  const akmNames = r.akms.map((a) => AKMS.get(a) ?? `vendor-${a & 0xff}`);
  const pw = r.pairwise.map((c) => CIPHERS.get(c) ?? `vendor-${c & 0xff}`);
  const caps = r.capabilities < 0 ? 0 : r.capabilities;
  const mfp = (caps & RSN_CAP_MFPR) !== 0 ? 'required' : (caps & RSN_CAP_MFPC) !== 0 ? 'capable' : 'off';
  if (r.kind === 'wpa') return { name: 'WPA', mfp: 'off', akms: akmNames, pairwise: pw };
  const sae = r.akms.some((a) => AKM_SAE.has(a));
  const psk = r.akms.some((a) => a === 2 || a === 4 || a === 6 || a === 19 || a === 20);
  const ent = r.akms.some((a) => AKM_ENTERPRISE.has(a));
  let name: SecurityName;
  if (sae) name = psk ? 'WPA2/WPA3-SAE' : 'WPA3-SAE';
  else if (r.akms.includes(AKM_OWE)) name = 'OWE';
  else if (ent) name = mfp === 'required' && r.akms.some((a) => a === 5 || a >= 11) ? 'WPA3-Enterprise' : 'WPA2-Enterprise';
  else name = 'WPA2-PSK';
  return { name, mfp, akms: akmNames, pairwise: pw };
}

/** Longest SSID text kept (the standard allows 32 octets; a longer one is malformed and cut). */
export const MAX_SSID = 32;

/**
 * An SSID as text: UTF-8 where it decodes (§9.4.2.2 allows it), control
 * characters replaced, at most MAX_SSID octets. Empty for a hidden SSID.
 */
export function ssidText(b: Uint8Array, p: number, len: number): string {
  const n = Math.min(len, MAX_SSID);
  let zero = true;
  for (let i = 0; i < n; i++) if (b[p + i] !== 0) zero = false;
  if (zero) return '';
  return Buffer.from(b.buffer, b.byteOffset + p, n).toString('utf8').replace(/[\u0000-\u001f\u007f]/g, '?');
}

/** The SSID of a frame as text, or undefined when it has no SSID element. */
export function ssidOf(v: Ieee80211View): string | undefined {
  const p = v.ssidOffset;
  if (p < 0) return undefined;
  const len = v.ssidLength;
  const memo = ELEMENT_MEMO.ssid;
  const h = BytesMemo.hash(v.bytes, p, len, 0);
  return memo.lookup(h, v.bytes, p, len, 0) ?? memo.store(h, v.bytes, p, len, 0, ssidText(v.bytes, p, len));
}

export interface WpsStrings {
  manufacturer?: string;
  modelName?: string;
  modelNumber?: string;
  serialNumber?: string;
  deviceName?: string;
}

/** Longest WPS string kept (WSC §12: 64 octets for the longest of these, 32 for the serial number). */
const MAX_WPS = 64;

/** The WPS identity strings of a frame (WSC v2.0.7 §12: type 2, length 2, value, big-endian). */
export function wpsOf(v: Ieee80211View): Readonly<WpsStrings> | undefined {
  const p = v.wpsOffset;
  if (p < 0) return undefined;
  const memo = ELEMENT_MEMO.wps;
  const h = BytesMemo.hash(v.bytes, p, v.wpsLength, 0);
  return memo.lookup(h, v.bytes, p, v.wpsLength, 0) ?? memo.store(h, v.bytes, p, v.wpsLength, 0, Object.freeze(parseWps(v)));
}

function parseWps(v: Ieee80211View): WpsStrings {
  const b = v.bytes;
  const end = v.wpsOffset + v.wpsLength;
  const out: WpsStrings = {};
  let p = v.wpsOffset;
  while (p + 4 <= end) {
    const t = u16be(b, p);
    const n = u16be(b, p + 2);
    const q = p + 4;
    if (q + n > end) break;
    const text = (): string =>
      Buffer.from(b.buffer, b.byteOffset + q, Math.min(n, MAX_WPS)).toString('utf8').replace(/[\u0000-\u001f\u007f]/g, '').trim();
    if (t === WPS_ATTR.manufacturer) out.manufacturer = text();
    else if (t === WPS_ATTR.modelName) out.modelName = text();
    else if (t === WPS_ATTR.modelNumber) out.modelNumber = text();
    else if (t === WPS_ATTR.serialNumber) out.serialNumber = text();
    else if (t === WPS_ATTR.deviceName) out.deviceName = text();
    p = q + n;
  }
  return out;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The OUIs of a frame's vendor-specific elements ("00:50:f2"), at most `max`. */
export function vendorOuis(v: Ieee80211View, max = 8): string[] {
  const out: string[] = [];
  const b = v.bytes;
  let p = v.elementsOffset;
  if (p < 0) return out;
  const end = v.payloadEnd;
  while (p + 2 <= end && out.length < max) {
    const len = b[p + 1]!;
    if (p + 2 + len > end) break;
    if (b[p] === 221 && len >= 3) {
      const s = `${HEX[b[p + 2]!]}:${HEX[b[p + 3]!]}:${HEX[b[p + 4]!]}`;
      if (!out.includes(s)) out.push(s);
    }
    p += 2 + len;
  }
  return out;
}
