/**
 * Byte builders for the Wi-Fi generator and the Wi-Fi tests: radiotap
 * headers (radiotap.org), 802.11 frames (IEEE 802.11-2020 §9.3), elements
 * (§9.4.2), RSN (§9.4.2.24), WPS (WSC v2.0.7 §12), LLC/SNAP and EAPOL-Key
 * (§12.7.2). Plain functions over numbers and arrays; nothing random here.
 */
import { crc32 } from '../../src/decode/radiotap/consts.js';

export type Bytes = Uint8Array;

export function cat(...parts: ArrayLike<number>[]): Bytes {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function mac(s: string): number[] {
  return s.split(':').map((x) => parseInt(x, 16));
}

const le16 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff];
const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const be16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];

export interface RadioOptions {
  readonly freq: number;
  readonly signal: number;
  readonly noise?: number;
  /** Rate in 500 kb/s units (absent: an MCS field instead). */
  readonly rate?: number;
  readonly mcs?: number;
  /** Append a correct FCS (Flags 0x10), or flag it bad (0x40 as well). */
  readonly fcs?: 'good' | 'bad-flag' | 'mismatch';
  /** Repeat the signal per chain in extra radiotap-namespace words, with a vendor namespace between (as Intel and Atheros drivers do). */
  readonly chains?: readonly number[];
}

/**
 * A radiotap header (radiotap.org): Flags, Rate or MCS, Channel, dBm signal
 * and noise, then per chain a radiotap-namespace word with signal and
 * antenna, and a vendor namespace with 4 bytes of data to skip.
 */
export function radiotap(o: RadioOptions): Bytes {
  const chains = o.chains ?? [];
  const words: number[] = [];
  let w0 = (1 << 1) | (1 << 3) | (1 << 5) | (o.noise !== undefined ? 1 << 6 : 0) | (o.rate !== undefined ? 1 << 2 : 1 << 19);
  if (chains.length > 0) w0 |= (1 << 29) | (1 << 31);
  words.push(w0 >>> 0);
  chains.forEach((_, i) => {
    const last = i === chains.length - 1;
    // Each chain word: dBm signal + antenna, then either another radiotap word or (last) a vendor namespace.
    words.push(((1 << 5) | (1 << 11) | (1 << 31) | (last ? 1 << 30 : 1 << 29)) >>> 0);
  });
  if (chains.length > 0) words.push(0); // the vendor namespace's own (empty) present word
  const flags = o.fcs === undefined ? 0 : o.fcs === 'bad-flag' ? 0x50 : 0x10;
  const data: number[] = [];
  const base = 4 + 4 * words.length;
  const align = (a: number): void => {
    while ((base + data.length) % a !== 0) data.push(0);
  };
  data.push(flags);
  if (o.rate !== undefined) data.push(o.rate);
  align(2);
  data.push(...le16(o.freq), ...le16(o.freq < 3000 ? 0x00a0 : 0x0140));
  data.push(o.signal & 0xff);
  if (o.noise !== undefined) data.push(o.noise & 0xff);
  if (o.rate === undefined) data.push(0x07, 0x00, o.mcs ?? 7);
  chains.forEach((s, i) => data.push(s & 0xff, i));
  if (chains.length > 0) {
    align(2);
    data.push(0x00, 0x11, 0x22, 0x01, ...le16(4), 0xde, 0xad, 0xbe, 0xef);
  }
  const len = base + data.length;
  return cat([0, 0, ...le16(len)], words.flatMap(le32), data);
}

/** Appends the FCS the radio options ask for. */
export function withFcs(radio: RadioOptions, frame: Bytes): Bytes {
  const rt = radiotap(radio);
  if (radio.fcs === undefined) return cat(rt, frame);
  let c = crc32(frame, 0, frame.length);
  if (radio.fcs === 'mismatch') c = (c ^ 0x1) >>> 0;
  return cat(rt, frame, le32(c));
}

export function element(id: number, body: ArrayLike<number>): number[] {
  return [id, body.length, ...Array.from(body)];
}

export function ssidElement(ssid: string): number[] {
  return element(0, Buffer.from(ssid, 'utf8'));
}

/** RSN element (§9.4.2.24) with CCMP-128, the given AKMs and MFP bits. */
export function rsnElement(akms: readonly number[], mfp: 'off' | 'capable' | 'required'): number[] {
  const caps = mfp === 'required' ? 0xc0 : mfp === 'capable' ? 0x80 : 0;
  return element(48, [...le16(1), 0x00, 0x0f, 0xac, 4, ...le16(1), 0x00, 0x0f, 0xac, 4, ...le16(akms.length), ...akms.flatMap((a) => [0x00, 0x0f, 0xac, a]), ...le16(caps)]);
}

