/**
 * The BLE sighting source (src/analyze/inventory/sighting.ts): advertisers
 * from LL advertising PDUs and HCI advertising reports become devices
 * `{kind: 'ble', value: address, extra: address type}`; what they advertise
 * becomes facts (ble.service, ble.company, ble.name, ble.appearance) and
 * attributes with evidence (vendor from the company id, class from a health
 * service, src/identify/ble-rules.ts); a followed connection adds Device
 * Information strings, Battery Level and the pairing method.
 *
 * Bad-CRC frames are never believed: nothing they say reaches the
 * inventory (the BLE analyzer counts them). Private addresses:
 *   - a resolvable one that a configured IRK resolves becomes its identity;
 *   - otherwise resolvable and non-resolvable addresses are merged by
 *     payload shape (RandomMerge): confidence 2, "probably the same device
 *     or a crowd of identical ones", capped and aged; the device is
 *     `ephemeral`, so the inventory keeps it in its capped pool.
 */
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { Fact, Sighting, SightingSource } from '../inventory/sighting.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import { BleAddressType, type Identifier } from '../../telemetry/ident.js';
import { bleCompanyName, classifyBle } from '../../identify/ble-rules.js';
import { advertsOf, type Advert } from './frame.js';
import { BleConnections, DIS_CHARACTERISTICS, type ConnEvent, type Peer } from './connections.js';
import { RandomMerge } from './merge.js';
import type { RpaResolver } from './rpa.js';
import type { OuiRegistry } from '../../identify/oui.js';

export interface BleSightingOptions {
  readonly maxConnections: number;
  readonly maxRandom: number;
  readonly randomAgeS: number;
  readonly resolver: RpaResolver;
  /** IEEE registry: a public BLE address is an EUI-48 whose OUI names the maker (Core Spec Vol 6 Part B §1.3.1). */
  readonly oui?: OuiRegistry;
  /** Advertisements remembered as already turned into facts (default 8192). */
  readonly maxRecent?: number;
}

/**
 * An advertiser repeats the same payload many times a second. Its facts and
 * attributes are built and applied again only when the payload changes or
 * after this long; in between the frame only counts (frames, last seen).
 */
export const BLE_REFRESH_S = 60;

type Attr = readonly [AttributeName, Observation];

export class BleSightingSource implements SightingSource {
  readonly name = 'ble';
  readonly layers = ['btle', 'hci_evt', 'att', 'smp'] as const;
  readonly conns: BleConnections;
  readonly merge: RandomMerge;
  /** Frames whose CRC was bad: not believed. */
  crcBad = 0;
  /** Advertisements forgotten from `recent` to stay under its cap. */
  recentEvicted = 0;
  private readonly resolver: RpaResolver;
  private readonly oui: OuiRegistry | undefined;
  /** `subject|address type|shape` → when its facts were last emitted; insertion order is age. */
  private readonly recent = new Map<string, number>();
  private readonly maxRecent: number;

  constructor(opts: BleSightingOptions) {
    this.conns = new BleConnections(opts.maxConnections);
    this.merge = new RandomMerge(opts.maxRandom, opts.randomAgeS);
    this.resolver = opts.resolver;
    this.oui = opts.oui;
    this.maxRecent = opts.maxRecent ?? 8192;
  }

