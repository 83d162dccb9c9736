/**
 * The Zigbee auxiliary security header (Zigbee R22 §4.5.1), shared by the
 * NWK and APS layers: Security Control, Frame Counter, an optional source
 * address (extended nonce) and an optional key sequence number.
 */
import { u32le } from '../bytes.js';
import { KeyId } from './consts.js';

export interface AuxHeader {
  /** Offset of the Security Control byte. */
  readonly offset: number;
  /** Offset one past the header (where the encrypted payload starts). */
  readonly end: number;
  readonly control: number;
  readonly keyId: number;
  readonly frameCounter: number;
  /** Offset of the source IEEE address in the header, -1 without extended nonce. */
  readonly sourceOffset: number;
  /** Key sequence number (network key only), -1 otherwise. */
  readonly keySeq: number;
}

/** Parses the header at `o`; undefined when [o, end) is too short for it. */
export function parseAuxHeader(b: Uint8Array, o: number, end: number): AuxHeader | undefined {
  if (o + 5 > end) return undefined;
  const control = b[o]!;
  const keyId = (control >>> 3) & 3;
  const extNonce = (control & 0x20) !== 0;
  const need = 5 + (extNonce ? 8 : 0) + (keyId === KeyId.network ? 1 : 0);
  if (o + need > end) return undefined;
  let p = o + 5;
  const sourceOffset = extNonce ? p : -1;
  if (extNonce) p += 8;
  const keySeq = keyId === KeyId.network ? b[p++]! : -1;
  return { offset: o, end: p, control, keyId, frameCounter: u32le(b, o + 1), sourceOffset, keySeq };
}

/** MIC length of a security level (§4.5.1.1.1, Table 4-26): levels 0/4 none, 1/5 4, 2/6 8, 3/7 16. */
export function micLength(level: number): number {
  return [0, 4, 8, 16][level & 3]!;
}
