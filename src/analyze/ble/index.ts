/**
 * The BLE analyzer: alerts from what advertisers and followed connections
 * do (src/alerts/defs/ble.ts, ids 3000-3099). The inventory learns the
 * devices through the BLE sighting source (sighting.ts); this analyzer
 * keeps only what its checks need, bounded:
 *   - advertisers tracked (last seen, medical or not, payload shape, name),
 *     at most `maxTracked`, least recently seen evicted and counted;
 *   - names of public and static advertisers, for spoofing, same cap;
 *   - connections followed (connections.ts), at most `maxConnections`.
 * Bad-CRC frames are counted (`ble.crc_bad`) and otherwise ignored. Time is
 * the capture's (frame timestamps), so a replay raises what live would.
 */
import type { Analyzer, Sink } from '../types.js';
import type { DecodedFrame } from '../../decode/types.js';
import type { Config } from '../../config/index.js';
import { identifierKey } from '../../telemetry/ident.js';
import { HEALTH_SERVICE_UUIDS } from '../../identify/ble-rules.js';
import { LEGACY_ADV_DATA_MAX } from '../../decode/btle/consts.js';
import { advertsOf, type Advert } from './frame.js';
import { BleConnections, HEALTH_MEASUREMENTS, type ConnEvent } from './connections.js';
import { shapeOf } from './sighting.js';

export interface BleAnalyzerOptions {
  readonly maxTracked: number;
  readonly maxConnections: number;
  readonly floodNewPerMinute: number;
  readonly silentAfterS: number;
}

export function bleAnalyzerOptions(c: Config): BleAnalyzerOptions {
  return { maxTracked: c.ble.max_tracked, maxConnections: c.ble.max_connections, floodNewPerMinute: c.ble.flood_new_per_minute, silentAfterS: c.ble.silent_after_s };
}

interface Tracked {
  last: number;
  medical: boolean;
  silentAlerted: boolean;
  readonly type: number;
}

const BLE_FIRST_LAYERS: ReadonlySet<string> = new Set(['nordic_ble', 'btle_rf', 'btle', 'ppi', 'hci_h4', 'hci_mon']);

export class BleAnalyzer implements Analyzer {
  readonly name = 'ble';
  private readonly tracked = new Map<string, Tracked>();
  private readonly names = new Map<string, { address: string; shape: string }>();
  private readonly conns: BleConnections;
  private clock = 0;
  private minute = -1;
  private newThisMinute = 0;
  private privateThisMinute = 0;
  private floodAlerted = false;
  private evicted = 0;
  private crcBad = 0;

  constructor(private opts: BleAnalyzerOptions) {
    this.conns = new BleConnections(opts.maxConnections);
  }

  onFrame(frame: DecodedFrame, out: Sink): void {
    const first = frame.layers[0];
    if (first === undefined || !BLE_FIRST_LAYERS.has(first.name)) return;
    const now = frame.raw.tsSec;
    if (now > this.clock) {
      this.clock = now;
      this.checkSilence(out);
    }
    let good = true;
    for (const a of advertsOf(frame)) {
      if (a.crc === 'bad') {
        this.crcBad++;
        out.count('ble.crc_bad');
        good = false;
        continue;
      }
      this.advert(a, now, out);
    }
    if (good && !(first.name === 'nordic_ble' && !(first as unknown as { crcOk: boolean }).crcOk)) {
      this.conns.onFrame(frame, (e) => this.connEvent(e, now, out));
    }
  }

  onTick(_nowSec: number, out: Sink): void {
    this.checkSilence(out);
  }

  reconfigure(config: Config): readonly string[] {
    const o = bleAnalyzerOptions(config);
    const fixed = o.maxConnections !== this.opts.maxConnections ? ['ble.max_connections'] : [];
    this.opts = { ...o, maxConnections: this.opts.maxConnections };
    return fixed;
  }

  gauges(): Readonly<Record<string, number>> {
    return { tracked: this.tracked.size, names: this.names.size, connections: this.conns.size, evicted: this.evicted + this.conns.evicted, crc_bad: this.crcBad };
  }

  private key(address: string, type: number): string {
    return identifierKey({ kind: 'ble', value: address, extra: type });
  }