  gauges(): Readonly<Record<string, number>> {
    return {
      random_shapes: this.merge.size, random_merged: this.merge.merged, random_evicted: this.merge.evicted,
      recent: this.recent.size, recent_evicted: this.recentEvicted, crc_bad: this.crcBad,
    };
  }

  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    // The inventory calls once per layer this source reads. An LL frame is read at its btle layer, an
    // HCI event at hci_evt; an HCI ACL frame has neither, so it is read at its att or smp layer.
    if ((layer.name === 'att' || layer.name === 'smp') && frame.layers[0]?.name !== 'hci_h4' && frame.layers[0]?.name !== 'hci_mon') return;
    const raw = frame.raw;
    for (const a of advertsOf(frame)) {
      if (a.crc === 'bad') {
        this.crcBad++;
        continue;
      }
      this.advert(a, raw.tsSec, raw.source, emit);
    }
    if (crcGood(frame)) this.conns.onFrame(frame, (e) => this.connEvent(e, raw.tsSec, raw.source, emit));
  }

  /** The identifier an advertiser is filed under: its identity when resolved, the merged address when private. */
  subject(address: string, type: number, shape: string, now: number): { id: Identifier; ephemeral: boolean } {
    if (type === BleAddressType.resolvable) {
      const k = this.resolver.resolve(address);
      if (k !== undefined) return { id: { kind: 'ble', value: k.identity, extra: k.identityType }, ephemeral: false };
    }
    if (type === BleAddressType.resolvable || type === BleAddressType.nonResolvable) {
      const rep = this.merge.representative(address, shape, now);
      return { id: { kind: 'ble', value: rep, extra: type }, ephemeral: true };
    }
    return { id: { kind: 'ble', value: address, extra: type }, ephemeral: false };
  }

  private advert(a: Advert, now: number, source: string, emit: (s: Sighting) => void): void {
    const ad = a.ad;
    const shape = shapeOf(a);
    const { id, ephemeral } = this.subject(a.address, a.addressType, shape, now);
    if (this.seenRecently(`${id.value}|${a.addressType}|${shape}`, now)) {
      emit(ephemeral ? { subject: id, ephemeral: true } : { subject: id });
      return;
    }
    const facts: Fact[] = [];
    const attrs: Attr[] = [];
    const obs = (value: string, field: string, confidence: number): Observation => ({ value, proto: 'ble', field, time: now, confidence, source });
    for (const s of ad.services) facts.push({ key: 'ble.service', value: s });
    for (const c of ad.companies) {
      facts.push({ key: 'ble.company', value: String(c) });
      const name = bleCompanyName(c);
      // Manufacturer data names the company that registered the format, usually the maker (confidence 2: a phone app's beacon is Apple's).
      if (name !== undefined) attrs.push(['vendor', obs(name, `company 0x${c.toString(16).padStart(4, '0')}`, 2)]);
    }
    if (a.addressType === BleAddressType.public && this.oui !== undefined) {
      const v = this.oui.lookup(parseInt(a.address.replaceAll(':', ''), 16));
      if (v !== undefined) attrs.push(['vendor', { value: v, proto: 'oui', field: 'ble public address', time: now, confidence: 2, source }]);
    }
    if (ad.name !== '') facts.push({ key: 'ble.name', value: ad.name });
    if (ad.appearance >= 0) facts.push({ key: 'ble.appearance', value: String(ad.appearance) });
    const cls = classifyBle(ad.services, ad.companies, ad.name);
    if (cls !== undefined) attrs.push(['class', obs(cls.rule.class, cls.field, cls.rule.confidence)]);
    if (ad.services.length > 0) attrs.push(['services', obs(ad.services.slice(0, 8).join(','), 'service uuids', 3)]);
    const s: Sighting = { subject: id, ...(ephemeral ? { ephemeral: true } : {}), ...(facts.length > 0 ? { facts } : {}), ...(attrs.length > 0 ? { attrs } : {}) };
    emit(s);
  }

  /** True when this advertisement's facts went out less than BLE_REFRESH_S ago; otherwise notes that they go out now. */
  private seenRecently(key: string, now: number): boolean {
    const last = this.recent.get(key);
    if (last !== undefined && now >= last && now - last < BLE_REFRESH_S) return true;
    this.recent.delete(key);
    this.recent.set(key, now);
    if (this.recent.size > this.maxRecent) {
      this.recent.delete(this.recent.keys().next().value!);
      this.recentEvicted++;
    }
    return false;
  }

  private connEvent(e: ConnEvent, now: number, source: string, emit: (s: Sighting) => void): void {
    const obs = (value: string, field: string, confidence: number): Observation => ({ value, proto: 'ble', field, time: now, confidence, source });
    const peer = (p: Peer): Identifier => this.subject(p.address, p.addressType, '', now).id;
    switch (e.kind) {
      case 'dis': {
        const d = DIS_CHARACTERISTICS.get(e.uuid)!;
        const attrs: Attr[] = d.attr === undefined ? [] : [[d.attr, obs(e.value, `gatt 0x${e.uuid}`, 4)]];
        emit({ subject: peer(e.peer), counts: false, facts: [{ key: d.fact, value: e.value }], attrs });
        break;
      }
      case 'battery':
        emit({ subject: peer(e.peer), counts: false, attrs: [['battery', obs(String(e.level), 'gatt 0x2a19', 4)]] });
        break;
      case 'pairing':
        emit({ subject: peer(e.peer), counts: false, attrs: [['pairing', obs(e.method, 'smp pairing', 4)]] });
        break;
      default:
        break;
    }
  }
}

/** True unless a radio header says the CRC failed (HCI frames passed the controller's check). */
function crcGood(frame: DecodedFrame): boolean {
  const l = frame.layers[0];
  if (l?.name === 'nordic_ble') return ((l as unknown as { crcOk: boolean }).crcOk);
  if (l?.name === 'btle_rf') return (l as unknown as { crcStatus: string }).crcStatus !== 'bad';
  return true;
}

/**
 * The payload shape of an advertisement: the PDU kind, the AD flags, the
 * services, company ids, name and appearance (not the manufacturer data
 * bytes, which rotate with the address on phones and trackers).
 */
export function shapeOf(a: Advert): string {
  const ad = a.ad;
  return `${a.pdu}|${ad.flags}|${ad.services.join(',')}|${ad.companies.join(',')}|${ad.name}|${ad.appearance}|${ad.txPower ?? ''}`;
}
