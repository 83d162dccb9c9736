/**
 * The zigbee sighting source (src/analyze/inventory/sighting.ts): every
 * believed 802.15.4 frame names its sender, by extended address
 * (`ieee802154`) or short address on its PAN (`ieee802154Short`), and
 * Zigbee headers that pair the two make them one device. Attributes and
 * facts come from what the frame says about its sender or a named node:
 *
 * - MAC: associated PAN, channel, role `coordinator` (beacon with the PAN
 *   Coordinator bit, IEEE 802.15.4-2020 §7.3.1.2), vendor from the OUI of
 *   the extended address (IEEE registry, where it is public);
 * - ZDO Device Announce (R22 §2.4.3.1.11): IEEE + short, role from the
 *   capability; Node Descriptor response: logical type, manufacturer code
 *   (name from the generated table), `zigbee.manufacturer_code`; Power
 *   Descriptor: battery level; Simple Descriptor: `zigbee.device_id`;
 * - ZCL Basic (ZCL §3.2.2.2): ManufacturerName (vendor), ModelIdentifier
 *   (model), SWBuildID (software), PowerSource; Power Configuration
 *   battery percentage (§3.3.2.2.3).
 *
 * Only frames whose FCS is good (or that carry none) are read.
 */
import type { DecodedFrame, Layer } from '../../decode/types.js';
import { eui64Hex, shortHex } from '../../decode/ieee802154/index.js';
import { medtronicPumpBeacon } from './pump.js';
import { FrameType } from '../../decode/ieee802154/consts.js';
import { zdoInfo } from '../../decode/zigbee-zdo/index.js';
import { ZDO_DEVICE_ANNCE, ZDO_NODE_DESC_RSP, ZDO_POWER_DESC_RSP, ZDO_SIMPLE_DESC_RSP, LOGICAL_TYPES } from '../../decode/zigbee-zdo/consts.js';
import { zclAttributes } from '../../decode/zigbee-zcl/index.js';
import { BASIC, CLUSTER_BASIC, CLUSTER_POWER_CONFIG, GlobalCommand, POWER_CONFIG, POWER_SOURCE_NAMES } from '../../decode/zigbee-zcl/consts.js';
import type { OuiRegistry } from '../../identify/oui.js';
import { zigbeeManufacturer } from '../../identify/zigbee-manufacturers.js';
import type { Identifier } from '../../telemetry/ident.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import type { Fact, Sighting, SightingSource } from '../inventory/sighting.js';
import { Confidence } from '../inventory/identity.js';
import type { ZigbeeContext } from './context.js';

type Attr = readonly [AttributeName, Observation];

export function ieeeId(hex16: string): Identifier {
  return { kind: 'ieee802154', value: hex16 };
}

export function shortId(short: number, pan: number): Identifier {
  return { kind: 'ieee802154Short', value: shortHex(short), extra: pan };
}

/** The 48-bit number the OUI registry reads from the first 6 bytes of an EUI-64 (the OUI, MA-M, MA-S prefixes). */
function ouiKey(hex16: string): number {
  return parseInt(hex16.slice(0, 12), 16);
}

export class ZigbeeSightingSource implements SightingSource {
  readonly name = 'zigbee';
  readonly layers = ['ieee802154'] as const;

  constructor(private readonly ctx: ZigbeeContext, private readonly oui?: OuiRegistry) {}

