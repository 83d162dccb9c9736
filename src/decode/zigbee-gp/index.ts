/**
 * Zigbee Green Power frames on air (Green Power Basic specification
 * 14-0563, §A.1.4.1): a one-byte NWK frame control whose protocol version is
 * 3, the optional extended frame control (application id, security level,
 * direction), the GPD source id (application id 0) or endpoint (application
 * id 2), the security frame counter, and the GPD command id when the frame
 * is not encrypted. Enough to tell a Green Power device and its
 * commissioning (command 0xE0, §A.4.1) from other traffic.
 */
import { u32le } from '../bytes.js';
import { anomaly, type Anomaly, type Decoder, type Layer } from '../types.js';

export const LAYER = 'zigbee-gp';
/** GPD Commissioning command (§A.4.1, Table 49). */
export const GPD_COMMISSIONING = 0xe0;
export const GPD_DECOMMISSIONING = 0xe1;

export class ZigbeeGpView implements Layer {
  readonly name = LAYER;
  readonly nextKey = -1;
  readonly altKey = -1;
  payloadOffset = 0;
  payloadEnd = 0;
  readonly fc: number;
  extFc = -1;
  /** GPD source id (application id 0), -1 when absent. */
  srcId = -1;
  endpoint = -1;
  frameCounter = -1;
  /** GPD command id, -1 when the frame is encrypted (security level 3). */
  command = -1;

  constructor(readonly bytes: Uint8Array, readonly offset: number) {
    this.fc = bytes[offset]!;
  }

  /** 0 data, 1 maintenance. */
  get frameType(): number {
    return this.fc & 3;
  }

  get autoCommissioning(): boolean {
    return (this.fc & 0x40) !== 0;
  }

  get applicationId(): number {
    return this.extFc < 0 ? 0 : this.extFc & 7;
  }

  get securityLevel(): number {
    return this.extFc < 0 ? 0 : (this.extFc >>> 3) & 3;
  }
}

class GpDecoder implements Decoder {
  readonly name = LAYER;

  decode(b: Uint8Array, offset: number, end: number): ZigbeeGpView | Anomaly {
    if (end - offset < 1) return anomaly('zigbee-gp.truncated_header', LAYER, offset, 1, 0);
    const v = new ZigbeeGpView(b, offset);
    let o = offset + 1;
    if (v.fc & 0x80) {
      if (o >= end) return anomaly('zigbee-gp.truncated_header', LAYER, o, 1, 0);
      v.extFc = b[o++]!;
    }
    const app = v.applicationId;
    const level = v.securityLevel;
    const data = v.frameType === 0;
    const need = (data && app === 0 ? 4 : 0) + (app === 2 ? 1 : 0) + (level >= 2 ? 4 : 0);
    if (o + need > end) return anomaly('zigbee-gp.truncated_header', LAYER, o, need, end - o);
    if (data && app === 0) {
      v.srcId = u32le(b, o);
      o += 4;
    }
    if (app === 2) v.endpoint = b[o++]!;
    if (level >= 2) {
      v.frameCounter = u32le(b, o);
      o += 4;
    }
    const mic = level === 1 ? 2 : level >= 2 ? 4 : 0;
    if (o + mic > end) return anomaly('zigbee-gp.truncated_mic', LAYER, o, mic, end - o);
    v.payloadOffset = o;
    v.payloadEnd = end - mic;
    if (level < 3 && o < v.payloadEnd) v.command = b[o]!;
    return v;
  }
}

export const zigbeeGpDecoder: Decoder = new GpDecoder();
