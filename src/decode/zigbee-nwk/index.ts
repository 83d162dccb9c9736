/**
 * Zigbee NWK frames (Zigbee Specification R22, 05-3474-22, §3.3.1): frame
 * control, addresses, radius and sequence, the optional IEEE addresses,
 * multicast control and source route, the auxiliary security header
 * (§4.5.1) and, in the clear, the NWK command (§3.4) with its first fields.
 *
 * A secured frame's payload is ciphertext: this view says where it is
 * (`payloadOffset`..`payloadEnd`, then a `micLength` MIC) and routes no
 * further. The zigbee analyzer decrypts it with the keys it holds and
 * decodes the APS frame inside (src/analyze/zigbee/).
 *
 * Inter-PAN frames (§B.4 of the Smart Energy profile; ZLL §8.1) are a
 * frame control and nothing else; the APS frame follows.
 */
import { u16le } from '../bytes.js';
import { eui64Hex } from '../ieee802154/index.js';
import { anomaly, type Anomaly, type Decoder, type Layer } from '../types.js';
import { NwkFrameType, NWK_CMD_LEAVE, NWK_CMD_LINK_STATUS, NWK_CMD_REJOIN_REQUEST, NWK_CMD_REJOIN_RESPONSE, ZIGBEE_SECURITY_LEVEL } from './consts.js';
import { micLength, parseAuxHeader, type AuxHeader } from './security.js';

export const LAYER = 'zigbee-nwk';
/** Route key of the APS layer after an NWK data or Inter-PAN frame. */
export const NWK_NEXT_APS = 0;

export class ZigbeeNwkView implements Layer {
  readonly name = LAYER;
  readonly altKey = -1;
  nextKey = -1;
  payloadOffset = 0;
  payloadEnd = 0;
  readonly fc: number;
  dst = -1;
  src = -1;
  radius = -1;
  seq = -1;
  dst64At = -1;
  src64At = -1;
  aux: AuxHeader | undefined = undefined;
  micLength = 0;

  constructor(readonly bytes: Uint8Array, readonly offset: number) {
    this.fc = u16le(bytes, offset);
  }

  get frameType(): number {
    return this.fc & 3;
  }

  get version(): number {
    return (this.fc >>> 2) & 0xf;
  }

  get discoverRoute(): number {
    return (this.fc >>> 6) & 3;
  }

  get multicast(): boolean {
    return (this.fc & 0x100) !== 0;
  }

  get security(): boolean {
    return (this.fc & 0x200) !== 0;
  }

  get sourceRoute(): boolean {
    return (this.fc & 0x400) !== 0;
  }

  get endDeviceInitiator(): boolean {
    return (this.fc & 0x2000) !== 0;
  }

  get dst64(): string | undefined {
    return this.dst64At < 0 ? undefined : eui64Hex(this.bytes, this.dst64At);
  }

  get src64(): string | undefined {
    return this.src64At < 0 ? undefined : eui64Hex(this.bytes, this.src64At);
  }

  /** NWK command id of a frame in the clear, -1 otherwise. */
  get command(): number {
    return this.frameType === NwkFrameType.command && !this.security && this.payloadEnd > this.payloadOffset
      ? this.bytes[this.payloadOffset]! : -1;
  }
}

/** First fields of an NWK command payload (starting at its command id byte), for analyzers. */
export interface NwkCommandInfo {
  readonly command: number;
  /** Leave: options byte (§3.4.4.3: bit 5 remove children, 6 request, 7 rejoin). */
  readonly leaveOptions?: number;
  /** Rejoin request: capability information (§3.4.6.3). */
  readonly capability?: number;
  /** Rejoin response: new short address and status (§3.4.7.3). */
  readonly newAddress?: number;
  readonly status?: number;
  /** Link status: number of entries and first/last frame flags (§3.4.8.3.1). */
  readonly links?: number;
}

/** Reads the command at `o` (its id byte) of [o, end); undefined when too short. */
export function nwkCommandInfo(b: Uint8Array, o: number, end: number): NwkCommandInfo | undefined {
  if (o >= end) return undefined;
  const command = b[o]!;
  const n = end - o - 1;
  switch (command) {
    case NWK_CMD_LEAVE:
      return n >= 1 ? { command, leaveOptions: b[o + 1]! } : undefined;
    case NWK_CMD_REJOIN_REQUEST:
      return n >= 1 ? { command, capability: b[o + 1]! } : undefined;
    case NWK_CMD_REJOIN_RESPONSE:
      return n >= 3 ? { command, newAddress: u16le(b, o + 1), status: b[o + 3]! } : undefined;
    case NWK_CMD_LINK_STATUS:
      return n >= 1 ? { command, links: b[o + 1]! & 0x1f } : undefined;
    default:
      return { command };
  }
}

class NwkDecoder implements Decoder {
  readonly name = LAYER;

  decode(b: Uint8Array, offset: number, end: number): ZigbeeNwkView | Anomaly {
    if (end - offset < 2) return anomaly('zigbee-nwk.truncated_header', LAYER, offset, 2, end - offset);
    const v = new ZigbeeNwkView(b, offset);
    let o = offset + 2;
    if (v.frameType === NwkFrameType.interPan) {
      v.payloadOffset = o;
      v.payloadEnd = end;
      v.nextKey = NWK_NEXT_APS;
      return v;
    }
    const fc = v.fc;
    const need = 6 + (fc & 0x800 ? 8 : 0) + (fc & 0x1000 ? 8 : 0) + (fc & 0x100 ? 1 : 0);
    if (o + need > end) return anomaly('zigbee-nwk.truncated_header', LAYER, o, need, end - o);
    v.dst = u16le(b, o);
    v.src = u16le(b, o + 2);
    v.radius = b[o + 4]!;
    v.seq = b[o + 5]!;
    o += 6;
    if (fc & 0x800) {
      v.dst64At = o;
      o += 8;
    }
    if (fc & 0x1000) {
      v.src64At = o;
      o += 8;
    }
    if (fc & 0x100) o += 1; // multicast control (§3.3.1.8)
    if (fc & 0x400) {
      // Source route subframe (§3.3.1.9): relay count, relay index, relay list.
      if (o + 2 > end) return anomaly('zigbee-nwk.truncated_header', LAYER, o, 2, end - o);
      const relays = b[o]!;
      if (o + 2 + 2 * relays > end) return anomaly('zigbee-nwk.truncated_header', LAYER, o, 2 + 2 * relays, end - o);
      o += 2 + 2 * relays;
    }
    if (v.security) {
      const aux = parseAuxHeader(b, o, end);
      if (aux === undefined) return anomaly('zigbee-nwk.truncated_security_header', LAYER, o, 5, end - o);
      v.aux = aux;
      v.micLength = micLength(ZIGBEE_SECURITY_LEVEL);
      if (aux.end + v.micLength > end) return anomaly('zigbee-nwk.truncated_mic', LAYER, aux.end, v.micLength, end - aux.end);
      v.payloadOffset = aux.end;
      v.payloadEnd = end - v.micLength;
      return v;
    }
    v.payloadOffset = o;
    v.payloadEnd = end;
    if (v.frameType === NwkFrameType.data) v.nextKey = NWK_NEXT_APS;
    else if (v.frameType === NwkFrameType.command && o >= end) return anomaly('zigbee-nwk.truncated_command', LAYER, o, 1, 0);
    return v;
  }
}

export const zigbeeNwkDecoder: Decoder = new NwkDecoder();
