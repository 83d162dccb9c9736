/**
 * Zigbee APS frames (Zigbee Specification R22 §2.2.5): frame control,
 * endpoints or group, cluster and profile, counter, extended header, the
 * auxiliary security header (§4.5.1) and, in the clear, the APS command
 * (§4.4.10) with Transport Key, Update Device, Request Key and Switch Key
 * read by `apsCommandInfo`.
 *
 * Data frames route on their profile: 0 (ZDP) to zigbee-zdo (key 0),
 * anything else to zigbee-zcl (key 1). A secured frame routes nowhere: the
 * zigbee analyzer decrypts it when it holds the key.
 */
import { u16le } from '../bytes.js';
import { eui64Hex } from '../ieee802154/index.js';
import { ZIGBEE_SECURITY_LEVEL } from '../zigbee-nwk/consts.js';
import { micLength, parseAuxHeader, type AuxHeader } from '../zigbee-nwk/security.js';
import { anomaly, type Anomaly, type Decoder, type Layer } from '../types.js';
import {
  APS_CMD_REQUEST_KEY, APS_CMD_SWITCH_KEY, APS_CMD_TRANSPORT_KEY, APS_CMD_UPDATE_DEVICE, ApsFrameType, DeliveryMode,
  KeyType, PROFILE_ZDO,
} from './consts.js';

export const LAYER = 'zigbee-aps';
export const APS_NEXT_ZDO = 0;
export const APS_NEXT_ZCL = 1;

export class ZigbeeApsView implements Layer {
  readonly name = LAYER;
  readonly altKey = -1;
  nextKey = -1;
  payloadOffset = 0;
  payloadEnd = 0;
  readonly fc: number;
  dstEndpoint = -1;
  group = -1;
  cluster = -1;
  profile = -1;
  srcEndpoint = -1;
  counter = -1;
  /** Extended header fragmentation (§2.2.5.1.8.1): 0 none, 1 first, 2 part. */
  fragmentation = 0;
  aux: AuxHeader | undefined = undefined;
  micLength = 0;

  constructor(readonly bytes: Uint8Array, readonly offset: number) {
    this.fc = bytes[offset]!;
  }

  get frameType(): number {
    return this.fc & 3;
  }

  get deliveryMode(): number {
    return (this.fc >>> 2) & 3;
  }

  get ackFormat(): boolean {
    return (this.fc & 0x10) !== 0;
  }

  get security(): boolean {
    return (this.fc & 0x20) !== 0;
  }

  get ackRequest(): boolean {
    return (this.fc & 0x40) !== 0;
  }

  get extendedHeader(): boolean {
    return (this.fc & 0x80) !== 0;
  }

  /** APS command id of a command frame in the clear, -1 otherwise. */
  get command(): number {
    return this.frameType === ApsFrameType.command && !this.security && this.payloadEnd > this.payloadOffset
      ? this.bytes[this.payloadOffset]! : -1;
  }
}

/** What an APS command says, read from its id byte at `o` (§4.4.10). Keys are offsets, never copies. */
export interface ApsCommandInfo {
  readonly command: number;
  readonly keyType?: number;
  /** Offset of the 16-byte key of a Transport Key. */
  readonly keyOffset?: number;
  readonly keySeq?: number;
  /** Transport Key destination/source, Update Device's device, as 16 hex digits. */
  readonly dst64?: string;
  readonly src64?: string;
  readonly device64?: string;
  readonly deviceShort?: number;
  /** Update Device status (§4.4.10.2.3): 0 secured rejoin, 1 unsecured join, 2 left, 3 TC rejoin. */
  readonly status?: number;
}