  extract(_layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const o = this.ctx.opener.open(frame);
    const mac = o.mac;
    if (mac === undefined) return;
    const raw = frame.raw;
    const ev = (proto: string, field: string, value: string, confidence: number): Observation => ({
      value, proto, field, time: raw.tsSec, confidence, source: raw.source,
    });
    const pan = mac.srcPan >= 0 && mac.srcPan !== 0xffff ? mac.srcPan : mac.dstPan;
    // The MAC sender.
    const src64 = mac.src64;
    const nwk = o.nwk;
    let subject: Identifier | undefined;
    const also: Identifier[] = [];
    if (src64 !== undefined) {
      subject = ieeeId(src64);
    } else if (mac.src16 >= 0 && pan >= 0) {
      // A short address the keyring has paired with an IEEE address names that device (one record, not two).
      const known = this.ctx.keyring.lookup(pan, mac.src16);
      subject = known !== undefined ? ieeeId(eui64Hex(known, 0)) : shortId(mac.src16, pan);
      if (known !== undefined) also.push(shortId(mac.src16, pan));
    }
    if (subject === undefined) return;
    const attrs: Attr[] = [];
    if (pan >= 0 && pan !== 0xffff) attrs.push(['associated', ev('ieee802154', 'pan_id', shortHex(pan), Confidence.strong)]);
    if (raw.meta.channel !== undefined) attrs.push(['channel', ev('ieee802154', 'channel', String(raw.meta.channel), Confidence.strong)]);
    if (mac.frameType === FrameType.beacon && mac.panCoordinator) attrs.push(['role', ev('ieee802154', 'superframe.pan_coordinator', 'coordinator', Confidence.strong)]);
    if (src64 !== undefined && this.oui !== undefined) {
      const v = this.oui.lookup(ouiKey(src64));
      if (v !== undefined && v !== 'Private') attrs.push(['vendor', ev('oui', 'ieee802154.src64', v, Confidence.medium)]);
    }
    if (medtronicPumpBeacon(mac) >= 0) {
      // The 600-series rule (pump.ts): weak-to-medium evidence, from frame patterns only.
      attrs.push(['vendor', ev('ieee802154', 'beacon.medtronic_600', 'Medtronic', Confidence.medium)]);
      attrs.push(['model', ev('ieee802154', 'beacon.medtronic_600', 'MiniMed 600 series', Confidence.weak)]);
      attrs.push(['class', ev('ieee802154', 'beacon.medtronic_600', 'insulin-pump', Confidence.medium)]);
    }
    emit({ subject, also, attrs });
    // The NWK originator, when its header pairs short and IEEE (R22 §3.3.1.7).
    if (nwk !== undefined && nwk.src64 !== undefined && nwk.src >= 0 && pan >= 0) {
      emit({ subject: ieeeId(nwk.src64), also: [shortId(nwk.src, pan)], counts: false });
    }
    if (o.zdo !== undefined && o.aps !== undefined && nwk !== undefined && pan >= 0) this.zdo(o.aps.cluster, o.zdo, nwk.src, pan, ev, emit);
    if (o.zcl !== undefined && o.aps !== undefined && nwk !== undefined && pan >= 0) {
      this.zcl(o.aps.cluster, o.zcl, nwk.src, pan, ev, emit);
    }
  }

  private zdo(cluster: number, zdo: { bytes: Uint8Array; payloadOffset: number; payloadEnd: number }, nwkSrc: number, pan: number,
    ev: (p: string, f: string, v: string, c: number) => Observation, emit: (s: Sighting) => void): void {
    const info = zdoInfo(cluster, zdo.bytes, zdo.payloadOffset, zdo.payloadEnd);
    if (info === undefined) return;
    const attrs: Attr[] = [];
    const facts: Fact[] = [];
    if (cluster === ZDO_DEVICE_ANNCE && info.ieee !== undefined && info.nwkAddr !== undefined) {
      const cap = info.capability ?? 0;
      attrs.push(['role', ev('zigbee-zdo', 'device_annce.capability', cap & 0x02 ? 'router' : 'end_device', Confidence.strong)]);
      facts.push({ key: 'zigbee.power_source', value: cap & 0x04 ? 'mains' : 'battery' });
      emit({ subject: ieeeId(info.ieee), also: [shortId(info.nwkAddr, pan)], attrs, facts, counts: false });
      return;
    }
    // Responses describe the node at nwkAddr of interest, sent by that node (R22 §2.4.4.2.3-5).
    if (info.status !== 0 || info.nwkAddr === undefined) return;
    const subject = shortId(info.nwkAddr, pan);
    if (cluster === ZDO_NODE_DESC_RSP && info.manufacturerCode !== undefined) {
      const lt = LOGICAL_TYPES[info.logicalType ?? 9];
      if (lt !== undefined) attrs.push(['role', ev('zigbee-zdo', 'node_desc.logical_type', lt, Confidence.certain)]);
      facts.push({ key: 'zigbee.manufacturer_code', value: String(info.manufacturerCode) });
      const name = zigbeeManufacturer(info.manufacturerCode);
      if (name !== undefined) {
        facts.push({ key: 'zigbee.manufacturer_name', value: name });
        attrs.push(['vendor', ev('zigbee-zdo', 'node_desc.manufacturer_code', name, Confidence.strong)]);
      }
    } else if (cluster === ZDO_POWER_DESC_RSP && info.powerLevel !== undefined) {
      const cur = info.currentPowerSource ?? 0;
      facts.push({ key: 'zigbee.power_source', value: cur & 1 ? 'mains' : 'battery' });
      // Level: 0 critical, 4 = 33 %, 8 = 66 %, 12 = 100 % (§2.3.2.4.4).
      if ((cur & 1) === 0) attrs.push(['battery', ev('zigbee-zdo', 'power_desc.level', String(Math.round((info.powerLevel / 12) * 100)), Confidence.medium)]);
    } else if (cluster === ZDO_SIMPLE_DESC_RSP && info.profile !== undefined && info.deviceId !== undefined) {
      facts.push({ key: 'zigbee.device_id', value: `${info.profile.toString(16).padStart(4, '0')}:${info.deviceId.toString(16).padStart(4, '0')}` });
    }
    if (attrs.length > 0 || facts.length > 0) emit({ subject, attrs, facts, counts: false });
  }

