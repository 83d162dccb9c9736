/**
 * The zigbee analyzer: PAN records (PAN id, extended PAN id, channel,
 * coordinator, security on or off) and the Zigbee / 802.15.4 alerts of
 * src/alerts/defs/zigbee.ts. It reads the frames the shared opener has
 * opened (context.ts), so it sees decrypted NWK commands and APS frames
 * when the keyring holds the key. Every table is capped (config
 * `zigbee.max_pans`, `zigbee.max_nodes`) with an eviction counter.
 */
import type { DecodedFrame } from '../../decode/types.js';
import { CMD_ASSOCIATION_REQUEST, CMD_PAN_ID_CONFLICT, FrameType } from '../../decode/ieee802154/consts.js';
import { eui64Hex, shortHex } from '../../decode/ieee802154/index.js';
import { NwkFrameType, NWK_CMD_REJOIN_REQUEST } from '../../decode/zigbee-nwk/consts.js';
import { APS_CMD_UPDATE_DEVICE, ApsFrameType, PROFILE_ZLL } from '../../decode/zigbee-aps/consts.js';
import { zdoInfo } from '../../decode/zigbee-zdo/index.js';
import { ZDO_PERMIT_JOINING_REQ } from '../../decode/zigbee-zdo/consts.js';
import { CLUSTER_TOUCHLINK } from '../../decode/zigbee-zcl/consts.js';
import { identifierKey } from '../../telemetry/ident.js';
import type { Analyzer, Sink } from '../types.js';
import type { ZigbeeContext, ZigbeeOptions } from './context.js';
import { medtronicPumpBeacon } from './pump.js';
import { ieeeId, shortId } from './sighting.js';

/** A PAN as the analyzer knows it (owned data). */
export interface PanRecord {
  readonly pan: number;
  extPan: string | undefined;
  channel: number | undefined;
  /** Identifier key of the device that beacons as PAN coordinator. */
  coordinator: string | undefined;
  /** NWK-secured frames seen on it. */
  secured: boolean;
  /** Last beacon's Association Permit; undefined before one. */
  permit: boolean | undefined;
  /** Epoch seconds until which a permit-join window is open. */
  openUntil: number;
  stormStart: number;
  stormCount: number;
  /** A 600-series pump coordinates it: its peers (identifier keys, capped). */
  pump: boolean;
  readonly peers: Set<string>;
  lastSeen: number;
}

const MAX_PUMP_PEERS = 32;
/** Touchlink commands that start commissioning (ZCL §13.3.2.2): scan, identify, reset, network start/join. */
const TOUCHLINK_STARTS: ReadonlySet<number> = new Set([0x00, 0x06, 0x07, 0x10, 0x12, 0x14]);

export class ZigbeeAnalyzer implements Analyzer {
  readonly name = 'zigbee';
  readonly pans = new Map<number, PanRecord>();
  /** Per secured sender (`<ieee>` or `<short>@<pan>`): key sequence number and last frame counter. */
  private readonly counters = new Map<string, readonly [number, number]>();
  evictedPans = 0;
  evictedNodes = 0;
  private readonly initiators: ReadonlySet<string>;

  constructor(private readonly opts: ZigbeeOptions, private readonly ctx: ZigbeeContext) {
    this.initiators = new Set(opts.touchlinkInitiators);
  }

