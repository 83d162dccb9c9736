/**
 * Zigbee Device Profile frames (Zigbee Specification R22 §2.4): a
 * transaction sequence number, then a body that depends on the APS cluster
 * id. The view holds the sequence number; `zdoInfo(cluster, ...)` reads the
 * bodies the inventory uses: Device Announce (§2.4.3.1.11), Node, Power and
 * Simple Descriptor requests and responses (§2.4.3.1.3-5, §2.4.4.2.3-5).
 */
import { u16le } from '../bytes.js';
import { eui64Hex } from '../ieee802154/index.js';
import { anomaly, type Anomaly, type Decoder, type Layer } from '../types.js';
import {
  ZDO_DEVICE_ANNCE, ZDO_NODE_DESC_REQ, ZDO_NODE_DESC_RSP, ZDO_PERMIT_JOINING_REQ, ZDO_POWER_DESC_REQ, ZDO_POWER_DESC_RSP,
  ZDO_SIMPLE_DESC_REQ, ZDO_SIMPLE_DESC_RSP,
} from './consts.js';

export const LAYER = 'zigbee-zdo';

export class ZigbeeZdoView implements Layer {
  readonly name = LAYER;
  readonly nextKey = -1;
  readonly altKey = -1;
  readonly payloadOffset: number;
  constructor(readonly bytes: Uint8Array, readonly offset: number, readonly payloadEnd: number) {
    this.payloadOffset = offset + 1;
  }

  get tsn(): number {
    return this.bytes[this.offset]!;
  }
}

export interface ZdoInfo {
  readonly cluster: number;
  /** The network address of interest or of the sender (announce). */
  readonly nwkAddr?: number;
  readonly ieee?: string;
  /** MAC capability (§2.4.3.1.11.1, IEEE 802.15.4 §7.5.2 Table 7-51): FFD bit 1, mains bit 2, rx-on bit 3. */
  readonly capability?: number;
  readonly status?: number;
  /** Node descriptor: 0 coordinator, 1 router, 2 end device, and the manufacturer code. */
  readonly logicalType?: number;
  readonly manufacturerCode?: number;
  /** Power descriptor: current mode, available and current source bitmaps, level (0, 4, 8, 12 = 0/33/66/100 %). */
  readonly currentPowerSource?: number;
  readonly availablePowerSources?: number;
  readonly powerLevel?: number;
  /** Simple descriptor. */
  readonly endpoint?: number;
  readonly profile?: number;
  readonly deviceId?: number;
  readonly inClusters?: readonly number[];
  readonly outClusters?: readonly number[];
  /** Mgmt_Permit_Joining_req: seconds open (0 closes, 255 forever). */
  readonly permitDuration?: number;
}

/** Reads the body of cluster `cluster` in [o, end) (after the sequence number); undefined when short or not one of these. */
export function zdoInfo(cluster: number, b: Uint8Array, o: number, end: number): ZdoInfo | undefined {
  const n = end - o;
  switch (cluster) {
    case ZDO_DEVICE_ANNCE:
      return n >= 11 ? { cluster, nwkAddr: u16le(b, o), ieee: eui64Hex(b, o + 2), capability: b[o + 10]! } : undefined;
    case ZDO_NODE_DESC_REQ:
    case ZDO_POWER_DESC_REQ:
      return n >= 2 ? { cluster, nwkAddr: u16le(b, o) } : undefined;
    case ZDO_SIMPLE_DESC_REQ:
      return n >= 3 ? { cluster, nwkAddr: u16le(b, o), endpoint: b[o + 2]! } : undefined;
    case ZDO_NODE_DESC_RSP:
      if (n < 3) return undefined;
      if (b[o] !== 0 || n < 3 + 13) return { cluster, status: b[o]!, nwkAddr: u16le(b, o + 1) };
      return {
        cluster, status: 0, nwkAddr: u16le(b, o + 1), logicalType: b[o + 3]! & 7, capability: b[o + 5]!,
        manufacturerCode: u16le(b, o + 6),
      };
    case ZDO_POWER_DESC_RSP:
      if (n < 3) return undefined;
      if (b[o] !== 0 || n < 5) return { cluster, status: b[o]!, nwkAddr: u16le(b, o + 1) };
      return {
        cluster, status: 0, nwkAddr: u16le(b, o + 1), availablePowerSources: b[o + 3]! >>> 4,
        currentPowerSource: b[o + 4]! & 0xf, powerLevel: b[o + 4]! >>> 4,
      };
    case ZDO_SIMPLE_DESC_RSP: {
      if (n < 4) return undefined;
      if (b[o] !== 0) return { cluster, status: b[o]!, nwkAddr: u16le(b, o + 1) };
      const len = b[o + 3]!;
      const s = o + 4;
      if (len < 8 || s + len > end) return undefined;
      const inCount = b[s + 6]!;
      if (7 + 2 * inCount + 1 > len) return undefined;
      const outAt = s + 7 + 2 * inCount;
      const outCount = b[outAt]!;
      if (7 + 2 * inCount + 1 + 2 * outCount > len) return undefined;
      const inClusters: number[] = [];
      for (let i = 0; i < inCount; i++) inClusters.push(u16le(b, s + 7 + 2 * i));
      const outClusters: number[] = [];
      for (let i = 0; i < outCount; i++) outClusters.push(u16le(b, outAt + 1 + 2 * i));
      return {
        cluster, status: 0, nwkAddr: u16le(b, o + 1), endpoint: b[s]!, profile: u16le(b, s + 1), deviceId: u16le(b, s + 3),
        inClusters, outClusters,
      };
    }
    case ZDO_PERMIT_JOINING_REQ:
      return n >= 1 ? { cluster, permitDuration: b[o]! } : undefined;
    default:
      return undefined;
  }
}

class ZdoDecoder implements Decoder {
  readonly name = LAYER;

  decode(b: Uint8Array, offset: number, end: number): ZigbeeZdoView | Anomaly {
    if (end - offset < 1) return anomaly('zigbee-zdo.truncated_header', LAYER, offset, 1, 0);
    return new ZigbeeZdoView(b, offset, end);
  }
}

export const zigbeeZdoDecoder: Decoder = new ZdoDecoder();
