/**
 * L2CAP basic frame (Core Spec 5.4 Vol 3 Part A §3.1): length (u16 LE),
 * channel id (u16 LE), information payload. The CID is the route key: on
 * LE, 0x0004 is ATT and 0x0006 the Security Manager (§2.1, Table 2.3).
 * A frame whose length says more than this fragment holds is kept with
 * `complete` false: the first fragment still shows the ATT opcode and
 * handle, and reassembly is not a passive observer's job.
 */
import { u16le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const CID_ATT = 0x0004;
export const CID_LE_SIGNALING = 0x0005;
export const CID_SMP = 0x0006;

export class L2capView implements Layer {
  readonly name = 'l2cap';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;
  readonly complete: boolean;

  constructor(bytes: Uint8Array, offset: number, end: number, complete: boolean) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 4;
    this.payloadEnd = end;
    this.nextKey = u16le(bytes, offset + 2);
    this.complete = complete;
  }

  get length(): number {
    return u16le(this.bytes, this.offset);
  }

  get cid(): number {
    return this.nextKey;
  }
}

class L2capDecoder implements Decoder {
  readonly name = 'l2cap';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): L2capView | Anomaly {
    const have = end - offset;
    if (have < 4) return anomaly('l2cap.truncated_header', 'l2cap', offset, 4, have);
    const want = offset + 4 + u16le(bytes, offset);
    return want <= end ? new L2capView(bytes, offset, want, true) : new L2capView(bytes, offset, end, false);
  }
}

export const l2capDecoder: Decoder = new L2capDecoder();
