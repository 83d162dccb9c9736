/**
 * Follows BLE connections passively, far enough to tell what GATT read and
 * how the devices paired: which peripheral a data PDU belongs to (the
 * CONNECT_IND's access address on LL; the LE Connection Complete's handle
 * on HCI), the characteristic UUID of each handle (from characteristic
 * discovery, Core Spec 5.4 Vol 3 Part G §4.6), the pending read per
 * connection, and the SMP Pairing Request until its Response comes.
 *
 * It yields owned events; values are copied out only for Device Information
 * strings (bounded text) and Battery Level (a number). Health measurement
 * values are never read: the event says which characteristic, no more.
 *
 * Bounded: at most `maxConnections` connections (the oldest goes first,
 * counted in `evicted`), at most MAX_HANDLES handles per connection.
 */
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { BtleView } from '../../decode/btle/index.js';
import { bleAddrString, bleAddrType } from '../../decode/btle/index.js';
import { AttOp, type AttView } from '../../decode/att/index.js';
import { pairingMethod, SmpCode, type PairingParams, type SmpView } from '../../decode/smp/index.js';
import type { HciEvtView } from '../../decode/hci_evt/index.js';
import type { HciAclView } from '../../decode/hci_acl/index.js';
import type { NordicBleView } from '../../decode/nordic_ble/index.js';
import { uuidHex } from '../../decode/btle/ad.js';
import { hciAddrType } from './frame.js';

/** Device Information characteristics (DIS 1.1 §3) and the attribute each feeds. */
export const DIS_CHARACTERISTICS: ReadonlyMap<string, { fact: string; attr: 'vendor' | 'model' | 'serial' | 'firmware' | 'software' | undefined }> = new Map([
  ['2a29', { fact: 'ble.dis.manufacturer', attr: 'vendor' }],
  ['2a24', { fact: 'ble.dis.model', attr: 'model' }],
  ['2a25', { fact: 'ble.dis.serial', attr: 'serial' }],
  ['2a26', { fact: 'ble.dis.firmware', attr: 'firmware' }],
  ['2a28', { fact: 'ble.dis.software', attr: 'software' }],
  ['2a27', { fact: 'ble.dis.hardware', attr: undefined }],
] as const);
export const BATTERY_LEVEL = '2a19';

/** Health measurement characteristics (their service specifications): metadata only. */
export const HEALTH_MEASUREMENTS: ReadonlyMap<string, string> = new Map([
  ['2a37', 'Heart Rate Measurement'], ['2a35', 'Blood Pressure Measurement'], ['2a36', 'Intermediate Cuff Pressure'],
  ['2a1c', 'Temperature Measurement'], ['2a1e', 'Intermediate Temperature'], ['2a18', 'Glucose Measurement'],
  ['2a5e', 'PLX Spot-Check Measurement'], ['2a5f', 'PLX Continuous Measurement'], ['2aa7', 'CGM Measurement'],
  ['2a9d', 'Weight Measurement'], ['2a9c', 'Body Composition Measurement'],
]);

export const MAX_HANDLES = 64;
/** Longest Device Information string kept (the fact cap is 128). */
export const MAX_DIS_TEXT = 64;

export interface Peer {
  readonly address: string;
  readonly addressType: number;
}

export type ConnEvent =
  | { readonly kind: 'connect'; readonly peripheral: Peer; readonly central: Peer | undefined }
  | { readonly kind: 'dis'; readonly peer: Peer; readonly uuid: string; readonly value: string }
  | { readonly kind: 'battery'; readonly peer: Peer; readonly level: number }
  | { readonly kind: 'pairing'; readonly peer: Peer; readonly method: string }
  | { readonly kind: 'measurement'; readonly peer: Peer; readonly uuid: string; readonly encrypted: boolean };

