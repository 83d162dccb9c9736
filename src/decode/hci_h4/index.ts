/**
 * LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR (201): a 4-byte direction word (u32
 * big-endian, 0 sent by the host, 1 received from the controller;
 * tcpdump.org/linktypes/LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR.html), then the
 * H4 packet indicator (Core Spec 5.4 Vol 4 Part A §2: 1 command, 2 ACL data,
 * 3 synchronous data, 4 event, 5 ISO data) and the HCI packet. The packet
 * indicator is the route key. btsnoop H4 files (datalink 1002) are turned
 * into this link type by src/capture/btsnoop.
 */
import { u32be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';

export const H4_COMMAND = 1;
export const H4_ACL = 2;
export const H4_SCO = 3;
export const H4_EVENT = 4;
export const H4_ISO = 5;

export class HciH4View implements Layer {
  readonly name = 'hci_h4';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;

  constructor(bytes: Uint8Array, offset: number, end: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + 5;
    this.payloadEnd = end;
    this.nextKey = bytes[offset + 4]!;
  }

  /** 0 host to controller, 1 controller to host. */
  get direction(): number {
    return u32be(this.bytes, this.offset);
  }

  get packetType(): number {
    return this.nextKey;
  }
}

class HciH4Decoder implements Decoder {
  readonly name = 'hci_h4';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): HciH4View | Anomaly {
    if (end - offset < 5) return anomaly('hci_h4.truncated_header', 'hci_h4', offset, 5, end - offset);
    return new HciH4View(bytes, offset, end);
  }
}

export const hciH4Decoder: Decoder = new HciH4Decoder();
