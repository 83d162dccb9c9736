/**
 * BLE traffic for the ward generator, as the nRF Sniffer would record it
 * (LINKTYPE_NORDIC_BLE 272): health devices advertising their standard
 * services (thermometers 0x1809, pulse oximeters 0x1822, BP cuffs 0x1810,
 * CGMs 0x181F) and one vendor-only device; phones rotating resolvable
 * private addresses every few minutes with the same payload; one followed
 * connection to a BP cuff with characteristic discovery and Device
 * Information reads (manufacturer, model, serial, firmware) and a legacy
 * Just Works pairing; and, at the end, an injected spoof: a second address
 * advertising the first thermometer's name with a different payload.
 *
 * Deterministic for a seed. `bleWardFrames` returns the frames;
 * `writeBleWardCapture` writes them as a pcap file.
 */
import { writeFileSync } from 'node:fs';
import { pcapFile } from '../../src/capture/pcap/writer.js';
import { concat } from '../../test/builders/frames.js';
import { adFlags, adManufacturer, adName, adUuid16, advPdu, connectInd, dataL2cap, nordic } from '../../test/builders/ble.js';

export interface BleWardOptions {
  readonly seed?: number;
  /** Seconds of capture; advertising every second per device. */
  readonly seconds?: number;
  /** Capture start, epoch seconds. */
  readonly start?: number;
}

export interface BleFrame {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly bytes: Uint8Array;
}

/** The devices, for the tests that check what the inventory makes of them. */
export const BLE_WARD_DEVICES = [
  { address: 'c4:7c:8d:00:10:01', service: 0x1809, name: 'Thermo 1', class: 'wearable' },
  { address: 'c4:7c:8d:00:10:02', service: 0x1822, name: 'PulseOx 2', class: 'wearable' },
  { address: 'c4:7c:8d:00:10:03', service: 0x1810, name: 'BP cuff 3', class: 'wearable' },
  { address: 'c4:7c:8d:00:10:04', service: 0x181f, name: 'CGM 4', class: 'wearable' },
] as const;
export const BLE_WARD_DIS = { manufacturer: 'Ward Medical', model: 'BP-300', serial: 'SN0003', firmware: '2.1.4' } as const;
export const BLE_WARD_SPOOFER = 'c4:7c:8d:00:66:66';
const CUFF = BLE_WARD_DEVICES[2].address;
const AA = 0x6a5b4c3d;

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** A resolvable private address: top bits 0b01, the rest random (Core Spec Vol 6 Part B §1.3.2.2). */
function rpa(r: () => number): string {
  const b = Array.from({ length: 6 }, () => Math.floor(r() * 256));
  b[0] = (b[0]! & 0x3f) | 0x40;
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

const te = new TextEncoder();
const u16 = (v: number): number[] => [v & 0xff, v >>> 8];

export function bleWardFrames(o: BleWardOptions = {}): BleFrame[] {
  const r = prng(o.seed ?? 1);
  const seconds = o.seconds ?? 600;
  const start = o.start ?? 1_764_547_200;
  const out: BleFrame[] = [];
  let counter = 0;
  const push = (t: number, ll: Uint8Array, opt: Parameters<typeof nordic>[0] = {}): void => {
    out.push({ tsSec: start + Math.floor(t), tsNsec: Math.floor((t % 1) * 1e9), bytes: nordic({ counter: counter++ & 0xffff, channel: 37 + (counter % 3), rssi: -40 - Math.floor(r() * 50), ...opt }, ll) });
  };
  const phones = [0, 1, 2].map(() => ({ addr: rpa(r), company: 0x004c }));
  for (let s = 0; s < seconds; s++) {
    for (const d of BLE_WARD_DEVICES) push(s + r() * 0.5, advPdu({ advA: d.address, data: concat(adFlags(), adUuid16(d.service, 0x180f), adName(d.name)) }));
    // A vendor-only device (Sense-U style baby monitor: name and 16-bit vendor UUID).
    push(s + 0.6, advPdu({ advA: 'e6:e3:e3:40:b8:c3', random: true, data: concat(adFlags(), adUuid16(0xca20), adName('Sense-U Baby')) }));
    for (const p of phones) {
      if (s > 0 && s % 240 === 0) p.addr = rpa(r);
      push(s + 0.7, advPdu({ advA: p.addr, random: true, data: concat(adFlags(0x1a), adManufacturer(p.company, [0x10, 0x05, 0x01, Math.floor(r() * 256)])) }));
    }
    if (s === 30) {
      // The gateway connects to the cuff and reads its Device Information.
      let t = s + 0.8;
      const c = (ll: Uint8Array, fromCentral: boolean): void => push((t += 0.01), ll, { id: 6, flags: fromCentral ? 0x02 : 0, channel: 10 });
      push(t, connectInd('c0:ff:ee:00:00:01', CUFF, AA));
      const chars: [number, number][] = [[0x0020, 0x2a29], [0x0022, 0x2a24], [0x0024, 0x2a25], [0x0026, 0x2a26], [0x0030, 0x2a35]];
      c(dataL2cap(AA, 4, Uint8Array.from([0x08, ...u16(1), ...u16(0xffff), ...u16(0x2803)])), true);
      c(dataL2cap(AA, 4, Uint8Array.from([0x09, 7, ...chars.flatMap(([h, u]) => [...u16(h - 1), 0x02, ...u16(h), ...u16(u)])])), false);
      const values = [BLE_WARD_DIS.manufacturer, BLE_WARD_DIS.model, BLE_WARD_DIS.serial, BLE_WARD_DIS.firmware];
      values.forEach((v, i) => {
        c(dataL2cap(AA, 4, Uint8Array.from([0x0a, ...u16(chars[i]![0])])), true);
        c(dataL2cap(AA, 4, Uint8Array.from([0x0b, ...te.encode(v)])), false);
      });
      // Legacy Just Works pairing (no MITM, no SC).
      c(dataL2cap(AA, 6, Uint8Array.from([0x01, 0x03, 0x00, 0x01, 0x10, 0x07, 0x07])), true);
      c(dataL2cap(AA, 6, Uint8Array.from([0x02, 0x03, 0x00, 0x01, 0x10, 0x07, 0x07])), false);
    }
  }
  // The injected spoof: the first thermometer's name from another address, with another payload.
  push(seconds - 1 + 0.9, advPdu({ advA: BLE_WARD_SPOOFER, data: concat(adFlags(), adName(BLE_WARD_DEVICES[0].name)) }));
  out.sort((a, b) => a.tsSec - b.tsSec || a.tsNsec - b.tsNsec);
  return out;
}

export function writeBleWardCapture(path: string, o: BleWardOptions = {}): number {
  const frames = bleWardFrames(o);
  writeFileSync(path, pcapFile(272, frames));
  return frames.length;
}
