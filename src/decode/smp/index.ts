/**
 * Security Manager Protocol (Core Spec 5.4 Vol 3 Part H §3): code (u8),
 * data. Pairing Request and Response (§3.5.1, §3.5.2) say how two devices
 * will pair: IO capabilities, OOB data flag, AuthReq (bonding, MITM, SC,
 * keypress). `pairingMethod` applies the rules of §2.3.5.1 to a request and
 * its response. Keys and random values in later SMP PDUs are never read.
 */
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const SmpCode = {
  PAIRING_REQUEST: 0x01, PAIRING_RESPONSE: 0x02, PAIRING_CONFIRM: 0x03, PAIRING_RANDOM: 0x04, PAIRING_FAILED: 0x05,
  ENCRYPTION_INFORMATION: 0x06, CENTRAL_IDENTIFICATION: 0x07, IDENTITY_INFORMATION: 0x08, IDENTITY_ADDRESS_INFORMATION: 0x09,
  SIGNING_INFORMATION: 0x0a, SECURITY_REQUEST: 0x0b, PAIRING_PUBLIC_KEY: 0x0c, PAIRING_DHKEY_CHECK: 0x0d, KEYPRESS: 0x0e,
} as const;

/** IO capabilities (§3.5.1, Table 3.4). */
export const IoCap = { DISPLAY_ONLY: 0, DISPLAY_YES_NO: 1, KEYBOARD_ONLY: 2, NO_INPUT_NO_OUTPUT: 3, KEYBOARD_DISPLAY: 4 } as const;

export const AUTH_BONDING = 0x01;
export const AUTH_MITM = 0x04;
export const AUTH_SC = 0x08;

export class SmpView implements Layer {
  readonly name = 'smp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;

  constructor(bytes: Uint8Array, offset: number, end: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 1;
    this.payloadEnd = end;
  }

  get code(): number {
    return this.bytes[this.offset]!;
  }

  /** True for a Pairing Request or Response with all six parameter bytes. */
  get isPairingExchange(): boolean {
    const c = this.code;
    return (c === SmpCode.PAIRING_REQUEST || c === SmpCode.PAIRING_RESPONSE) && this.payloadEnd - this.payloadOffset >= 6;
  }

  get ioCapability(): number {
    return this.isPairingExchange ? this.bytes[this.payloadOffset]! : -1;
  }

  get oobFlag(): number {
    return this.isPairingExchange ? this.bytes[this.payloadOffset + 1]! : -1;
  }

  get authReq(): number {
    return this.isPairingExchange ? this.bytes[this.payloadOffset + 2]! : -1;
  }

  get maxKeySize(): number {
    return this.isPairingExchange ? this.bytes[this.payloadOffset + 3]! : -1;
  }
}

class SmpDecoder implements Decoder {
  readonly name = 'smp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): SmpView | Anomaly {
    if (end - offset < 1) return anomaly('smp.truncated_header', 'smp', offset, 1, 0);
    const v = new SmpView(bytes, offset, end);
    const c = v.code;
    if ((c === SmpCode.PAIRING_REQUEST || c === SmpCode.PAIRING_RESPONSE) && end - offset < 7) return anomaly('smp.truncated_pairing', 'smp', offset, 7, end - offset);
    return v;
  }
}

export const smpDecoder: Decoder = new SmpDecoder();

/** One side's pairing parameters. */
export interface PairingParams {
  readonly io: number;
  readonly oob: number;
  readonly auth: number;
}

/**
 * The association model two devices will use (§2.3.5.1, Tables 2.6-2.8):
 * 'LE Secure Connections' or 'legacy', then 'OOB', 'passkey', 'numeric
 * comparison' or 'Just Works'. `init` is the Pairing Request, `resp` the
 * Pairing Response.
 */
export function pairingMethod(init: PairingParams, resp: PairingParams): string {
  const sc = (init.auth & AUTH_SC) !== 0 && (resp.auth & AUTH_SC) !== 0;
  const kind = sc ? 'LE Secure Connections' : 'legacy';
  const oob = sc ? init.oob === 1 || resp.oob === 1 : init.oob === 1 && resp.oob === 1;
  if (oob) return `${kind}, OOB`;
  if ((init.auth & AUTH_MITM) === 0 && (resp.auth & AUTH_MITM) === 0) return `${kind}, Just Works`;
  return `${kind}, ${ioModel(init.io, resp.io, sc)}`;
}

/** Table 2.8: the model from the initiator's (row) and responder's (column) IO capabilities. */
function ioModel(i: number, r: number, sc: boolean): string {
  const NO = IoCap.NO_INPUT_NO_OUTPUT;
  if (i === NO || r === NO || i > 4 || r > 4) return 'Just Works';
  const DO = IoCap.DISPLAY_ONLY;
  const YN = IoCap.DISPLAY_YES_NO;
  const KO = IoCap.KEYBOARD_ONLY;
  const KD = IoCap.KEYBOARD_DISPLAY;
  if ((i === DO || i === YN) && (r === DO || r === YN)) return i === YN && r === YN && sc ? 'numeric comparison' : 'Just Works';
  if (i === KD && (r === YN || r === KD) && sc) return 'numeric comparison';
  if (r === KD && i === YN && sc) return 'numeric comparison';
  if (i === KO || r === KO || i === KD || r === KD) return 'passkey';
  return 'Just Works';
}