  onFrame(frame: DecodedFrame, out: Sink): void {
    const o = this.ctx.opener.open(frame);
    const mac = o.mac;
    if (mac === undefined) return;
    const now = frame.raw.tsSec;
    // A device not yet associated sends from PAN 0xffff (IEEE 802.15.4-2020 §6.4.1): the destination's PAN is the one it joins.
    const panId = mac.srcPan >= 0 && mac.srcPan !== 0xffff ? mac.srcPan : mac.dstPan;
    if (panId < 0 || panId === 0xffff) {
      if (o.zcl !== undefined && o.aps?.frameType === ApsFrameType.interPan) this.touchlink(frame, out);
      return;
    }
    const pan = this.pan(panId, now, out);
    const sender = mac.src64 !== undefined ? ieeeId(mac.src64) : mac.src16 >= 0 ? shortId(mac.src16, panId) : undefined;
    const senderKey = sender === undefined ? '' : identifierKey(sender);
    if (frame.raw.meta.channel !== undefined) pan.channel = frame.raw.meta.channel;
    if (o.recoveredKey === 'recovered_cleartext' || o.recoveredKey === 'recovered_default_tc') {
      const c = o.apsCommand;
      out.alert({
        code: o.recoveredKey === 'recovered_cleartext' ? 'zigbee.key_transport_cleartext' : 'zigbee.key_transport_default_tc_key',
        device: c?.dst64 !== undefined ? identifierKey(ieeeId(c.dst64)) : senderKey, time: now,
        facts: { pan: shortHex(panId), key_type: c?.keyType ?? -1, ...(c?.src64 === undefined ? {} : { trust_center: c.src64 }) },
      });
    }
    if (mac.frameType === FrameType.beacon) this.beacon(pan, mac, senderKey, now, out);
    else if (mac.frameType === FrameType.command) {
      const cmd = mac.command;
      if (cmd === CMD_ASSOCIATION_REQUEST) this.join(pan, senderKey, 'association_request', now, out, true);
      else if (cmd === CMD_PAN_ID_CONFLICT) out.alert({ code: 'zigbee.pan_id_conflict', device: senderKey, time: now, facts: { pan: shortHex(panId), via: 'mac_notification' } });
    }
    if (pan.pump && sender !== undefined && senderKey !== pan.coordinator && mac.src64 !== undefined && !pan.peers.has(senderKey)) {
      if (pan.peers.size < MAX_PUMP_PEERS) {
        pan.peers.add(senderKey);
        out.alert({ code: 'ieee802154.insulin_pump_new_peer', device: senderKey, time: now, facts: { pan: shortHex(panId), pump: pan.coordinator ?? '' } });
      } else out.count('zigbee.pump_peers_capped');
    }
    const nwk = o.nwk;
    if (nwk === undefined) return;
    if (nwk.security && nwk.aux !== undefined) {
      pan.secured = true;
      const src = nwk.aux.sourceOffset >= 0 ? eui64Hex(nwk.bytes, nwk.aux.sourceOffset) : `${shortHex(nwk.src)}@${panId}`;
      this.counter(src, nwk.aux.keySeq, nwk.aux.frameCounter, panId, now, out);
    } else if (pan.secured && nwk.frameType === NwkFrameType.data && o.aps?.frameType === ApsFrameType.data && o.aps.profile !== PROFILE_ZLL) {
      out.alert({ code: 'zigbee.unencrypted_nwk_data', device: identifierKey(shortId(nwk.src, panId)), time: now, facts: { pan: shortHex(panId), cluster: o.aps.cluster } });
    }
    if (o.nwkCommand === NWK_CMD_REJOIN_REQUEST) {
      this.join(pan, identifierKey(nwk.src64 !== undefined ? ieeeId(nwk.src64) : shortId(nwk.src, panId)), 'rejoin_request', now, out, !nwk.security);
    }
    const ac = o.apsCommand;
    // A device given a key starts its counters afresh (a factory-new device
    // joining again begins at 0): what it sent before does not count against it.
    if (ac?.command === 0x05 && ac.dst64 !== undefined) this.counters.delete(ac.dst64);
    if (ac?.command === APS_CMD_UPDATE_DEVICE && ac.status === 1 && ac.device64 !== undefined) {
      this.join(pan, identifierKey(ieeeId(ac.device64)), 'update_device_unsecured_join', now, out, true, false);
    }
    if (o.zdo !== undefined && o.aps?.cluster === ZDO_PERMIT_JOINING_REQ) {
      const z = zdoInfo(ZDO_PERMIT_JOINING_REQ, o.zdo.bytes, o.zdo.payloadOffset, o.zdo.payloadEnd);
      if (z?.permitDuration !== undefined) pan.openUntil = z.permitDuration === 0 ? 0 : now + (z.permitDuration === 255 ? 1e9 : z.permitDuration);
    }
    if (o.zcl !== undefined && o.aps?.cluster === CLUSTER_TOUCHLINK) this.touchlink(frame, out);
  }

  onTick(): void {}

  gauges(): Readonly<Record<string, number>> {
    const kr = this.ctx.keyring;
    return {
      pans: this.pans.size, nodes: this.counters.size, evicted_pans: this.evictedPans, evicted_nodes: this.evictedNodes,
      keys: kr.networkKeys.length + kr.linkKeys.length, evicted_keys: kr.evictedKeys, addresses: kr.addressCount,
      evicted_addresses: kr.evictedAddresses, decrypted: this.ctx.opener.decrypted, undecryptable: this.ctx.opener.undecryptable,
    };
  }

