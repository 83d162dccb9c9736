/**
 * HCI command packet (Core Spec 5.4 Vol 4 Part E §5.4.1): opcode (u16 LE,
 * OGF in the top 6 bits, OCF below), parameter length (u8), parameters.
 * The sensor sends commands only to its own controller (src/capture/ble-hci)
 * and reads them in captures to tell what a host asked for (an active scan).
 */
import { u16le } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

/** Commands a passive observer cares about (Vol 4 Part E §7.8). */
export const HciOpcode = {
  LE_SET_SCAN_PARAMETERS: 0x200b,
  LE_SET_SCAN_ENABLE: 0x200c,
  LE_SET_EXTENDED_SCAN_PARAMETERS: 0x2041,
  LE_SET_EXTENDED_SCAN_ENABLE: 0x2042,
  RESET: 0x0c03,
  SET_EVENT_MASK: 0x0c01,
  LE_SET_EVENT_MASK: 0x2001,
} as const;

export class HciCmdView implements Layer {
  readonly name = 'hci_cmd';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  readonly warning: Anomaly | undefined;

  constructor(bytes: Uint8Array, offset: number, end: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 3;
    this.payloadEnd = end;
    this.warning = warning;
  }

  get opcode(): number {
    return u16le(this.bytes, this.offset);
  }

  get ogf(): number {
    return this.opcode >>> 10;
  }

  get ocf(): number {
    return this.opcode & 0x3ff;
  }

  get paramLength(): number {
    return this.bytes[this.offset + 2]!;
  }
}

class HciCmdDecoder implements Decoder {
  readonly name = 'hci_cmd';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): HciCmdView | Anomaly {
    const have = end - offset;
    if (have < 3) return anomaly('hci_cmd.truncated_header', 'hci_cmd', offset, 3, have);
    const need = 3 + bytes[offset + 2]!;
    if (need > have) return new HciCmdView(bytes, offset, end, anomaly('hci_cmd.bad_length', 'hci_cmd', offset + 2, need, have));
    return new HciCmdView(bytes, offset, offset + need, undefined);
  }
}

export const hciCmdDecoder: Decoder = new HciCmdDecoder();
