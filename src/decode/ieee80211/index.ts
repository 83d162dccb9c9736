/**
 * IEEE 802.11 MAC frames (IEEE Std 802.11-2020 §9.2, §9.3): frame control,
 * duration, up to four addresses by the To DS / From DS bits (§9.2.4.1.4
 * Table 9-5), sequence control, QoS and HT Control, then the body.
 *
 * Management frames: the fixed fields of their subtype (consts.ts
 * MGMT_FIXED_LEN) and then the elements (§9.4.2), scanned once here so the
 * getters can reach SSID, DS channel, RSN, WPA and WPS without a second walk
 * (elements.ts reads their insides). An element that runs past the frame,
 * or whose length the standard forbids (consts.ts ELEMENTS), is a warning:
 * the header stays usable and the first bad element id is kept for the
 * Wi-Fi analyzer's malformed-element alert.
 *
 * Control frames are decoded far enough to be counted (type, subtype,
 * receiver and transmitter). Data frames route their body to LLC when it is
 * neither protected nor empty (Null subtypes) nor an A-MSDU.
 */
import { macKey, u16le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { CAP_PRIVACY, EID, EID_EXT, ELEMENT_MAX, ELEMENT_MIN, MGMT, MGMT_FIXED_LEN, OUI_MICROSOFT, MS_WMM, MS_WPA, MS_WPS, TYPE_CTRL, TYPE_DATA, TYPE_MGMT } from './consts.js';

export const IEEE80211_MIN_LEN = 10;
/** Route key of a data frame's body: LLC (IEEE 802.2) follows. */
export const KEY_LLC = 1;
/** The broadcast address as a macKey number. */
export const MAC_BROADCAST = 0xffffffffffff;

/** Element positions found by the scan: offsets of the body, -1 when absent. */
class Scan {
  ssid = -1;
  ssidLen = 0;
  channel = -1;
  rsn = -1;
  rsnLen = 0;
  wpa = -1;
  wpaLen = 0;
  wps = -1;
  wpsLen = 0;
  wmm = false;
  tim = false;
  country = -1;
  ht = false;
  vht = false;
  he = false;
  vendorCount = 0;
  /** First element whose length is not allowed, or -1. */
  badElement = -1;
  badLen = 0;
  overrun = false;
}

const NO_SCAN = new Scan();

export class Ieee80211View implements Layer {
  readonly name = 'ieee80211';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;
  readonly warning: Anomaly | undefined;
  /** Frame control, first octet: protocol version, type, subtype. */
  readonly fc0: number;
  /** Frame control, second octet: the flags. */
  readonly fc1: number;
  /** Offset where the elements start (management frames), or -1. */
  readonly elementsOffset: number;
  private readonly scan: Scan;

  constructor(bytes: Uint8Array, offset: number, hdrEnd: number, end: number, nextKey: number, elements: number, scan: Scan, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = hdrEnd;
    this.payloadEnd = end;
    this.nextKey = nextKey;
    this.fc0 = bytes[offset]!;
    this.fc1 = bytes[offset + 1]!;
    this.elementsOffset = elements;
    this.scan = scan;
    this.warning = warning;
  }

  get type(): number {
    return (this.fc0 >>> 2) & 3;
  }

  get subtype(): number {
    return this.fc0 >>> 4;
  }

  /** `type << 4 | subtype`, the number tshark prints as wlan.fc.type_subtype. */
  get typeSubtype(): number {
    return (this.type << 4) | this.subtype;
  }

  get toDs(): boolean {
    return (this.fc1 & 0x01) !== 0;
  }

  get fromDs(): boolean {
    return (this.fc1 & 0x02) !== 0;
  }

  get retry(): boolean {
    return (this.fc1 & 0x08) !== 0;
  }

  get protected(): boolean {
    return (this.fc1 & 0x40) !== 0;
  }

  get isMgmt(): boolean {
    return this.type === TYPE_MGMT;
  }

  get isData(): boolean {
    return this.type === TYPE_DATA;
  }

  get isCtrl(): boolean {
    return this.type === TYPE_CTRL;
  }

  /** Address 1 (receiver), always present. */
  get addr1(): number {
    return macKey(this.bytes, this.offset + 4);
  }

  /** Address 2 (transmitter), or -1 for the control frames that have none (CTS, ACK). */
  get addr2(): number {
    return this.payloadOffset - this.offset >= 16 ? macKey(this.bytes, this.offset + 10) : -1;
  }

  get addr3(): number {
    return this.type !== TYPE_CTRL ? macKey(this.bytes, this.offset + 16) : -1;
  }

  /** Address 4, present in data frames with To DS and From DS both set. */
  get addr4(): number {
    return this.type === TYPE_DATA && (this.fc1 & 3) === 3 ? macKey(this.bytes, this.offset + 24) : -1;
  }

  /** The BSSID by Table 9-5 (management: address 3), or -1 for WDS and control frames. */
  get bssid(): number {
    if (this.type === TYPE_MGMT) return this.addr3;
    if (this.type !== TYPE_DATA) return -1;
    switch (this.fc1 & 3) {
      case 0: return this.addr3;
      case 1: return this.addr1;
      case 2: return this.addr2;
      default: return -1;
    }
  }

  /** Source address (Table 9-5). */
  get sa(): number {
    if (this.type !== TYPE_DATA) return this.addr2;
    switch (this.fc1 & 3) {
      case 0:
      case 1: return this.addr2;
      case 2: return this.addr3;
      default: return this.addr4;
    }
  }

  /** Destination address (Table 9-5). */
  get da(): number {
    if (this.type === TYPE_DATA && (this.fc1 & 1) !== 0) return this.addr3;
    return this.addr1;
  }

  /** Sequence number (§9.2.4.4), -1 for control frames. */
  get seq(): number {
    return this.type !== TYPE_CTRL ? u16le(this.bytes, this.offset + 22) >>> 4 : -1;
  }

  /** Reason code of a deauthentication or disassociation (§9.4.1.7), -1 otherwise or when protected. */
  get reason(): number {
    const st = this.subtype;
    if (this.type !== TYPE_MGMT || (st !== MGMT.deauth && st !== MGMT.disassoc) || this.protected) return -1;
    return this.payloadEnd - this.payloadOffset >= 2 ? u16le(this.bytes, this.payloadOffset) : -1;
  }

  /** Authentication algorithm (§9.4.1.1: 0 open, 1 shared key, 3 SAE ...), -1 when not an authentication frame. */
  get authAlgorithm(): number {
    if (this.type !== TYPE_MGMT || this.subtype !== MGMT.auth || this.protected) return -1;
    return this.payloadEnd - this.payloadOffset >= 6 ? u16le(this.bytes, this.payloadOffset) : -1;
  }

  get authSeq(): number {
    return this.authAlgorithm >= 0 ? u16le(this.bytes, this.payloadOffset + 2) : -1;
  }

  /** Capability Information of beacons, probe responses and (re)association frames, or -1. */
  get capability(): number {
    if (this.type !== TYPE_MGMT || this.elementsOffset < 0) return -1;
    const st = this.subtype;
    if (st === MGMT.beacon || st === MGMT.probeResp) return u16le(this.bytes, this.payloadOffset + 10);
    if (st <= MGMT.reassocResp) return u16le(this.bytes, this.payloadOffset);
    return -1;
  }

  /** The Privacy capability bit (§9.4.1.4). */
  get privacy(): boolean {
    const c = this.capability;
    return c >= 0 && (c & CAP_PRIVACY) !== 0;
  }

  /** Offset and length of the SSID element's body; `ssidOffset` -1 when absent. */
  get ssidOffset(): number {
    return this.scan.ssid;
  }

  get ssidLength(): number {
    return this.scan.ssidLen;
  }

  /** A hidden SSID: the element is there, but empty or all zero octets. */
  get hiddenSsid(): boolean {
    const s = this.scan;
    if (s.ssid < 0) return false;
    for (let i = 0; i < s.ssidLen; i++) if (this.bytes[s.ssid + i] !== 0) return false;
    return true;
  }

  /** DS Parameter Set current channel, or -1. */
  get dsChannel(): number {
    return this.scan.channel;
  }

  get rsnOffset(): number {
    return this.scan.rsn;
  }

  get rsnLength(): number {
    return this.scan.rsnLen;
  }

  /** The Microsoft WPA element's body after OUI and type, or -1. */
  get wpaOffset(): number {
    return this.scan.wpa;
  }

  get wpaLength(): number {
    return this.scan.wpaLen;
  }

  /** The WPS element's attributes (after OUI and type), or -1. */
  get wpsOffset(): number {
    return this.scan.wps;
  }

  get wpsLength(): number {
    return this.scan.wpsLen;
  }

  get hasWmm(): boolean {
    return this.scan.wmm;
  }

  get hasTim(): boolean {
    return this.scan.tim;
  }

  get countryOffset(): number {
    return this.scan.country;
  }

  get hasHt(): boolean {
    return this.scan.ht;
  }

  get hasVht(): boolean {
    return this.scan.vht;
  }

  get hasHe(): boolean {
    return this.scan.he;
  }

  get vendorElements(): number {
    return this.scan.vendorCount;
  }

  /** The id of the first element whose length is not allowed (consts.ts ELEMENTS), or -1. */
  get badElement(): number {
    return this.scan.badElement;
  }

  get badElementLength(): number {
    return this.scan.badLen;
  }

  /** True when the element list ran past the end of the frame. */
  get elementsOverrun(): boolean {
    return this.scan.overrun;
  }
}

/** One pass over the elements from `p` to `end`; offsets of what the getters need. */
function scanElements(b: Uint8Array, p: number, end: number): Scan {
  const s = new Scan();
  while (p < end) {
    if (p + 2 > end) {
      s.overrun = true;
      break;
    }
    const id = b[p]!;
    const len = b[p + 1]!;
    const body = p + 2;
    if (body + len > end) {
      s.overrun = true;
      break;
    }
    if (s.badElement < 0 && (len < ELEMENT_MIN[id]! || len > ELEMENT_MAX[id]!)) {
      s.badElement = id;
      s.badLen = len;
    }
    switch (id) {
      case EID.ssid:
        if (s.ssid < 0) {
          s.ssid = body;
          s.ssidLen = len;
        }
        break;
      case EID.dsParams:
        if (len >= 1 && s.channel < 0) s.channel = b[body]!;
        break;
      case EID.tim:
        s.tim = true;
        break;
      case EID.country:
        if (s.country < 0) s.country = body;
        break;
      case EID.htCaps:
        s.ht = true;
        break;
      case EID.rsn:
        if (s.rsn < 0) {
          s.rsn = body;
          s.rsnLen = len;
        }
        break;
      case EID.vhtCaps:
        s.vht = true;
        break;
      case EID.extension:
        if (len >= 1 && b[body] === EID_EXT.heCaps) s.he = true;
        break;
      case EID.vendor:
        s.vendorCount++;
        if (len >= 4 && ((b[body]! << 16) | (b[body + 1]! << 8) | b[body + 2]!) === OUI_MICROSOFT) {
          const t = b[body + 3]!;
          if (t === MS_WPA && s.wpa < 0) {
            s.wpa = body + 4;
            s.wpaLen = len - 4;
          } else if (t === MS_WPS && s.wps < 0) {
            s.wps = body + 4;
            s.wpsLen = len - 4;
          } else if (t === MS_WMM) s.wmm = true;
        }
        break;
    }
    p = body + len;
  }
  return s;
}

/** Header length of a control frame by subtype (§9.3.1): CTS, ACK and the wrapper carry one address. */
function ctrlHeaderLen(subtype: number): number {
  return subtype === 12 || subtype === 13 || subtype === 7 || subtype < 2 ? 10 : 16;
}

class Ieee80211Decoder implements Decoder {
  readonly name = 'ieee80211';

  /** `padded`: the radiotap Flags said the header is padded to 32 bits before the body. */
  constructor(private readonly padded: boolean) {}

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): Ieee80211View | Anomaly {
    const have = end - offset;
    if (have < IEEE80211_MIN_LEN) return anomaly('ieee80211.truncated_header', 'ieee80211', offset, IEEE80211_MIN_LEN, have);
    const fc0 = bytes[offset]!;
    const fc1 = bytes[offset + 1]!;
    if ((fc0 & 3) !== 0) return anomaly('ieee80211.bad_version', 'ieee80211', offset, 0, 0);
    const type = (fc0 >>> 2) & 3;
    const subtype = fc0 >>> 4;
    const order = (fc1 & 0x80) !== 0;
    let hdr: number;
    if (type === TYPE_CTRL) hdr = ctrlHeaderLen(subtype);
    else if (type === TYPE_MGMT) hdr = order ? 28 : 24;
    else if (type === TYPE_DATA) {
      hdr = (fc1 & 3) === 3 ? 30 : 24;
      // QoS subtypes have bit 3 of the subtype set (§9.2.4.1.3); HT Control follows QoS Control when Order is set.
      if ((subtype & 8) !== 0) hdr += order ? 6 : 2;
    } else hdr = 10;
    if (have < hdr) return anomaly('ieee80211.truncated_header', 'ieee80211', offset, hdr, have);
    let body = offset + hdr;
    if (this.padded && type === TYPE_DATA && (hdr & 3) !== 0) body = Math.min(end, offset + ((hdr + 3) & ~3));
    const prot = (fc1 & 0x40) !== 0;
    let nextKey = -1;
    let elements = -1;
    let scan = NO_SCAN;
    let warning: Anomaly | undefined;
    if (type === TYPE_DATA) {
      // Null (bit 2 of the subtype) carries no body; an A-MSDU (QoS Control bit 7) is subframes, not LLC.
      const amsdu = (subtype & 8) !== 0 && (bytes[offset + hdr - (order ? 6 : 2)]! & 0x80) !== 0;
      if (!prot && (subtype & 4) === 0 && !amsdu && body < end) nextKey = KEY_LLC;
    } else if (type === TYPE_MGMT && !prot) {
      const fixed = MGMT_FIXED_LEN[subtype]!;
      // Authentication carries elements only for open system and shared key; SAE has its own fields (§9.3.3.12).
      const authOk = subtype !== MGMT.auth || (end - body >= 2 && u16le(bytes, body) <= 1);
      if (fixed >= 0 && authOk) {
        if (end - body < fixed) {
          const snapped = ctx.frame.bytes.length < ctx.frame.origLen;
          if (!snapped) warning = anomaly('ieee80211.truncated_fixed', 'ieee80211', body, fixed, end - body);
        } else {
          elements = body + fixed;
          scan = scanElements(bytes, elements, end);
          const snapped = ctx.frame.bytes.length < ctx.frame.origLen;
          if (scan.overrun && !snapped) warning = anomaly('ieee80211.element_overrun', 'ieee80211', elements, 0, end - elements);
          else if (scan.badElement >= 0) warning = anomaly('ieee80211.element_bad_length', 'ieee80211', elements, ELEMENT_MIN[scan.badElement]!, scan.badLen);
        }
      }
    }
    return new Ieee80211View(bytes, offset, body, end, nextKey, elements, scan, warning);
  }
}

export const ieee80211Decoder: Decoder = new Ieee80211Decoder(false);
/** For frames whose radiotap Flags set "data pad" (0x20). */
export const ieee80211PaddedDecoder: Decoder = new Ieee80211Decoder(true);