  private zcl(cluster: number, zcl: { bytes: Uint8Array; payloadOffset: number; payloadEnd: number; frameType: number; manufacturerSpecific: boolean; command: number },
    nwkSrc: number, pan: number, ev: (p: string, f: string, v: string, c: number) => Observation, emit: (s: Sighting) => void): void {
    if (zcl.frameType !== 0 || zcl.manufacturerSpecific || nwkSrc < 0) return;
    if (cluster !== CLUSTER_BASIC && cluster !== CLUSTER_POWER_CONFIG) return;
    if (zcl.command !== GlobalCommand.readAttributesResponse && zcl.command !== GlobalCommand.reportAttributes) return;
    const attrs: Attr[] = [];
    const facts: Fact[] = [];
    for (const a of zclAttributes(zcl.command, zcl.bytes, zcl.payloadOffset, zcl.payloadEnd)) {
      if (a.value === undefined) continue;
      if (cluster === CLUSTER_BASIC) {
        const text = typeof a.value === 'string' ? a.value.replace(/[\x00-\x1f\x7f]/g, '').trim() : '';
        if (a.id === BASIC.manufacturerName && text !== '') {
          attrs.push(['vendor', ev('zigbee-zcl', 'basic.manufacturer_name', text, Confidence.strong)]);
          facts.push({ key: 'zigbee.manufacturer_name', value: text });
        } else if (a.id === BASIC.modelIdentifier && text !== '') {
          attrs.push(['model', ev('zigbee-zcl', 'basic.model_identifier', text, Confidence.strong)]);
          facts.push({ key: 'zigbee.model', value: text });
        } else if (a.id === BASIC.swBuildId && text !== '') {
          attrs.push(['software', ev('zigbee-zcl', 'basic.sw_build_id', text, Confidence.strong)]);
          facts.push({ key: 'zigbee.sw_build', value: text });
        } else if (a.id === BASIC.powerSource && typeof a.value === 'number') {
          const n = POWER_SOURCE_NAMES[a.value & 0x7f];
          if (n !== undefined) facts.push({ key: 'zigbee.power_source', value: n });
        }
      } else if (a.id === POWER_CONFIG.batteryPercentageRemaining && typeof a.value === 'number' && a.value !== 0xff) {
        attrs.push(['battery', ev('zigbee-zcl', 'power_config.battery_percentage_remaining', String(Math.min(100, a.value / 2)), Confidence.strong)]);
      } else if (a.id === POWER_CONFIG.batteryVoltage && typeof a.value === 'number' && a.value !== 0xff) {
        facts.push({ key: 'zigbee.battery_voltage', value: (a.value / 10).toFixed(1) });
      }
    }
    if (attrs.length > 0 || facts.length > 0) emit({ subject: shortId(nwkSrc, pan), attrs, facts, counts: false });
  }
}
