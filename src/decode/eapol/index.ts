/**
 * EAPOL (IEEE Std 802.1X-2020 §11.3) and the EAPOL-Key frame of the 4-way
 * handshake (IEEE Std 802.11-2020 §12.7.2): version, packet type, body
 * length, then for a Key frame the descriptor type, Key Information, key
 * length, replay counter, nonce, IV, RSC, reserved, MIC (16 octets for the
 * AKMs seen on wards; the 24-octet MIC of Suite B-192 shifts the rest) and
 * the key data. Only the handshake's shape is read: which message, whether
 * a PMKID is offered. No key material is copied out of the view.
 */
import { u16be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const ETHERTYPE_EAPOL = 0x888e;
export const EAPOL_TYPE_KEY = 3;
/** Offsets inside a Key body (after the 4-octet EAPOL header). */
const KEY_INFO = 1;
const MIC16_DATA_LEN = 93;
export const KEY_MIN_LEN = 95;
/** Key Information bits (§12.7.2 Figure 12-33). */
export const KI_PAIRWISE = 0x0008;
export const KI_INSTALL = 0x0040;
export const KI_ACK = 0x0080;
export const KI_MIC = 0x0100;
export const KI_SECURE = 0x0200;

export class EapolView implements Layer {
  readonly name = 'eapol';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;

  constructor(bytes: Uint8Array, offset: number, end: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 4;
    this.payloadEnd = end;
  }

  get version(): number {
    return this.bytes[this.offset]!;
  }

  /** 0 EAP packet, 1 start, 2 logoff, 3 key (§11.3.2). */
  get packetType(): number {
    return this.bytes[this.offset + 1]!;
  }

  get isKey(): boolean {
    return this.packetType === EAPOL_TYPE_KEY && this.payloadEnd - this.payloadOffset >= KEY_MIN_LEN;
  }

  /** Key Information, or -1 when this is not a whole Key frame. */
  get keyInfo(): number {
    return this.isKey ? u16be(this.bytes, this.payloadOffset + KEY_INFO) : -1;
  }

  /** Key Data Length (16-octet MIC layout), or -1. */
  get keyDataLength(): number {
    return this.isKey ? u16be(this.bytes, this.payloadOffset + MIC16_DATA_LEN) : -1;
  }


  /**
   * The 4-way handshake message (1-4), as tshark's wlan_rsna_eapol.keydes.msgnr
   * reads it: pairwise with Ack is 1, or 3 with Install; pairwise without Ack
   * is 2 when it carries key data (the supplicant's RSN element, §12.7.6.3)
   * and 4 when it carries none (§12.7.6.5). The Secure bit cannot tell them
   * apart: WPA 1 stations do not set it in message 4, some set it in 2.
   * Group key messages are 1 with Ack and 2 without. 0 when this is not a
   * Key frame.
   */
  get message(): number {
    const ki = this.keyInfo;
    if (ki < 0) return 0;
    if ((ki & KI_PAIRWISE) === 0) return (ki & KI_ACK) !== 0 ? 1 : 2;
    if ((ki & KI_ACK) !== 0) return (ki & KI_INSTALL) !== 0 ? 3 : 1;
    return this.keyDataLength > 0 ? 2 : 4;
  }

  /** True for a pairwise (4-way handshake) key frame. */
  get pairwise(): boolean {
    const ki = this.keyInfo;
    return ki >= 0 && (ki & KI_PAIRWISE) !== 0;
  }

  /** True when message 1's key data carries a PMKID KDE (§12.7.2 Table 12-9: dd, 00-0f-ac, type 4). */
  get hasPmkid(): boolean {
    const n = this.keyDataLength;
    if (n <= 0) return false;
    const b = this.bytes;
    let p = this.payloadOffset + MIC16_DATA_LEN + 2;
    const end = Math.min(this.payloadEnd, p + n);
    while (p + 2 <= end) {
      const len = b[p + 1]!;
      if (p + 2 + len > end) break;
      if (b[p] === 0xdd && len >= 20 && b[p + 2] === 0x00 && b[p + 3] === 0x0f && b[p + 4] === 0xac && b[p + 5] === 4) return true;
      p += 2 + len;
    }
    return false;
  }
}

class EapolDecoder implements Decoder {
  readonly name = 'eapol';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): EapolView | Anomaly {
    const have = end - offset;
    if (have < 4) return anomaly('eapol.truncated_header', 'eapol', offset, 4, have);
    const bodyLen = u16be(bytes, offset + 2);
    const bodyEnd = Math.min(end, offset + 4 + bodyLen);
    if (bytes[offset + 1] === EAPOL_TYPE_KEY && bodyEnd - offset - 4 < KEY_MIN_LEN && bodyLen >= KEY_MIN_LEN) {
      return anomaly('eapol.truncated_key', 'eapol', offset, 4 + KEY_MIN_LEN, have);
    }
    return new EapolView(bytes, offset, bodyEnd);
  }
}

export const eapolDecoder: Decoder = new EapolDecoder();
