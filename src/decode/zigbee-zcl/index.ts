/**
 * The Zigbee Cluster Library frame (ZCL Revision 8, 07-5123-08, §2.4.1):
 * frame control, the manufacturer code when manufacturer-specific, the
 * transaction sequence number and the command id. `zclAttributes` reads the
 * attribute records of Read Attributes Response (§2.5.2), Write Attributes
 * (§2.5.3) and Report Attributes (§2.5.11) as bounded owned values.
 */
import { u16le, u32le } from '../bytes.js';
import { anomaly, type Anomaly, type Decoder, type Layer } from '../types.js';
import { GlobalCommand, isCharString, zclTypeLength } from './consts.js';

export const LAYER = 'zigbee-zcl';
/** Longest attribute text kept (a model or manufacturer name is far shorter). */
export const MAX_ZCL_TEXT = 64;
/** Records read from one frame. */
export const MAX_ZCL_RECORDS = 16;

export class ZigbeeZclView implements Layer {
  readonly name = LAYER;
  readonly nextKey = -1;
  readonly altKey = -1;
  constructor(readonly bytes: Uint8Array, readonly offset: number, readonly payloadOffset: number, readonly payloadEnd: number) {}

  get fc(): number {
    return this.bytes[this.offset]!;
  }

  /** 0 global (profile-wide), 1 cluster-specific. */
  get frameType(): number {
    return this.fc & 3;
  }

  get manufacturerSpecific(): boolean {
    return (this.fc & 0x04) !== 0;
  }

  /** 0 client to server, 1 server to client. */
  get direction(): number {
    return (this.fc >>> 3) & 1;
  }

  get disableDefaultResponse(): boolean {
    return (this.fc & 0x10) !== 0;
  }

  get manufacturerCode(): number {
    return this.manufacturerSpecific ? u16le(this.bytes, this.offset + 1) : -1;
  }

  get tsn(): number {
    return this.bytes[this.payloadOffset - 2]!;
  }

  get command(): number {
    return this.bytes[this.payloadOffset - 1]!;
  }
}

export interface ZclAttribute {
  readonly id: number;
  readonly type: number;
  /** Text for character strings (cut to MAX_ZCL_TEXT), a number for integers of up to 32 bits, else undefined. */
  readonly value: string | number | undefined;
}

/** Attribute records of a global command in [o, end), stopping at the first one it cannot read. */
export function zclAttributes(command: number, b: Uint8Array, o: number, end: number): ZclAttribute[] {
  const out: ZclAttribute[] = [];
  if (command === GlobalCommand.readAttributes) {
    // Read Attributes (§2.5.1): a list of attribute ids, no types or values.
    for (; o + 2 <= end && out.length < MAX_ZCL_RECORDS; o += 2) out.push({ id: u16le(b, o), type: -1, value: undefined });
    return out;
  }
  const withStatus = command === GlobalCommand.readAttributesResponse;
  if (!withStatus && command !== GlobalCommand.reportAttributes && command !== GlobalCommand.writeAttributes &&
      command !== GlobalCommand.writeAttributesNoResponse && command !== GlobalCommand.writeAttributesUndivided) return out;
  while (o + 3 <= end && out.length < MAX_ZCL_RECORDS) {
    const id = u16le(b, o);
    o += 2;
    if (withStatus) {
      const status = b[o++]!;
      if (status !== 0) continue; // no type or value follows an error status (§2.5.2.1)
      if (o >= end) break;
    }
    const type = b[o++]!;
    const len = zclTypeLength(type);
    let vlen: number;
    let vstart = o;
    if (len === -1) {
      if (o + 1 > end) break;
      vlen = b[o]! === 0xff ? 0 : b[o]!;
      vstart = o + 1;
    } else if (len === -2) {
      if (o + 2 > end) break;
      vlen = u16le(b, o) === 0xffff ? 0 : u16le(b, o);
      vstart = o + 2;
    } else if (len === 0) {
      break;
    } else {
      vlen = len;
    }
    if (vstart + vlen > end) break;
    let value: string | number | undefined;
    if (isCharString(type)) {
      value = Buffer.from(b.buffer, b.byteOffset + vstart, Math.min(vlen, MAX_ZCL_TEXT)).toString('latin1');
    } else if (len > 0 && len <= 4 && type !== 0x39) {
      value = len === 1 ? b[vstart]! : len === 2 ? u16le(b, vstart) : len === 4 ? u32le(b, vstart) : u16le(b, vstart) + b[vstart + 2]! * 65536;
    }
    out.push({ id, type, value });
    o = vstart + vlen;
  }
  return out;
}

class ZclDecoder implements Decoder {
  readonly name = LAYER;

  decode(b: Uint8Array, offset: number, end: number): ZigbeeZclView | Anomaly {
    if (end - offset < 1) return anomaly('zigbee-zcl.truncated_header', LAYER, offset, 3, 0);
    const need = (b[offset]! & 0x04) !== 0 ? 5 : 3;
    if (end - offset < need) return anomaly('zigbee-zcl.truncated_header', LAYER, offset, need, end - offset);
    return new ZigbeeZclView(b, offset, offset + need, end);
  }
}

export const zigbeeZclDecoder: Decoder = new ZclDecoder();
