/**
 * An nRF52 running the nRF Sniffer for Bluetooth LE, on the wire
 * (dongle-protocols.md §1; SnifferAPI 4.1.0): SLIP-framed packets, host
 * commands with the v1 header, answers with the v2 (firmware 3.x) or v3
 * (firmware 4.x) header. PING_REQ gets PING_RESP (3.x: build 1116, i.e.
 * 3.1.0), REQ_VERSION gets RESP_VERSION on 4.x only, REQ_SCAN_CONT starts
 * the scan, SET_ADV_CHANNEL_HOP_SEQ sets the advertising channels,
 * REQ_FOLLOW picks the device whose connection is followed (EVENT_FOLLOW
 * in reply). `transmit()` puts a packet on air: the simulator passes it on
 * when it would hear it (scanning, an advertising channel of the hop
 * sequence, or a data channel while following).
 *
 * Packets come in as LINKTYPE_NORDIC_BLE record bodies (board id, packet
 * without padding); the simulator puts the radio's padding byte back, as
 * the firmware sends it, and for firmware 3.x rewrites v3 packets as v2
 * (id 0x02 -> 0x06, PROTOVER 2; §1.9's back-conversion, time left as is).
 * Like a UART at another speed, it answers noise when the host's end is not
 * set to its baud rate.
 */
import { DongleSim, hostBaud, type PtyCable } from './dongle-pty.js';

const START = 0xab;
const END = 0xbc;
const ESC = 0xcd;

export function slip(p: ArrayLike<number>): Buffer {
  const out: number[] = [START];
  for (let i = 0; i < p.length; i++) {
    const b = p[i]!;
    if (b === START) out.push(ESC, 0xac);
    else if (b === END) out.push(ESC, 0xbd);
    else if (b === ESC) out.push(ESC, 0xce);
    else out.push(b);
  }
  out.push(END);
  return Buffer.from(out);
}

export function unslip(bytes: readonly number[]): { packets: number[][]; stray: number } {
  const packets: number[][] = [];
  let stray = 0;
  let cur: number[] | undefined;
  let esc = false;
  for (const b of bytes) {
    if (cur === undefined) {
      if (b === START) cur = [];
      else stray++;
    } else if (esc) {
      esc = false;
      cur.push(b === 0xac ? START : b === 0xce ? ESC : END);
    } else if (b === ESC) esc = true;
    else if (b === END) {
      packets.push(cur);
      cur = undefined;
    } else cur.push(b);
  }
  return { packets, stray: stray + (cur === undefined ? 0 : cur.length + 1) };
}

/** A record body of LINKTYPE 272 (protocol v3) as the given firmware would send it on the UART. */
export function onUart(body: Uint8Array, protover: 2 | 3): number[] {
  const p = Array.from(body.subarray(1));
  const coded = ((p[7]! >> 4) & 7) === 2;
  const pad = 16 + 6 + (coded ? 1 : 0);
  p.splice(pad, 0, 0x00);
  const plen = (p[0]! | (p[1]! << 8)) + 1;
  p[0] = plen & 0xff;
  p[1] = plen >> 8;
  if (protover === 2) {
    p[2] = 2;
    if (p[5] === 0x02) p[5] = 0x06;
  }
  return p;
}

export class NrfBleSim extends DongleSim {
  scanning = false;
  hopSeq: number[] = [37, 38, 39];
  /** REQ_FOLLOW payload received (address MSB first, type, flags), if any. */
  follow: number[] | undefined;
  /** Packet ids of the host commands received, in order. */
  readonly commands: number[] = [];
  private buf: number[] = [];
  private counter = 0;

  constructor(cable: PtyCable, readonly protover: 2 | 3, readonly baud = 1_000_000) {
    super(cable);
  }

  protected onBytes(b: Buffer): void {
    if (hostBaud(this.cable.host) !== this.baud) {
      this.send(Buffer.from(Array.from(b, (x) => (x * 7 + 3) & 0x7f)));
      return;
    }
    this.buf.push(...b);
    const last = this.buf.lastIndexOf(END);
    if (last < 0) return;
    const { packets } = unslip(this.buf.splice(0, last + 1));
    for (const p of packets) {
      if (p.length < 6 || p[0] !== 6 || p[2] !== 1 || p[1]! + 6 !== p.length) continue;
      this.commands.push(p[5]!);
      this.run(p[5]!, p.slice(6));
    }
  }

  private out(id: number, payload: ArrayLike<number>): void {
    const c = this.counter++;
    this.send(slip([payload.length & 0xff, payload.length >> 8, this.protover, c & 0xff, (c >> 8) & 0xff, id, ...Array.from(payload)]));
  }

  private run(id: number, p: number[]): void {
    switch (id) {
      case 0x0d: return this.out(0x0e, [1116 & 0xff, 1116 >> 8]);
      case 0x1b:
        if (this.protover === 3) this.out(0x1c, Buffer.from('4.1.1'));
        return;
      case 0x17: this.hopSeq = p.slice(1, 1 + p[0]!); return;
      case 0x07: this.scanning = true; return;
      case 0x00:
        this.follow = p;
        return this.out(0x01, []);
      default:
    }
  }

  /** Whether this firmware would pass the packet (a UART packet) on to the host. */
  hears(uart: readonly number[]): boolean {
    if (!this.scanning) return false;
    const ch = uart[8]!;
    if (ch >= 37) return this.hopSeq.includes(ch);
    return this.follow !== undefined;
  }

  /** Puts a LINKTYPE 272 record body on air; returns whether it was sent to the host. */
  transmit(body: Uint8Array): boolean {
    const uart = onUart(body, this.protover);
    if (!this.hears(uart)) return false;
    this.send(slip(uart));
    return true;
  }
}