/** Reads the command at `o` of [o, end); undefined when it is shorter than its fields. */
export function apsCommandInfo(b: Uint8Array, o: number, end: number): ApsCommandInfo | undefined {
  if (o >= end) return undefined;
  const command = b[o]!;
  const n = end - o - 1;
  const p = o + 1;
  switch (command) {
    case APS_CMD_TRANSPORT_KEY: {
      if (n < 1) return undefined;
      const keyType = b[p]!;
      if (keyType === KeyType.network || keyType === KeyType.highSecurityNetwork) {
        // §4.4.10.1.3.2: key, sequence number, destination, source.
        if (n < 1 + 16 + 1 + 16) return undefined;
        return { command, keyType, keyOffset: p + 1, keySeq: b[p + 17]!, dst64: eui64Hex(b, p + 18), src64: eui64Hex(b, p + 26) };
      }
      if (keyType === KeyType.appLink || keyType === KeyType.appMaster) {
        // §4.4.10.1.3.3: key, partner address, initiator flag.
        if (n < 1 + 16 + 8) return undefined;
        return { command, keyType, keyOffset: p + 1, dst64: eui64Hex(b, p + 17) };
      }
      // TC link or master key (§4.4.10.1.3.1): key, destination, source.
      if (n < 1 + 16 + 16) return undefined;
      return { command, keyType, keyOffset: p + 1, dst64: eui64Hex(b, p + 17), src64: eui64Hex(b, p + 25) };
    }
    case APS_CMD_UPDATE_DEVICE:
      if (n < 11) return undefined;
      return { command, device64: eui64Hex(b, p), deviceShort: u16le(b, p + 8), status: b[p + 10]! };
    case APS_CMD_REQUEST_KEY:
      if (n < 1) return undefined;
      return b[p] === KeyType.appMaster || b[p] === KeyType.appLink
        ? (n >= 9 ? { command, keyType: b[p]!, dst64: eui64Hex(b, p + 1) } : undefined)
        : { command, keyType: b[p]! };
    case APS_CMD_SWITCH_KEY:
      return n >= 1 ? { command, keySeq: b[p]! } : undefined;
    default:
      return { command };
  }
}

class ApsDecoder implements Decoder {
  readonly name = LAYER;

  decode(b: Uint8Array, offset: number, end: number): ZigbeeApsView | Anomaly {
    if (end - offset < 1) return anomaly('zigbee-aps.truncated_header', LAYER, offset, 1, 0);
    const v = new ZigbeeApsView(b, offset);
    const type = v.frameType;
    const mode = v.deliveryMode;
    let o = offset + 1;
    const addressed = type === ApsFrameType.data || (type === ApsFrameType.ack && !v.ackFormat);
    let need = 0;
    if (type === ApsFrameType.interPan) {
      need = (mode === DeliveryMode.group ? 2 : 0) + 4;
    } else if (addressed) {
      need = (mode === DeliveryMode.group ? 2 : 1) + 4 + 1 + 1;
    } else {
      need = 1;
    }
    if (o + need > end) return anomaly('zigbee-aps.truncated_header', LAYER, o, need, end - o);
    if (type === ApsFrameType.interPan || addressed) {
      if (mode === DeliveryMode.group) {
        v.group = u16le(b, o);
        o += 2;
      } else if (type !== ApsFrameType.interPan) {
        v.dstEndpoint = b[o++]!;
      }
      v.cluster = u16le(b, o);
      v.profile = u16le(b, o + 2);
      o += 4;
      if (type !== ApsFrameType.interPan) v.srcEndpoint = b[o++]!;
    }
    if (type !== ApsFrameType.interPan) v.counter = b[o++]!;
    if (v.extendedHeader && type !== ApsFrameType.interPan) {
      if (o + 1 > end) return anomaly('zigbee-aps.truncated_header', LAYER, o, 1, 0);
      const ext = b[o++]!;
      v.fragmentation = ext & 3;
      const extra = (v.fragmentation !== 0 ? 1 : 0) + (type === ApsFrameType.ack && v.fragmentation !== 0 ? 1 : 0);
      if (o + extra > end) return anomaly('zigbee-aps.truncated_header', LAYER, o, extra, end - o);
      o += extra;
    }
    if (v.security) {
      const aux = parseAuxHeader(b, o, end);
      if (aux === undefined) return anomaly('zigbee-aps.truncated_security_header', LAYER, o, 5, end - o);
      v.aux = aux;
      v.micLength = micLength(ZIGBEE_SECURITY_LEVEL);
      if (aux.end + v.micLength > end) return anomaly('zigbee-aps.truncated_mic', LAYER, aux.end, v.micLength, end - aux.end);
      v.payloadOffset = aux.end;
      v.payloadEnd = end - v.micLength;
      return v;
    }
    v.payloadOffset = o;
    v.payloadEnd = end;
    if (type === ApsFrameType.command && o >= end) return anomaly('zigbee-aps.truncated_command', LAYER, o, 1, 0);
    // A fragment after the first carries no upper-layer header (§2.2.8.4.5).
    if ((type === ApsFrameType.data || type === ApsFrameType.interPan) && v.fragmentation < 2 && o < end) {
      v.nextKey = v.profile === PROFILE_ZDO ? APS_NEXT_ZDO : APS_NEXT_ZCL;
    }
    return v;
  }
}

export const zigbeeApsDecoder: Decoder = new ApsDecoder();