interface Conn {
  readonly peer: Peer;
  readonly handles: Map<number, string>;
  pendingRead: number;
  pendingType: string;
  pairingReq: PairingParams | undefined;
  encrypted: boolean;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export class BleConnections {
  /** Connections forgotten to stay under the cap. */
  evicted = 0;
  private readonly byKey = new Map<string, Conn>();

  constructor(private readonly maxConnections: number) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Reads one frame; calls `emit` for what it proves. */
  onFrame(frame: DecodedFrame, emit: (e: ConnEvent) => void): void {
    const ls = frame.layers;
    let key: string | undefined;
    let fromCentral = true;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i]!;
      switch (l.name) {
        case 'btle': {
          const b = l as BtleView;
          if (b.isAdvertising) {
            this.connectInd(b, emit);
            return;
          }
          key = `aa:${b.accessAddress}`;
          const radio = ls[0];
          if (radio?.name === 'nordic_ble') {
            const n = radio as NordicBleView;
            fromCentral = (n.flags & 0x02) !== 0;
            if (n.encrypted) {
              const c = this.byKey.get(key);
              if (c !== undefined) c.encrypted = true;
            }
          }
          break;
        }
        case 'hci_evt':
          this.hciEvent(l as HciEvtView, emit);
          return;
        case 'hci_acl':
          key = `h:${(l as HciAclView).handle}`;
          // On HCI the host is the central side when it sends (direction 0).
          fromCentral = (ls[0] as unknown as { direction: number }).direction === 0;
          break;
        case 'att':
          if (key !== undefined) this.att(l as AttView, key, fromCentral, emit);
          return;
        case 'smp':
          if (key !== undefined) this.smp(l as SmpView, key, emit);
          return;
        default:
          break;
      }
    }
  }

  private add(key: string, peer: Peer): void {
    this.byKey.delete(key);
    if (this.byKey.size >= this.maxConnections) {
      const oldest = this.byKey.keys().next().value;
      if (oldest !== undefined) this.byKey.delete(oldest);
      this.evicted++;
    }
    this.byKey.set(key, { peer, handles: new Map(), pendingRead: -1, pendingType: '', pairingReq: undefined, encrypted: false });
  }

  private connectInd(b: BtleView, emit: (e: ConnEvent) => void): void {
    const aa = b.connectAccessAddress;
    const o = b.advAOffset;
    const i = b.initAOffset;
    if (aa === -1 || o < 0 || i < 0) return;
    const peripheral = { address: bleAddrString(b.bytes, o), addressType: bleAddrType(b.rxAdd, b.bytes[o + 5]!) };
    const central = { address: bleAddrString(b.bytes, i), addressType: bleAddrType(b.txAdd, b.bytes[i + 5]!) };
    this.add(`aa:${aa}`, peripheral);
    emit({ kind: 'connect', peripheral, central });
  }

  private hciEvent(e: HciEvtView, emit: (e: ConnEvent) => void): void {
    const c = e.connection;
    if (c !== undefined && c.status === 0) {
      const peer = { address: bleAddrString(e.bytes, c.peerAddressOffset), addressType: hciAddrType(c.peerAddressType, e.bytes[c.peerAddressOffset + 5]!) };
      this.add(`h:${c.handle}`, peer);
      emit({ kind: 'connect', peripheral: peer, central: undefined });
      return;
    }
    const enc = e.encryptionChange;
    if (enc !== undefined) {
      const conn = this.byKey.get(`h:${enc[0]}`);
      if (conn !== undefined) conn.encrypted = enc[1] !== 0;
      return;
    }
    const gone = e.disconnectedHandle;
    if (gone >= 0) this.byKey.delete(`h:${gone}`);
  }

  private att(a: AttView, key: string, fromCentral: boolean, emit: (e: ConnEvent) => void): void {
    const c = this.byKey.get(key);
    if (c === undefined) return;
    const b = a.bytes;
    switch (a.opcode) {
      case AttOp.READ_REQ:
        c.pendingRead = a.handle;
        c.pendingType = '';
        break;
      case AttOp.READ_BY_TYPE_REQ: {
        const u = a.readByTypeUuid16;
        c.pendingType = u >= 0 ? u.toString(16).padStart(4, '0') : '';
        c.pendingRead = -1;
        break;
      }
      case AttOp.READ_BY_TYPE_RSP:
        a.forEachTypeEntry((handle, vo, vl) => {
          if (c.pendingType === '2803') {
            // Characteristic declaration: properties (1), value handle (2), UUID (2 or 16) (Vol 3 Part G §3.3.1).
            if ((vl === 5 || vl === 19) && c.handles.size < MAX_HANDLES) c.handles.set(b[vo + 1]! | (b[vo + 2]! << 8), uuidHex(b, vo + 3, vl - 3));
          } else if (c.pendingType !== '') this.value(c, c.pendingType, b, vo, vl, emit);
          void handle;
        });
        break;
      case AttOp.READ_RSP: {
        const u = c.handles.get(c.pendingRead);
        if (u !== undefined) this.value(c, u, b, a.payloadOffset, a.payloadEnd - a.payloadOffset, emit);
        c.pendingRead = -1;
        break;
      }
      case AttOp.HANDLE_VALUE_NTF:
      case AttOp.HANDLE_VALUE_IND: {
        const u = c.handles.get(a.handle);
        if (u === undefined) break;
        if (HEALTH_MEASUREMENTS.has(u)) emit({ kind: 'measurement', peer: c.peer, uuid: u, encrypted: c.encrypted });
        else if (u === BATTERY_LEVEL) this.value(c, u, b, a.valueOffset, a.payloadEnd - a.valueOffset, emit);
        break;
      }
      default:
        break;
    }
    void fromCentral;
  }

  private value(c: Conn, uuid: string, b: Uint8Array, o: number, n: number, emit: (e: ConnEvent) => void): void {
    if (n <= 0) return;
    if (uuid === BATTERY_LEVEL) {
      if (b[o]! <= 100) emit({ kind: 'battery', peer: c.peer, level: b[o]! });
      return;
    }
    if (!DIS_CHARACTERISTICS.has(uuid)) return;
    let e = o;
    const lim = o + Math.min(n, MAX_DIS_TEXT);
    while (e < lim && b[e] !== 0) e++;
    // eslint-disable-next-line no-control-regex
    const v = decoder.decode(b.subarray(o, e)).replace(/[\u0000-\u001f\u007f]/g, '').trim();
    if (v !== '') emit({ kind: 'dis', peer: c.peer, uuid, value: v });
  }

  private smp(s: SmpView, key: string, emit: (e: ConnEvent) => void): void {
    const c = this.byKey.get(key);
    if (c === undefined || !s.isPairingExchange) return;
    const p = { io: s.ioCapability, oob: s.oobFlag, auth: s.authReq };
    if (s.code === SmpCode.PAIRING_REQUEST) c.pairingReq = p;
    else if (c.pairingReq !== undefined) {
      emit({ kind: 'pairing', peer: c.peer, method: pairingMethod(c.pairingReq, p) });
      c.pairingReq = undefined;
    }
  }
}

/** For tests: the layer list a frame decoded to. */
export function layerNames(ls: readonly Layer[]): string {
  return ls.map((l) => l.name).join('/');
}
