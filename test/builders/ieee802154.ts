/**
 * Frame builders for IEEE 802.15.4 and Zigbee (tests, generator, bench):
 * a MAC frame (IEEE 802.15.4-2020 §7.2) with its FCS, a Zigbee NWK frame
 * (R22 §3.3.1) in the clear or secured with AES-CCM* (§4.3.1.1), APS
 * (§2.2.5), ZCL (ZCL §2.4.1) and ZDO payloads.
 */
import { crc16Kermit } from '../../src/decode/ieee802154/fcs.js';
import { ccmStarEncrypt, zigbeeNonce } from '../../src/analyze/zigbee/ccm.js';

/** An EUI-64 written as 16 hex digits (most significant first), to its 8 bytes as sent (little-endian). */
export function eui64(hex16: string): number[] {
  const out: number[] = [];
  for (let i = 7; i >= 0; i--) out.push(parseInt(hex16.slice(2 * i, 2 * i + 2), 16));
  return out;
}

const le16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

export interface MacSpec {
  readonly type: number;
  readonly seq?: number;
  readonly version?: number;
  readonly security?: boolean;
  readonly pending?: boolean;
  readonly ackRequest?: boolean;
  readonly panIdCompression?: boolean;
  readonly dstPan?: number;
  /** A number is a short address, a string an EUI-64 (16 hex digits); absent, no address. */
  readonly dst?: number | string;
  readonly srcPan?: number;
  readonly src?: number | string;
  /** Raw bytes after the addressing fields (aux security header, IEs) before the payload. */
  readonly extraHeader?: readonly number[];
  readonly iePresent?: boolean;
  readonly seqSuppressed?: boolean;
}

const mode = (a: number | string | undefined): number => (a === undefined ? 0 : typeof a === 'number' ? 2 : 3);
const addr = (a: number | string | undefined): number[] => (a === undefined ? [] : typeof a === 'number' ? le16(a) : eui64(a));

/** A MAC frame; `fcs` appends the CRC-16 (true), a given 2-byte value, or nothing (false). */
export function macFrame(s: MacSpec, payload: ArrayLike<number> = [], fcs: boolean | number = true): Uint8Array {
  const dm = mode(s.dst);
  const sm = mode(s.src);
  const fc = (s.type & 7) | (s.security ? 0x08 : 0) | (s.pending ? 0x10 : 0) | (s.ackRequest ? 0x20 : 0) |
    (s.panIdCompression ? 0x40 : 0) | (s.seqSuppressed ? 0x100 : 0) | (s.iePresent ? 0x200 : 0) | (dm << 10) | ((s.version ?? 0) << 12) | (sm << 14);
  const b: number[] = [...le16(fc)];
  if (!s.seqSuppressed) b.push(s.seq ?? 0);
  if (s.dstPan !== undefined) b.push(...le16(s.dstPan));
  b.push(...addr(s.dst));
  if (s.srcPan !== undefined) b.push(...le16(s.srcPan));
  b.push(...addr(s.src));
  b.push(...(s.extraHeader ?? []), ...Array.from(payload));
  const u = Uint8Array.from(b);
  if (fcs === false) return u;
  const v = fcs === true ? crc16Kermit(u, 0, u.length) : fcs;
  return Uint8Array.from([...b, v & 0xff, v >>> 8]);
}

export interface NwkSpec {
  readonly type?: number;
  readonly version?: number;
  readonly dst: number;
  readonly src: number;
  readonly radius?: number;
  readonly seq?: number;
  readonly dst64?: string;
  readonly src64?: string;
}

export function nwkHeader(s: NwkSpec, security = false): number[] {
  const fc = ((s.type ?? 0) & 3) | ((s.version ?? 2) << 2) | (1 << 6) | (security ? 0x200 : 0) |
    (s.dst64 !== undefined ? 0x800 : 0) | (s.src64 !== undefined ? 0x1000 : 0);
  return [...le16(fc), ...le16(s.dst), ...le16(s.src), s.radius ?? 30, s.seq ?? 0,
    ...(s.dst64 !== undefined ? eui64(s.dst64) : []), ...(s.src64 !== undefined ? eui64(s.src64) : [])];
}

/** A NWK frame in the clear. */
export function nwkFrame(s: NwkSpec, payload: ArrayLike<number>): number[] {
  return [...nwkHeader(s), ...Array.from(payload)];
}

/** A NWK frame secured under `key` (level 5, network key id 1, extended nonce from `sender64`). */
export function nwkSecured(s: NwkSpec, payload: ArrayLike<number>, key: Uint8Array, sender64: string, counter: number, keySeq = 0): number[] {
  const control = 0x28; // key id 1 (network), extended nonce; level written as 0 (R22 §4.3.1.1)
  const hdr = [...nwkHeader(s, true), control, ...le32(counter), ...eui64(sender64), keySeq];
  const a = Uint8Array.from(hdr);
  a[hdr.length - 14] = control | 5;
  const src = Uint8Array.from(eui64(sender64));
  const nonce = zigbeeNonce(src, 0, counter, control, 5);
  return [...hdr, ...ccmStarEncrypt(key, nonce, a, Uint8Array.from(payload), 4)];
}

/** An APS data frame (unicast, no security). */
export function apsData(cluster: number, profile: number, dstEp: number, srcEp: number, counter: number, payload: ArrayLike<number>): number[] {
  return [0x40, dstEp, ...le16(cluster), ...le16(profile), srcEp, counter, ...Array.from(payload)];
}

/** An APS command frame in the clear. */
export function apsCommand(counter: number, payload: ArrayLike<number>): number[] {
  return [0x01, counter, ...Array.from(payload)];
}

/** A Transport Key of a network key (R22 §4.4.10.1.3.2). */
export function transportNetworkKey(key: ArrayLike<number>, seq: number, dst64: string, src64: string): number[] {
  return [0x05, 0x01, ...Array.from(key), seq, ...eui64(dst64), ...eui64(src64)];
}

/** A ZCL global frame (profile-wide, server to client, default response disabled). */
export function zclGlobal(tsn: number, command: number, payload: ArrayLike<number>): number[] {
  return [0x18, tsn, command, ...Array.from(payload)];
}

/** A Report Attributes record list: [id, type, value bytes]. */
export function zclRecords(records: ReadonlyArray<readonly [number, number, ArrayLike<number>]>): number[] {
  return records.flatMap(([id, type, v]) => [...le16(id), type, ...Array.from(v)]);
}

/** A ZCL character string value (1-byte length). */
export function zclString(s: string): number[] {
  return [s.length, ...Buffer.from(s, 'latin1')];
}

export { le16, le32 };

/**
 * An APS command frame secured under `key` (R22 §4.4.1.1): security level 5
 * (written as 0, §4.3.1.1), extended nonce from `sender64`, key id
 * `keyId` (2 = key-transport key, 3 = key-load key; no key sequence number).
 */
export function apsCommandSecured(counter: number, payload: ArrayLike<number>, key: Uint8Array, sender64: string, frameCounter: number, keyId = 2): number[] {
  const control = (keyId << 3) | 0x20;
  const hdr = [0x21, counter, control, ...le32(frameCounter), ...eui64(sender64)];
  const a = Uint8Array.from(hdr);
  a[2] = control | 5;
  const nonce = zigbeeNonce(Uint8Array.from(eui64(sender64)), 0, frameCounter, control, 5);
  return [...hdr, ...ccmStarEncrypt(key, nonce, a, Uint8Array.from(payload), 4)];
}
