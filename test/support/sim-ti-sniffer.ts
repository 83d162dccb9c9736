/**
 * A CC13xx/CC26xx board running TI Packet Sniffer 2 firmware, on the wire
 * (dongle-protocols.md §3; TI `command_handler.c`, `control_task.c`,
 * `packet_handler.c`): `40 53 | info | len LE16 | payload | FCS | 40 45`
 * commands, one 0x80 response each, CFG_* only while stopped (status 4
 * otherwise), unknown PHY index -> status 5, PAUSE/RESUME -> status 3, a
 * bad FCS -> status 2. While started, frames put on air on its frequency
 * come out as 0xC0 data packets (timestamp µs since START, PHR, MPDU with
 * FCS, RSSI, status with bit 7 = CRC OK), which have no FCS byte of their own.
 *
 * A UART at another speed than the host's sees framing garbage: when the
 * host's end of the cable is not set to `baud`, the simulator answers
 * every write with noise instead of parsing it.
 */
import { crc16Kermit } from '../../src/decode/ieee802154/fcs.js';
import { DongleSim, hostBaud, type PtyCable } from './dongle-pty.js';

const fcs = (info: number, p: Uint8Array): number => {
  let s = info + (p.length & 0xff) + (p.length >> 8);
  for (const b of p) s += b;
  return s & 0xff;
};

/** A response or data packet as the firmware frames it. */
export function tiPacket(info: number, payload: ArrayLike<number>): Buffer {
  const p = Uint8Array.from(payload);
  const withFcs = info >> 6 === 1 || info >> 6 === 2;
  return Buffer.from([0x40, 0x53, info, p.length & 0xff, p.length >> 8, ...p, ...(withFcs ? [fcs(info, p)] : []), 0x40, 0x45]);
}

export interface TiBoard {
  readonly chipId: number;
  readonly chipRev: number;
  readonly fwId: number;
  /** (major << 8) | minor. */
  readonly fwRev: number;
  /** PHY indices this board's table has; the 802.15.4 one is 0x12 on CC1352P. */
  readonly phys: number;
}

/** tuxniffer's CC1352P1 board values, which the reference's PING example uses (§3.5). */
export const CC1352P1: TiBoard = { chipId: 0x1353, chipRev: 0x21, fwId: 0x50, fwRev: 0x010a, phys: 20 };

export class TiSnifferSim extends DongleSim {
  state: 'init' | 'stopped' | 'started' = 'init';
  phy = -1;
  mhz = 0;
  /** PacketInfo of every command received with a good FCS, in order. */
  readonly commands: number[] = [];
  private buf = Buffer.alloc(0);
  private startedAt = 0;

  constructor(cable: PtyCable, readonly baud: number, readonly board: TiBoard = CC1352P1) {
    super(cable);
  }

  protected onBytes(b: Buffer): void {
    if (hostBaud(this.cable.host) !== this.baud) {
      // Wrong speed: the UART sees framing errors; what it sends back is garbage to the host.
      this.send(Buffer.from(Array.from({ length: b.length }, (_, i) => (0xf0 | (b[i]! >> 4)) ^ 0x0f)));
      return;
    }
    this.buf = Buffer.concat([this.buf, b]);
    for (;;) {
      const i = this.buf.indexOf(Buffer.from([0x40, 0x53]));
      if (i < 0 || this.buf.length - i < 8) return;
      const info = this.buf[i + 2]!;
      const len = this.buf.readUInt16LE(i + 3);
      if (this.buf.length - i < 8 + len) return;
      const payload = this.buf.subarray(i + 5, i + 5 + len);
      const ok = this.buf[i + 5 + len] === fcs(info, payload) && this.buf[i + 6 + len] === 0x40 && this.buf[i + 7 + len] === 0x45;
      this.buf = this.buf.subarray(i + 8 + len);
      if (!ok) {
        this.respond(2);
        continue;
      }
      this.commands.push(info);
      this.run(info, payload);
    }
  }

  private respond(status: number, extra: number[] = []): void {
    this.send(tiPacket(0x80, [status, ...extra]));
  }

  private run(info: number, p: Uint8Array): void {
    const configurable = this.state !== 'started';
    switch (info) {
      case 0x40: {
        const b = this.board;
        return this.respond(0, [b.chipId & 0xff, b.chipId >> 8, b.chipRev, b.fwId, b.fwRev & 0xff, b.fwRev >> 8]);
      }
      case 0x41:
        this.state = 'started';
        this.startedAt = performance.now();
        return this.respond(0);
      case 0x42:
        this.state = 'stopped';
        return this.respond(0);
      case 0x45:
        if (!configurable) return this.respond(4);
        if (p.length !== 4) return this.respond(5);
        this.mhz = p[0]! | (p[1]! << 8);
        return this.respond(0);
      case 0x47:
        if (!configurable) return this.respond(4);
        if (p.length !== 1 || p[0]! >= this.board.phys) return this.respond(5);
        this.phy = p[0]!;
        return this.respond(0);
      default:
        return this.respond(3);
    }
  }

  /** A frame (MPDU with its FCS) on air at `mhz`; sent to the host when the sniffer listens there. */
  transmit(mpduWithFcs: Uint8Array, mhz: number, rssi: number): boolean {
    if (this.state !== 'started' || mhz !== this.mhz) return false;
    const n = mpduWithFcs.length;
    const crcOk = n >= 2 && crc16Kermit(mpduWithFcs, 0, n - 2) === (mpduWithFcs[n - 2]! | (mpduWithFcs[n - 1]! << 8));
    let ts = Math.round((performance.now() - this.startedAt) * 1000);
    const t6: number[] = [];
    for (let k = 0; k < 6; k++) {
      t6.push(ts % 256);
      ts = Math.floor(ts / 256);
    }
    this.send(tiPacket(0xc0, [...t6, n, ...mpduWithFcs, rssi & 0xff, crcOk ? 0x80 : 0x00]));
    return true;
  }

  /** The firmware's RX-overflow error packet (§3.4). */
  overflow(): void {
    this.send(tiPacket(0xc1, [0x01]));
  }
}
