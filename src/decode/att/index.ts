/**
 * Attribute Protocol PDU (Core Spec 5.4 Vol 3 Part F §3.3): opcode (u8),
 * parameters. Enough to follow GATT discovery and reads passively: the
 * handle of requests, notifications and indications, the handle/UUID pairs
 * of a Read By Type response to a characteristic discovery (§3.4.4.2 with
 * Vol 3 Part G §3.3.1), and where a value starts. Values are read by the
 * BLE analyzer only for Device Information strings and Battery Level;
 * measurements are never copied out.
 */
import { u16le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const AttOp = {
  ERROR_RSP: 0x01, EXCHANGE_MTU_REQ: 0x02, EXCHANGE_MTU_RSP: 0x03, FIND_INFO_REQ: 0x04, FIND_INFO_RSP: 0x05,
  READ_BY_TYPE_REQ: 0x08, READ_BY_TYPE_RSP: 0x09, READ_REQ: 0x0a, READ_RSP: 0x0b, READ_BLOB_REQ: 0x0c, READ_BLOB_RSP: 0x0d,
  READ_BY_GROUP_TYPE_REQ: 0x10, READ_BY_GROUP_TYPE_RSP: 0x11, WRITE_REQ: 0x12, WRITE_RSP: 0x13,
  HANDLE_VALUE_NTF: 0x1b, HANDLE_VALUE_IND: 0x1d, WRITE_CMD: 0x52,
} as const;

export class AttView implements Layer {
  readonly name = 'att';
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

  get opcode(): number {
    return this.bytes[this.offset]!;
  }

  /** The first handle parameter of requests, notifications and indications that have one; -1 otherwise. */
  get handle(): number {
    switch (this.opcode) {
      case AttOp.READ_REQ: case AttOp.READ_BLOB_REQ: case AttOp.WRITE_REQ: case AttOp.WRITE_CMD:
      case AttOp.HANDLE_VALUE_NTF: case AttOp.HANDLE_VALUE_IND: case AttOp.READ_BY_TYPE_REQ:
      case AttOp.FIND_INFO_REQ: case AttOp.READ_BY_GROUP_TYPE_REQ:
        return this.payloadEnd - this.payloadOffset >= 2 ? u16le(this.bytes, this.payloadOffset) : -1;
      default:
        return -1;
    }
  }

  /** Read By Type request: the 16-bit attribute type asked for, or -1 (128-bit types are -2). */
  get readByTypeUuid16(): number {
    if (this.opcode !== AttOp.READ_BY_TYPE_REQ) return -1;
    const n = this.payloadEnd - this.payloadOffset;
    return n === 6 ? u16le(this.bytes, this.payloadOffset + 4) : n === 20 ? -2 : -1;
  }

  /** Where the attribute value of a READ_RSP, READ_BLOB_RSP starts, or of a notification/indication (after the handle); -1 otherwise. */
  get valueOffset(): number {
    const op = this.opcode;
    if (op === AttOp.READ_RSP || op === AttOp.READ_BLOB_RSP) return this.payloadOffset;
    if ((op === AttOp.HANDLE_VALUE_NTF || op === AttOp.HANDLE_VALUE_IND) && this.payloadEnd - this.payloadOffset >= 2) return this.payloadOffset + 2;
    return -1;
  }

  /**
   * Read By Type response (§3.4.4.2): each entry is handle (2) + value
   * (length - 2). Calls `f(handle, valueOffset, valueLength)` per whole entry.
   */
  forEachTypeEntry(f: (handle: number, valueOffset: number, valueLength: number) => void): void {
    if (this.opcode !== AttOp.READ_BY_TYPE_RSP || this.payloadEnd - this.payloadOffset < 1) return;
    const len = this.bytes[this.payloadOffset]!;
    if (len < 2) return;
    for (let o = this.payloadOffset + 1; o + len <= this.payloadEnd; o += len) f(u16le(this.bytes, o), o + 2, len - 2);
  }
}

class AttDecoder implements Decoder {
  readonly name = 'att';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): AttView | Anomaly {
    if (end - offset < 1) return anomaly('att.truncated_header', 'att', offset, 1, 0);
    return new AttView(bytes, offset, end);
  }
}

export const attDecoder: Decoder = new AttDecoder();