/** The WPS element (WSC v2.0.7 §12): manufacturer, model name and number, device name. */
export function wpsElement(s: { manufacturer: string; model: string; number: string; name: string }): number[] {
  const attr = (t: number, v: string): number[] => [...be16(t), ...be16(Buffer.byteLength(v)), ...Buffer.from(v)];
  return element(221, [0x00, 0x50, 0xf2, 4, ...attr(0x104a, '\x10'), ...attr(0x1021, s.manufacturer), ...attr(0x1023, s.model), ...attr(0x1024, s.number), ...attr(0x1011, s.name)]);
}

export const RATES = element(1, [0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24]);

function hdr(fc0: number, fc1: number, a1: string, a2: string, a3: string, seq: number): number[] {
  return [fc0, fc1, ...le16(0x013a), ...mac(a1), ...mac(a2), ...mac(a3), ...le16((seq & 0xfff) << 4)];
}

/** Beacon (subtype 8) or probe response (5): timestamp, interval, capability, elements. */
export function beacon(bssid: string, seq: number, tsf: number, elements: number[], privacy: boolean, probeRespTo?: string): Bytes {
  const fc0 = probeRespTo === undefined ? 0x80 : 0x50;
  const cap = 0x0001 | (privacy ? 0x0010 : 0);
  return cat(hdr(fc0, 0, probeRespTo ?? 'ff:ff:ff:ff:ff:ff', bssid, bssid, seq), le32(tsf), le32(0), le16(100), le16(cap), elements);
}

export function probeRequest(sta: string, seq: number, ssid: string): Bytes {
  return cat(hdr(0x40, 0, 'ff:ff:ff:ff:ff:ff', sta, 'ff:ff:ff:ff:ff:ff', seq), ssidElement(ssid), RATES);
}

export function assocRequest(sta: string, bssid: string, seq: number, ssid: string, rsn: number[]): Bytes {
  return cat(hdr(0x00, 0, bssid, sta, bssid, seq), le16(0x0011), le16(10), ssidElement(ssid), RATES, rsn);
}

/** Deauthentication (subtype 12) with a reason code. */
export function deauth(from: string, to: string, bssid: string, seq: number, reason: number): Bytes {
  return cat(hdr(0xc0, 0, to, from, bssid, seq), le16(reason));
}

export function ack(to: string): Bytes {
  return cat([0xd4, 0x00, 0, 0], mac(to));
}

/** QoS data to the DS (To DS set), protected when `body` is opaque. */
export function dataToDs(sta: string, bssid: string, da: string, seq: number, body: ArrayLike<number>, protectedFrame: boolean): Bytes {
  return cat(hdr(0x88, 0x01 | (protectedFrame ? 0x40 : 0), bssid, sta, da, seq), [0, 0], body);
}

/** Data from the DS (From DS set) to a station, unprotected: EAPOL before the keys are installed. */
export function dataFromDs(bssid: string, sta: string, seq: number, body: ArrayLike<number>): Bytes {
  return cat(hdr(0x88, 0x02, sta, bssid, bssid, seq), [0, 0], body);
}

export function snap(etherType: number, payload: ArrayLike<number>): number[] {
  return [0xaa, 0xaa, 0x03, 0, 0, 0, ...be16(etherType), ...Array.from(payload)];
}

/** An EAPOL-Key frame (§12.7.2) for 4-way message `n`, nonces filled with `nonceByte`. */
export function eapolKey(n: 1 | 2 | 3 | 4, nonceByte: number, pmkid = false): number[] {
  const ki = n === 1 ? 0x008a : n === 2 ? 0x010a : n === 3 ? 0x13ca : 0x030a;
  // Message 1 may offer a PMKID KDE; message 2 carries the station's RSN element (§12.7.6.3).
  const keyData = pmkid ? [0xdd, 20, 0x00, 0x0f, 0xac, 4, ...new Array<number>(16).fill(0x5a)] : n === 2 ? rsnElement([2], 'off') : [];
  const nonce = n === 4 ? new Array<number>(32).fill(0) : new Array<number>(32).fill(nonceByte);
  const body = [2, ...be16(ki), ...be16(16), 0, 0, 0, 0, 0, 0, 0, n, ...nonce, ...new Array<number>(16 + 8 + 8).fill(0), ...new Array<number>(16).fill(n === 1 ? 0 : 0x33), ...be16(keyData.length), ...keyData];
  return [2, 3, ...be16(body.length), ...body];
}
