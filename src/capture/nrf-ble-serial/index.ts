/**
 * `nrf-ble-serial`: an nRF52 board or dongle running the nRF Sniffer for
 * Bluetooth LE (firmware 3.x speaks UART protocol v2, 4.x protocol v3;
 * dongle-protocols.md §1).
 *
 * Start, in the Nordic host's order (§1.7): SET_ADV_CHANNEL_HOP_SEQ with the
 * configured advertising channels, REQ_VERSION (4.x answers with a string),
 * PING_REQ (answered by every version; 3.x gives its build number), then
 * REQ_SCAN_CONT. The keep-alive is PING_REQ. When an allow-listed device
 * advertises connectably, REQ_FOLLOW makes the sniffer follow it into its
 * connection. The baud rate is probed: 1 000 000, then 460 800, RTS/CTS on.
 *
 * Event packets (ids 0x02 and 0x06) leave as LINKTYPE_NORDIC_BLE (272)
 * records exactly as Nordic's pcap writer makes them (§1.9): a board id,
 * then the packet with the radio's padding byte removed and PLEN one less.
 */
import type { RawFrame, SourceEvents } from '../types.js';
import { FirmwareClock } from '../serial/clock.js';
import { hostTime, DongleRefused, DongleSource, type DongleDriver, type DongleIo, type DongleOptions, type DongleParser } from '../serial/dongle.js';
import {
  BAUDS, BOARD_ID, FIRMWARE_BUILDS, hostPacket, Id, LINKTYPE_NORDIC_BLE, MAX_FOLLOW, MAX_PACKET, MAX_PROTOVER, PAD_OFFSET,
  PHY_CODED, POS_BLE, POS_CHANNEL, POS_FLAGS, POS_ID, POS_PROTOVER, POS_RSSI, POS_TIME, RTSCTS, SCAN_FLAGS_V3,
  SLIP_END, SLIP_ESC, SLIP_ESC_ESC, SLIP_ESC_START, SLIP_START,
} from './consts.js';

export interface NordicUnit {
  readonly protover: number;
  readonly id: number;
  /** The whole decoded packet, header included. */
  readonly packet: Uint8Array;
}

/**
 * SLIP decoder (§1.3, Packet.decodeFromSLIP): skip to AB, read to BC,
 * unescape; then the length check of Packet.validatePacketList.
 */
export class SlipParser implements DongleParser<NordicUnit> {
  skipped = 0;
  units = 0;
  private cur: number[] | undefined;
  private esc = false;

  push(chunk: Uint8Array): NordicUnit[] {
    const out: NordicUnit[] = [];
    for (const b of chunk) {
      if (this.cur === undefined) {
        if (b === SLIP_START) this.cur = [];
        else this.skipped++;
        continue;
      }
      if (this.esc) {
        this.esc = false;
        // Nordic decodes any other escaped byte as END; so does this.
        this.cur.push(b === SLIP_ESC_START ? SLIP_START : b === SLIP_ESC_ESC ? SLIP_ESC : SLIP_END);
      } else if (b === SLIP_ESC) {
        this.esc = true;
      } else if (b === SLIP_END) {
        const u = this.check(Uint8Array.from(this.cur));
        if (u !== undefined) out.push(u);
        this.cur = undefined;
      } else if (b === SLIP_START) {
        this.skipped += this.cur.length + 1;
        this.cur = [];
      } else {
        this.cur.push(b);
      }
      if (this.cur !== undefined && this.cur.length > MAX_PACKET) {
        this.skipped += this.cur.length;
        this.cur = undefined;
      }
    }
    return out;
  }

  private check(p: Uint8Array): NordicUnit | undefined {
    const protover = p[POS_PROTOVER] ?? 0;
    const plen = protover === 1 ? p[1] : (p[0] ?? 0) | ((p[1] ?? 0) << 8);
    if (p.length < 6 || protover < 1 || (protover === 1 && p[0] !== 6) || plen === undefined || plen + 6 !== p.length) {
      this.skipped += p.length + 2;
      return undefined;
    }
    this.units++;
    return { protover, id: p[POS_ID]!, packet: p };
  }
}

export interface FollowTarget {
  /** Display order, most significant byte first: "D8:DA:D3:27:03:FD". */
  readonly address: string;
  readonly random: boolean;
}

export interface NrfBleOptions {
  /** Advertising channels to hop over (37, 38, 39; one pins it). */
  readonly advChannels: readonly number[];
  /** Devices whose connections may be followed. */
  readonly follow: readonly FollowTarget[];
  readonly bauds?: readonly number[];
  readonly answerTimeoutMs: number;
}

const addrKey = (msbFirst: ArrayLike<number>, random: boolean): string =>
  Array.from(msbFirst, (b) => b.toString(16).padStart(2, '0')).join(':') + (random ? '/r' : '/p');

export class NrfBleDriver implements DongleDriver<NordicUnit> {
  readonly label = 'nRF Sniffer for Bluetooth LE';
  readonly bauds: readonly number[];
  readonly rtscts = RTSCTS;
  protover = 0;
  firmware = '';
  /** The allow-listed device REQ_FOLLOW was sent for, if any. */
  following: string | undefined;
  private counter = 0;
  private io: DongleIo<NordicUnit> | undefined;
  private readonly allow: ReadonlySet<string>;
  private readonly clock = new FirmwareClock(2 ** 32);

  constructor(readonly name: string, private readonly o: NrfBleOptions) {
    this.bauds = o.bauds ?? BAUDS;
    this.allow = new Set(o.follow.slice(0, MAX_FOLLOW).map((f) => addrKey(f.address.split(':').map((h) => parseInt(h, 16)), f.random)));
  }

