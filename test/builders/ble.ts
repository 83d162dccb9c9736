/**
 * BLE frame builders for tests, the ward generator and benchmarks: LL
 * advertising PDUs with their CRC-24, AD structures, LL data PDUs with
 * L2CAP, ATT and SMP, wrapped in the nRF Sniffer's LINKTYPE_NORDIC_BLE (272)
 * record, and HCI LE advertising report events (201). Addresses are printed
 * order strings ("c0:ff:ee:00:00:01"); they go on air least significant
 * octet first (Core Spec 5.4 Vol 6 Part B §1.2).
 */
import { bleCrc24 } from '../../src/decode/btle/crc.js';
import { ADV_ACCESS_ADDRESS, ADV_CRC_INIT } from '../../src/decode/btle/consts.js';
import { concat, type Bytes } from './frames.js';

export function addrLe(a: string): Bytes {
  const p = a.split(':').map((x) => parseInt(x, 16));
  if (p.length !== 6) throw new Error(`bad address ${a}`);
  return Uint8Array.from(p.reverse());
}

const u16 = (v: number): Bytes => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff);
const u32 = (v: number): Bytes => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);

/** One AD structure: length, type, data (Vol 3 Part C §11). */
export function ad(type: number, data: Bytes | readonly number[], length?: number): Bytes {
  const d = data instanceof Uint8Array ? data : Uint8Array.from(data);
  return concat(Uint8Array.of(length ?? d.length + 1, type), d);
}
export const adFlags = (f = 0x06): Bytes => ad(0x01, [f]);
export const adName = (n: string, complete = true): Bytes => ad(complete ? 0x09 : 0x08, new TextEncoder().encode(n));
export const adUuid16 = (...u: number[]): Bytes => ad(0x03, concat(...u.map(u16)));
export const adManufacturer = (company: number, data: Bytes | readonly number[] = []): Bytes => ad(0xff, concat(u16(company), Uint8Array.from(data)));
export const adServiceData16 = (uuid: number, data: readonly number[] = []): Bytes => ad(0x16, concat(u16(uuid), Uint8Array.from(data)));

export interface AdvOptions {
  /** PDU type (0 ADV_IND ... 6 ADV_SCAN_IND). */
  readonly type?: number;
  readonly random?: boolean;
  readonly rxRandom?: boolean;
  readonly advA: string;
  /** Bytes after AdvA (AdvData), or the whole payload for SCAN_REQ/CONNECT_IND when `payload` is given. */
  readonly data?: Bytes;
  readonly payload?: Bytes;
  /** Override the Length field. */
  readonly length?: number;
  /** Corrupt the CRC. */
  readonly badCrc?: boolean;
}

/** An LL packet from the access address to the CRC: AA, header, payload, CRC. */
export function llPacket(aa: number, header0: number, payload: Bytes, crcInit: number, opts: { length?: number; badCrc?: boolean } = {}): Bytes {
  const hdr = Uint8Array.of(header0, opts.length ?? payload.length);
  const pdu = concat(hdr, payload);
  let crc = bleCrc24(pdu, 0, pdu.length, crcInit);
  if (opts.badCrc === true) crc ^= 0x000001;
  return concat(u32(aa), pdu, Uint8Array.of(crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff));
}

export function advPdu(o: AdvOptions): Bytes {
  const payload = o.payload ?? concat(addrLe(o.advA), o.data ?? new Uint8Array(0));
  const h0 = (o.type ?? 0) | (o.random === true ? 0x40 : 0) | (o.rxRandom === true ? 0x80 : 0);
  return llPacket(ADV_ACCESS_ADDRESS, h0, payload, ADV_CRC_INIT, { ...(o.length !== undefined ? { length: o.length } : {}), ...(o.badCrc ? { badCrc: true } : {}) });
}

/** CONNECT_IND from `init` to `adv`, with the connection's access address and CRC init (Vol 6 Part B §2.3.3.1). */
export function connectInd(init: string, adv: string, aa: number, crcInit = 0x123456, randoms: { tx?: boolean; rx?: boolean } = {}): Bytes {
  const ll = concat(u32(aa), Uint8Array.of(crcInit & 0xff, (crcInit >>> 8) & 0xff, crcInit >>> 16), Uint8Array.of(2), u16(5), u16(24), u16(0), u16(72), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f), Uint8Array.of(0x25));
  return advPdu({ type: 5, advA: adv, payload: concat(addrLe(init), addrLe(adv), ll), random: randoms.tx ?? false, rxRandom: randoms.rx ?? false });
}

/** An LL data PDU carrying one L2CAP frame (LLID 2) on channel `cid`. */
export function dataL2cap(aa: number, cid: number, payload: Bytes, crcInit = 0x123456): Bytes {
  return llPacket(aa, 0x02, concat(u16(payload.length), u16(cid), payload), crcInit);
}

export interface NordicOptions {
  readonly channel?: number;
  readonly rssi?: number;
  readonly crcOk?: boolean;
  /** Extra flag bits (direction 0x02, encrypted 0x04, PHY << 4). */
  readonly flags?: number;
  readonly counter?: number;
  /** 0x02 advertising (protocol 3) or 0x06 data. */
  readonly id?: number;
  readonly version?: number;
  readonly time?: number;
}

/** A LINKTYPE_NORDIC_BLE record body: board id, v2/v3 header, BLE event header, LL packet (dongle-protocols.md §1.4-1.9). */
export function nordic(o: NordicOptions, ll: Bytes): Bytes {
  const flags = (o.crcOk === false ? 0 : 1) | (o.flags ?? 0);
  const ev = concat(Uint8Array.of(0x0a, flags, o.channel ?? 37, -(o.rssi ?? -60) & 0xff), u16(0), u32(o.time ?? 0));
  const payload = concat(ev, ll);
  return concat(Uint8Array.of(0), u16(payload.length), Uint8Array.of(o.version ?? 3), u16(o.counter ?? 0), Uint8Array.of(o.id ?? 0x02), payload);
}

/** An H4 LE Advertising Report event with one legacy report, with the 201 direction header (controller to host). */
export function hciAdvReport(addr: string, addrType: number, eventType: number, data: Bytes, rssi: number): Bytes {
  const report = concat(Uint8Array.of(eventType, addrType), addrLe(addr), Uint8Array.of(data.length), data, Uint8Array.of(rssi & 0xff));
  const params = concat(Uint8Array.of(0x02, 1), report);
  return concat(Uint8Array.of(0, 0, 0, 1, 4, 0x3e, params.length), params);
}