  private advert(a: Advert, now: number, out: Sink): void {
    const key = this.key(a.address, a.addressType);
    let t = this.tracked.get(key);
    if (t === undefined) {
      this.countNew(a, now, out);
      this.bound(this.tracked);
      t = { last: now, medical: false, silentAlerted: false, type: a.addressType };
    } else this.tracked.delete(key);
    t.last = Math.max(t.last, now);
    t.silentAlerted = false;
    if (!t.medical && a.ad.services.some((s) => HEALTH_SERVICE_UUIDS.has(s))) t.medical = true;
    this.tracked.set(key, t);
    if ((a.legacy && a.adLength > LEGACY_ADV_DATA_MAX) || a.ad.problem === 'ad.bad_length') {
      out.alert({ code: 'ble.malformed_advertising', device: key, time: now, facts: { pdu: a.pdu, data_length: a.adLength, problem: a.ad.problem || 'oversized', longest_structure: a.ad.longest } });
    }
    if (a.ad.name !== '') this.checkName(a, key, now, out);
  }

  private checkName(a: Advert, key: string, now: number, out: Sink): void {
    const known = this.names.get(a.ad.name);
    if (known === undefined) {
      // Only stable addresses establish a name's owner; private ones rotate by design.
      if (a.addressType === 0 || a.addressType === 1) {
        this.bound(this.names);
        this.names.set(a.ad.name, { address: a.address, shape: shapeOf(a) });
      }
      return;
    }
    // The owner repeating itself (the common case) needs no shape.
    if (known.address === a.address) return;
    const shape = shapeOf(a);
    if (known.shape.slice(known.shape.indexOf('|')) !== shape.slice(shape.indexOf('|'))) {
      out.alert({ code: 'ble.spoofed_identity', device: key, time: now, facts: { name: a.ad.name, original: known.address, address: a.address, pdu: a.pdu } });
    }
  }

  private countNew(a: Advert, now: number, out: Sink): void {
    const m = Math.floor(now / 60);
    if (m !== this.minute) {
      this.minute = m;
      this.newThisMinute = 0;
      this.privateThisMinute = 0;
      this.floodAlerted = false;
    }
    this.newThisMinute++;
    if (a.addressType >= 2) this.privateThisMinute++;
    if (!this.floodAlerted && this.newThisMinute > this.opts.floodNewPerMinute) {
      this.floodAlerted = true;
      out.alert({ code: 'ble.advertising_flood', device: 'ble:flood', time: now, facts: { new_addresses: this.newThisMinute, private_share: Math.round((100 * this.privateThisMinute) / this.newThisMinute) } });
    }
  }

  private connEvent(e: ConnEvent, now: number, out: Sink): void {
    if (e.kind === 'pairing') {
      const t = this.tracked.get(this.key(e.peer.address, e.peer.addressType));
      if (t?.medical === true && (e.method.startsWith('legacy') || e.method.endsWith('Just Works'))) {
        out.alert({ code: 'ble.weak_pairing_medical', device: this.key(e.peer.address, e.peer.addressType), time: now, facts: { method: e.method } });
      }
    } else if (e.kind === 'measurement' && !e.encrypted) {
      out.alert({ code: 'ble.cleartext_health_data', device: this.key(e.peer.address, e.peer.addressType), time: now, facts: { characteristic: `0x${e.uuid}`, name: HEALTH_MEASUREMENTS.get(e.uuid) ?? '' } });
    }
  }

  private checkSilence(out: Sink): void {
    const limit = this.clock - this.opts.silentAfterS;
    for (const [key, t] of this.tracked) {
      // The map is in last-seen order: the first device heard recently ends the scan.
      if (t.last > limit) break;
      if (t.medical && !t.silentAlerted) {
        t.silentAlerted = true;
        out.alert({ code: 'ble.medical_silent', device: key, time: this.clock, facts: { last_seen: t.last, silent_s: this.clock - t.last } });
      }
    }
  }

  private bound(m: Map<string, unknown>): void {
    while (m.size >= this.opts.maxTracked) {
      const oldest = m.keys().next().value;
      if (oldest === undefined) break;
      m.delete(oldest);
      this.evicted++;
    }
  }
}