  parser(): SlipParser {
    return new SlipParser();
  }

  private send(io: DongleIo<NordicUnit>, id: number, payload: number[] = []): Promise<void> {
    return io.send(hostPacket(this.counter++, id, payload));
  }

  async start(io: DongleIo<NordicUnit>): Promise<string> {
    this.io = io;
    const ch = this.o.advChannels;
    // The Nordic host pads the sequence to three entries with 37 (sendHopSequence).
    await this.send(io, Id.SET_ADV_CHANNEL_HOP_SEQ, [ch.length, ch[0] ?? 37, ch[1] ?? 37, ch[2] ?? 37]);
    const version = io.expect((u) => (u.id === Id.RESP_VERSION ? u : undefined), this.o.answerTimeoutMs, 'RESP_VERSION').catch(() => undefined);
    const ping = io.expect((u) => (u.id === Id.PING_RESP ? u : undefined), this.o.answerTimeoutMs, 'PING_RESP');
    await this.send(io, Id.REQ_VERSION);
    await this.send(io, Id.PING_REQ);
    const p = await ping;
    if (p.protover > MAX_PROTOVER || p.protover < 2) throw new DongleRefused(`UART protocol version ${p.protover}; this source speaks versions 2 and 3 (firmware 3.x and 4.x)`);
    this.protover = p.protover;
    const v = await version;
    if (v !== undefined) this.firmware = new TextDecoder().decode(v.packet.subarray(6)).replace(/[^\x20-\x7e]/g, '').trim();
    else if (p.packet.length >= 8) {
      const build = p.packet[6]! | (p.packet[7]! << 8);
      this.firmware = FIRMWARE_BUILDS[build] ?? `build ${build}`;
    }
    await this.send(io, Id.REQ_SCAN_CONT, this.protover >= 3 ? [SCAN_FLAGS_V3] : []);
    return this.status();
  }

  private status(): string {
    return `firmware ${this.firmware || 'unknown'} (UART protocol v${this.protover}), advertising channels ${this.o.advChannels.join(',')}${this.o.follow.length > 0 ? `, following ${this.o.follow.map((f) => f.address).join(' ')} when seen` : ''}`;
  }

  async probe(io: DongleIo<NordicUnit>): Promise<void> {
    const ping = io.expect((u) => (u.id === Id.PING_RESP ? u : undefined), this.o.answerTimeoutMs, 'PING_RESP');
    await this.send(io, Id.PING_REQ);
    await ping;
  }

  /** A connectable advertisement from an allow-listed device: ask the sniffer to follow it (once). */
  private maybeFollow(p: Uint8Array): void {
    if (this.following !== undefined || this.allow.size === 0 || this.io === undefined) return;
    if (p[POS_ID] !== Id.EVENT_PACKET_ADV_PDU && p[POS_ID] !== Id.EVENT_PACKET_DATA_PDU) return;
    if (p[POS_CHANNEL]! < 37 || p.length < POS_BLE + 7 + 6) return;
    const header = p[POS_BLE + 4]!;
    const type = header & 0x0f;
    // ADV_IND (0) and ADV_DIRECT_IND (1) are the connectable legacy PDUs (Core 5.4 Vol 6 Part B §2.3.1).
    if (type !== 0 && type !== 1) return;
    const random = (header & 0x40) !== 0;
    const onAir = p.subarray(POS_BLE + 7, POS_BLE + 13);
    const msbFirst = Uint8Array.from(onAir).reverse();
    const key = addrKey(msbFirst, random);
    if (!this.allow.has(key)) return;
    this.following = key;
    // ADDR (MSB first), ADDR_TYPE, FLAGS 0: follow into connections, legacy and extended (§1.5).
    void this.send(this.io, Id.REQ_FOLLOW, [...msbFirst, random ? 1 : 0, 0]).catch(() => undefined);
  }

  frame(u: NordicUnit, events: SourceEvents): RawFrame | undefined {
    if (u.id !== Id.EVENT_PACKET_ADV_PDU && u.id !== Id.EVENT_PACKET_DATA_PDU) return undefined;
    const p = u.packet;
    const coded = ((p[POS_FLAGS]! >> 4) & 7) === PHY_CODED;
    const pad = POS_BLE + PAD_OFFSET + (coded ? 1 : 0);
    if (u.protover < 2 || p.length <= pad || p[6] !== 0x0a) {
      events.anomaly({ code: 'nrf_ble.bad_event', offset: 0, detail: `protocol ${u.protover}, ${p.length} bytes` });
      return undefined;
    }
    this.maybeFollow(p);
    const out = new Uint8Array(p.length);
    out[0] = BOARD_ID;
    out.set(p.subarray(0, pad), 1);
    out.set(p.subarray(pad + 1), pad + 1);
    const plen = (p[0]! | (p[1]! << 8)) - 1;
    out[1] = plen & 0xff;
    out[2] = plen >> 8;
    const time = p[POS_TIME]! | (p[POS_TIME + 1]! << 8) | (p[POS_TIME + 2]! << 16) | (p[POS_TIME + 3]! * 2 ** 24);
    // Protocol 3 times are absolute firmware µs; protocol 2 gives a delta to the previous packet, so the host clock stands in.
    const ts = u.protover >= 3 ? this.clock.at(time >>> 0) : hostTime();
    return { ...ts, source: this.name, linkType: LINKTYPE_NORDIC_BLE, bytes: out, origLen: out.length, meta: { rssi: -p[POS_RSSI]!, channel: p[POS_CHANNEL]! } };
  }
}

export function nrfBleSource(o: DongleOptions & NrfBleOptions): DongleSource<NordicUnit> {
  return new DongleSource(o, () => new NrfBleDriver(o.name, o));
}
