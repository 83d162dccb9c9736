/**
 * LINKTYPE_BLUETOOTH_LINUX_MONITOR (254): BlueZ's monitor channel, a 4-byte
 * header of adapter index and opcode (both u16 big-endian in the pcap
 * record; tcpdump.org/linktypes/LINKTYPE_BLUETOOTH_LINUX_MONITOR.html) and
 * the HCI packet without an H4 indicator. The opcode (BlueZ
 * monitor/bt.h BTSNOOP_OPCODE_*) is mapped to the H4 indicator so the same
 * `hci_cmd`, `hci_evt` and `hci_acl` rows serve both link types.
 */
import { u16be } from '../bytes.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { H4_ACL, H4_COMMAND, H4_EVENT } from '../hci_h4/index.js';

export const MON_HEADER_LEN = 4;
/** Monitor opcodes (BlueZ src/shared/btsnoop.h). */
export const MonOpcode = { NEW_INDEX: 0, DEL_INDEX: 1, COMMAND: 2, EVENT: 3, ACL_TX: 4, ACL_RX: 5, SCO_TX: 6, SCO_RX: 7 } as const;

function h4For(opcode: number): number {
  switch (opcode) {
    case MonOpcode.COMMAND: return H4_COMMAND;
    case MonOpcode.EVENT: return H4_EVENT;
    case MonOpcode.ACL_TX: case MonOpcode.ACL_RX: return H4_ACL;
    default: return -1;
  }
}

export class HciMonView implements Layer {
  readonly name = 'hci_mon';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey: number;
  readonly altKey = -1;

  constructor(bytes: Uint8Array, offset: number, end: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = offset + MON_HEADER_LEN;
    this.payloadEnd = end;
    this.nextKey = h4For(u16be(bytes, offset + 2));
  }

  get adapter(): number {
    return u16be(this.bytes, this.offset);
  }

  get opcode(): number {
    return u16be(this.bytes, this.offset + 2);
  }

  /** 0 host to controller, 1 controller to host (as hci_h4's direction). */
  get direction(): number {
    const op = this.opcode;
    return op === MonOpcode.COMMAND || op === MonOpcode.ACL_TX || op === MonOpcode.SCO_TX ? 0 : 1;
  }
}

class HciMonDecoder implements Decoder {
  readonly name = 'hci_mon';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): HciMonView | Anomaly {
    if (end - offset < MON_HEADER_LEN) return anomaly('hci_mon.truncated_header', 'hci_mon', offset, MON_HEADER_LEN, end - offset);
    return new HciMonView(bytes, offset, end);
  }
}

export const hciMonDecoder: Decoder = new HciMonDecoder();