  private pan(id: number, now: number, out: Sink): PanRecord {
    let p = this.pans.get(id);
    if (p === undefined) {
      if (this.pans.size >= this.opts.maxPans) {
        let oldest: PanRecord | undefined;
        for (const q of this.pans.values()) if (oldest === undefined || q.lastSeen < oldest.lastSeen) oldest = q;
        this.pans.delete(oldest!.pan);
        this.evictedPans++;
        out.count('zigbee.evicted_pans');
      }
      p = {
        pan: id, extPan: undefined, channel: undefined, coordinator: undefined, secured: false, permit: undefined, openUntil: 0,
        stormStart: now, stormCount: 0, pump: false, peers: new Set(), lastSeen: now,
      };
      this.pans.set(id, p);
    }
    p.lastSeen = now;
    return p;
  }

  private beacon(pan: PanRecord, mac: import('../../decode/ieee802154/index.js').Ieee802154View, senderKey: string, now: number, out: Sink): void {
    pan.permit = mac.associationPermit;
    if (pan.permit) pan.openUntil = Math.max(pan.openUntil, now + this.opts.joinWindowS);
    if (mac.panCoordinator && senderKey !== '') {
      if (pan.coordinator !== undefined && pan.coordinator !== senderKey) {
        out.alert({ code: 'zigbee.new_coordinator', device: senderKey, time: now, facts: { pan: shortHex(pan.pan), previous: pan.coordinator } });
      }
      pan.coordinator = senderKey;
    }
    // Zigbee beacon payload (R22 §3.6.7, Table 3-63): protocol id 0, two bytes, extended PAN id.
    const p = mac.beaconPayloadOffset;
    if (p >= 0 && mac.payloadEnd - p >= 11 && mac.bytes[p] === 0) {
      const ext = eui64Hex(mac.bytes, p + 3);
      if (pan.extPan !== undefined && pan.extPan !== ext) {
        out.alert({ code: 'zigbee.pan_id_conflict', device: senderKey, time: now, facts: { pan: shortHex(pan.pan), ext_pan: ext, known_ext_pan: pan.extPan } });
      }
      pan.extPan = ext;
    }
    if (medtronicPumpBeacon(mac) >= 0) pan.pump = true;
  }

  private join(pan: PanRecord, who: string, how: string, now: number, out: Sink, counts: boolean, storm = true): void {
    if (storm) {
      if (now - pan.stormStart >= 60) {
        pan.stormStart = now;
        pan.stormCount = 0;
      }
      pan.stormCount++;
      if (pan.stormCount === this.opts.stormPerMinute + 1) {
        out.alert({ code: 'zigbee.rejoin_storm', device: pan.coordinator ?? who, time: now, facts: { pan: shortHex(pan.pan), per_minute: pan.stormCount } });
      }
    }
    if (counts && pan.permit === false && now > pan.openUntil) {
      out.alert({ code: 'zigbee.join_while_closed', device: who, time: now, facts: { pan: shortHex(pan.pan), via: how } });
    }
  }

  private counter(src: string, keySeq: number, value: number, panId: number, now: number, out: Sink): void {
    const last = this.counters.get(src);
    if (last !== undefined) {
      this.counters.delete(src);
      if (last[0] === keySeq && value < last[1]) {
        out.alert({ code: 'zigbee.frame_counter_replay', device: src.includes('@') ? `ieee802154Short:${src}` : identifierKey(ieeeId(src)), time: now, facts: { pan: shortHex(panId), counter: value, last: last[1] } });
        this.counters.set(src, last);
        return;
      }
    } else if (this.counters.size >= this.opts.maxNodes) {
      this.counters.delete(this.counters.keys().next().value as string);
      this.evictedNodes++;
      out.count('zigbee.evicted_nodes');
    }
    this.counters.set(src, [keySeq, value]);
  }

  private touchlink(frame: DecodedFrame, out: Sink): void {
    const o = this.ctx.opener.open(frame);
    const zcl = o.zcl;
    const mac = o.mac;
    if (zcl === undefined || mac === undefined || o.aps?.cluster !== CLUSTER_TOUCHLINK || zcl.frameType !== 1 || zcl.direction !== 0) return;
    if (!TOUCHLINK_STARTS.has(zcl.command)) return;
    const initiator = mac.src64;
    if (initiator === undefined || this.initiators.has(initiator)) return;
    out.alert({ code: 'zigbee.touchlink_unknown_initiator', device: identifierKey(ieeeId(initiator)), time: frame.raw.tsSec, facts: { command: zcl.command } });
  }
}

export { ZigbeeContext, zigbeeOptions } from './context.js';
export { ZigbeeSightingSource } from './sighting.js';
