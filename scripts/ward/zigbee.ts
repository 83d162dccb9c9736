/**
 * The ward's Zigbee network, as an 802.15.4 sniffer records it (LINKTYPE
 * 195, IEEE 802.15.4 with FCS): a Zigbee PRO PAN of a nurse-call gateway
 * (coordinator and Trust Center), two mains-powered room sensors
 * (routers) and sleepy end devices (bed-exit sensors, nurse-call buttons).
 *
 * - Every NWK frame is secured with the network key (R22 §4.3.1.1, level 5,
 *   MIC 4), hop by hop: each relaying router re-secures with its own frame
 *   counter (§4.3.1.1, §4.5.1.1).
 * - At `JOIN_AT` a new bed-exit sensor joins: beacon request, beacons with
 *   Association Permit (IEEE 802.15.4-2020 §7.3.1.2), association, and the
 *   Trust Center's APS Transport Key of the network key under the key-
 *   transport key of the well-known default TC link key "ZigBeeAlliance09"
 *   (R22 §4.4.10.1, §4.5.3; BDB 13-0402 §6.3.3): whoever hears the join
 *   can decrypt the rest, and so does the sensor.
 * - The gateway then interviews every node (ZDO Node, Power and Simple
 *   Descriptor requests and responses, R22 §2.4.3.1, §2.4.4.2); nodes send
 *   ZCL Basic attribute reports (ManufacturerName, ModelIdentifier,
 *   SWBuildID, PowerSource, ZCL §3.2.2.2), Power Configuration battery
 *   reports (§3.3.2.2.3), temperature, occupancy and IAS Zone traffic; the
 *   new sensor sends a Device Announce (§2.4.3.1.11); routers broadcast
 *   NWK Link Status (§3.4.13); sleepy devices poll with MAC Data Requests.
 * - Injected near the end: an unknown device associating while the
 *   network is closed (beacons without Association Permit).
 *
 * Deterministic for a seed (prng.ts): the network key, frame counters and
 * timing jitter come from it.
 */
import { writeFileSync } from 'node:fs';
import { pcapFile } from '../../src/capture/pcap/writer.js';
import { DEFAULT_TC_LINK_KEY, keyTransportKey } from '../../src/analyze/zigbee/ccm.js';
import {
  apsCommandSecured, eui64, le16, macFrame, nwkFrame, nwkSecured, transportNetworkKey, zclGlobal, zclRecords, zclString, type NwkSpec,
} from '../../test/builders/ieee802154.js';
import { Prng } from './prng.js';

export const LINKTYPE_IEEE802_15_4_WITHFCS = 195;

export interface ZigbeeWardNode {
  readonly name: string;
  readonly ieee: string;
  readonly short: number;
  readonly role: 'coordinator' | 'router' | 'end_device';
  /** Parent's short address (itself for the coordinator). */
  readonly parent: number;
  /** Node Descriptor manufacturer code (src/identify/zigbee-manufacturers.ts). */
  readonly mfrCode: number;
  readonly manufacturer: string;
  readonly model: string;
  readonly swBuild: string;
  /** Home Automation device id (Simple Descriptor). */
  readonly deviceId: number;
  readonly inClusters: readonly number[];
  readonly battery: boolean;
}

const HA = 0x0104;
export const ZIGBEE_WARD = {
  pan: 0x1a62,
  extPan: '00124b0001ca1a62',
  joinAt: 3,
  nodes: [
    { name: 'nurse-call gateway', ieee: '000d6f0011a2b301', short: 0x0000, role: 'coordinator', parent: 0x0000, mfrCode: 0x1002, manufacturer: 'Ward Systems', model: 'NC-GW200', swBuild: '3.2.1', deviceId: 0x0005, inClusters: [0x0000, 0x0003], battery: false },
    { name: 'room sensor 7', ieee: '0015bc001a000107', short: 0x3a41, role: 'router', parent: 0x0000, mfrCode: 0x1015, manufacturer: 'Develco Products', model: 'RS-ROOM-7', swBuild: '4.0.12', deviceId: 0x0302, inClusters: [0x0000, 0x0402, 0x0406], battery: false },
    { name: 'room sensor 8', ieee: '0015bc001a000108', short: 0x5c02, role: 'router', parent: 0x0000, mfrCode: 0x1015, manufacturer: 'Develco Products', model: 'RS-ROOM-7', swBuild: '4.0.12', deviceId: 0x0302, inClusters: [0x0000, 0x0402, 0x0406], battery: false },
    { name: 'bed-exit sensor 7A', ieee: '00124b0019c0e201', short: 0x7d13, role: 'end_device', parent: 0x3a41, mfrCode: 0x1016, manufacturer: 'Honeywell', model: 'BedExit-Z2', swBuild: '1.8.0', deviceId: 0x0107, inClusters: [0x0000, 0x0001, 0x0406], battery: true },
    { name: 'bed-exit sensor 8A', ieee: '00124b0019c0e202', short: 0x91a4, role: 'end_device', parent: 0x5c02, mfrCode: 0x1016, manufacturer: 'Honeywell', model: 'BedExit-Z2', swBuild: '1.8.0', deviceId: 0x0107, inClusters: [0x0000, 0x0001, 0x0406], battery: true },
    { name: 'nurse-call button 7', ieee: '00124b0019c0e301', short: 0xa215, role: 'end_device', parent: 0x3a41, mfrCode: 0x100a, manufacturer: 'Awarepoint', model: 'NCB-1', swBuild: '2.0.3', deviceId: 0x0402, inClusters: [0x0000, 0x0001, 0x0500], battery: true },
    { name: 'nurse-call button 8', ieee: '00124b0019c0e302', short: 0xb3c6, role: 'end_device', parent: 0x0000, mfrCode: 0x100a, manufacturer: 'Awarepoint', model: 'NCB-1', swBuild: '2.0.3', deviceId: 0x0402, inClusters: [0x0000, 0x0001, 0x0500], battery: true },
    // The one that joins during the capture, under the default TC link key.
    { name: 'bed-exit sensor 7B', ieee: '00124b0019c0e203', short: 0x4e27, role: 'end_device', parent: 0x0000, mfrCode: 0x1016, manufacturer: 'Honeywell', model: 'BedExit-Z2', swBuild: '1.8.0', deviceId: 0x0107, inClusters: [0x0000, 0x0001, 0x0406], battery: true },
  ] as readonly ZigbeeWardNode[],
  /** The injected unknown device that associates while the network is closed. */
  rogue: 'a4c138deadbeef01',
} as const;
const JOINER = ZIGBEE_WARD.nodes[ZIGBEE_WARD.nodes.length - 1]!;

export interface ZigbeeGenOptions {
  readonly seed?: number;
  /** Capture start, epoch seconds. */
  readonly startSec?: number;
  /** Seconds of air time (default 300; the rogue join comes 15 s before the end). */
  readonly seconds?: number;
}

export interface ZigbeeFrame {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly bytes: Uint8Array;
}

interface NodeState {
  readonly n: ZigbeeWardNode;
  macSeq: number;
  nwkSeq: number;
  nwkCounter: number;
  apsCounter: number;
  tsn: number;
}

/** The frames, in time order, and the network key they were secured with. */
export function zigbeeWardFrames(o: ZigbeeGenOptions = {}): { frames: ZigbeeFrame[]; networkKey: string } {
  const rng = new Prng(o.seed ?? 1);
  const start = o.startSec ?? Date.UTC(2026, 0, 5, 7, 0, 0) / 1000;
  const seconds = o.seconds ?? 300;
  const PAN = ZIGBEE_WARD.pan;
  const key = Uint8Array.from({ length: 16 }, () => rng.int(0, 255));
  const st = new Map<number, NodeState>();
  for (const n of ZIGBEE_WARD.nodes) st.set(n.short, { n, macSeq: rng.int(0, 255), nwkSeq: rng.int(0, 255), nwkCounter: rng.int(1000, 90000), apsCounter: rng.int(0, 255), tsn: rng.int(0, 255) });
  const S = (short: number): NodeState => st.get(short)!;
  // Frames are built in time order (sequence numbers and frame counters only grow), so each is a thunk until the sort.
  const out: { t: number; b: () => Uint8Array }[] = [];
  const mac = (t: number, from: NodeState, dst: number, payload: () => ArrayLike<number>, type = 1): void => {
    out.push({ t, b: () => macFrame({ type, seq: from.macSeq++ & 0xff, panIdCompression: true, ackRequest: dst !== 0xffff, dstPan: PAN, dst, src: from.n.short }, payload()) });
  };
  /** Tree path from `a` to `b` (short addresses): up to the common ancestor, then down. */
  const path = (a: number, b: number): number[] => {
    const up = (x: number): number[] => {
      const p = [x];
      while (x !== 0) p.push((x = S(x).n.parent));
      return p;
    };
    const pa = up(a);
    const pb = up(b);
    const lca = pa.find((x) => pb.includes(x))!;
    return [...pa.slice(0, pa.indexOf(lca) + 1), ...pb.slice(0, pb.indexOf(lca)).reverse()];
  };
  /** A NWK frame from `origin` to `dst`, secured on every hop by the hop's sender (broadcasts: one hop). */
  // The originator's IEEE address rides in the NWK header (R22 §3.3.1.7), as Zigbee 3.0 stacks send it.
  const nwk = (t: number, origin: NodeState, dst: number, payload: ArrayLike<number> | (() => ArrayLike<number>), type = 0, radius = 30): void => {
    let spec: NwkSpec | undefined;
    let body: ArrayLike<number> | undefined;
    const first = (): void => {
      spec ??= { type, dst, src: origin.n.short, radius, seq: origin.nwkSeq++ & 0xff, src64: origin.n.ieee };
      body ??= typeof payload === 'function' ? payload() : payload;
    };
    const hops = dst >= 0xfff8 ? [origin.n.short, 0xffff] : path(origin.n.short, dst);
    for (let h = 0; h + 1 < hops.length; h++) {
      const sender = S(hops[h]!);
      mac(t + h * 0.004, sender, hops[h + 1]!, () => {
        first();
        return nwkSecured({ ...spec!, radius: radius - h }, body!, key, sender.n.ieee, sender.nwkCounter++);
      });
    }
  };
  const apsData = (from: NodeState, cluster: number, profile: number, ep: number, payload: ArrayLike<number>, broadcast = false): () => number[] =>
    () => [broadcast ? 0x08 : 0x00, ep, ...le16(cluster), ...le16(profile), ep, from.apsCounter++ & 0xff, ...Array.from(payload)];
  const zdo = (t: number, from: NodeState, dst: number, cluster: number, body: ArrayLike<number>, seq: number): void =>
    nwk(t, from, dst, apsData(from, cluster, 0, 0, [seq & 0xff, ...Array.from(body)], dst >= 0xfff8));
  /** A ZCL frame to the gateway; `frame` gets the sender's next transaction sequence number. */
  const zcl = (t: number, from: NodeState, cluster: number, frame: (tsn: number) => number[]): void =>
    nwk(t, from, 0x0000, () => apsData(from, cluster, HA, 1, frame(from.tsn++ & 0xff))());
  const report = (records: Parameters<typeof zclRecords>[0]) => (tsn: number): number[] => zclGlobal(tsn, 0x0a, zclRecords(records));
  const gw = S(0x0000);
  const routers = ZIGBEE_WARD.nodes.filter((n) => n.role !== 'end_device').map((n) => S(n.short));
  let zdoSeq = rng.int(0, 255);

  /** Beacon request, beacons (with or without Association Permit), association request and response. */
  const association = (t: number, ieee: string, short: number, permit: boolean): void => {
    const seq = rng.int(0, 255);
    out.push({ t, b: () => macFrame({ type: 3, seq, dstPan: 0xffff, dst: 0xffff }, [0x07]) });
    routers.forEach((r, i) => {
      const sf = [0xff, (permit ? 0x80 : 0) | (r.n.short === 0 ? 0x40 : 0) | 0x0f];
      // Zigbee beacon payload (R22 §3.6.7): protocol 0, stack profile 2 / version 2, router and end-device capacity, ext PAN, tx offset, update id.
      const payload = [...sf, 0x00, 0x00, 0x00, 0x22, 0x84, ...eui64(ZIGBEE_WARD.extPan), 0xff, 0xff, 0xff, 0x00];
      out.push({ t: t + 0.002 + i * 0.003, b: () => macFrame({ type: 0, seq: r.macSeq++ & 0xff, srcPan: PAN, src: r.n.short }, payload) });
    });
    const t1 = t + 0.05;
    // Association Request (IEEE 802.15.4-2020 §7.5.2): capability "allocate address", sleepy.
    const own = rng.int(0, 255);
    out.push({ t: t1, b: () => macFrame({ type: 3, seq: own, ackRequest: true, dstPan: PAN, dst: 0x0000, srcPan: 0xffff, src: ieee }, [0x01, 0x80]) });
    out.push({ t: t1 + 0.5, b: () => macFrame({ type: 3, seq: (own + 1) & 0xff, ackRequest: true, panIdCompression: true, dstPan: PAN, dst: 0x0000, src: ieee }, [0x04]) });
    // Association Response (§7.5.3): the short address, status success or PAN access denied.
    out.push({ t: t1 + 0.502, b: () => macFrame({ type: 3, seq: gw.macSeq++ & 0xff, ackRequest: true, panIdCompression: true, dstPan: PAN, dst: ieee, src: gw.n.ieee }, [0x02, ...le16(short), permit ? 0x00 : 0x02]) });
  };

  // The join: the Transport Key goes to the new device with NWK security off (it has no key yet), APS-secured under the default TC link key.
  const join = ZIGBEE_WARD.joinAt;
  association(join, JOINER.ieee, JOINER.short, true);
  const tkKey = keyTransportKey(DEFAULT_TC_LINK_KEY);
  mac(join + 0.6, gw, JOINER.short, () => nwkFrame({ dst: JOINER.short, src: 0x0000, radius: 1, seq: gw.nwkSeq++ & 0xff },
    apsCommandSecured(gw.apsCounter++ & 0xff, transportNetworkKey(key, 0, JOINER.ieee, gw.n.ieee), tkKey, gw.n.ieee, gw.nwkCounter++)));
  const j = S(JOINER.short);
  // Device Announce (R22 §2.4.3.1.11): NWK addr, IEEE, capability (sleepy end device, allocate address).
  zdo(join + 0.8, j, 0xfffd, 0x0013, [...le16(j.n.short), ...eui64(j.n.ieee), 0x80], zdoSeq++);

  // Before the join, the sensor cannot read anything: routers' link status and sleepy polls, under a key it does not have yet.
  for (let t = 0.3; t < seconds; t += 15) {
    routers.forEach((r, i) => {
      const links = routers.filter((x) => x !== r).flatMap((x) => [...le16(x.n.short), 0x11]);
      nwk(t + i * 0.07 + rng.next() * 0.02, r, 0xfffc, [0x08, 0x60 | (links.length / 3), ...links], 1, 1);
    });
  }

  // The gateway interviews every node after the join (a re-interview on the new device's arrival).
  let t = join + 2;
  for (const s of st.values()) {
    if (s === gw) continue;
    const n = s.n;
    const sq = zdoSeq++;
    zdo(t, gw, n.short, 0x0002, le16(n.short), sq);
    const logical = n.role === 'router' ? 1 : 2;
    const macCap = n.role === 'router' ? 0x8e : 0x80;
    zdo(t + 0.1, s, 0x0000, 0x8002, [0x00, ...le16(n.short), logical, 0x40, macCap, ...le16(n.mfrCode), 0x52, 0x80, 0x00, 0x00, 0x2c, 0x80, 0x00, 0x00], sq);
    const sq2 = zdoSeq++;
    zdo(t + 0.3, gw, n.short, 0x0003, le16(n.short), sq2);
    // Power Descriptor (§2.3.2.4): mode, available sources; current source, level (0xC = 100 %, 0x8 = 66 %).
    const power = n.battery ? [0x40, 0x84] : [0x10, 0xc1];
    zdo(t + 0.4, s, 0x0000, 0x8003, [0x00, ...le16(n.short), ...power], sq2);
    const sq3 = zdoSeq++;
    zdo(t + 0.6, gw, n.short, 0x0004, [...le16(n.short), 0x01], sq3);
    const desc = [0x01, ...le16(HA), ...le16(n.deviceId), 0x00, n.inClusters.length, ...n.inClusters.flatMap(le16), 0x00];
    zdo(t + 0.7, s, 0x0000, 0x8004, [0x00, ...le16(n.short), desc.length, ...desc], sq3);
    t += 1.5;
  }
  // Sleepy end devices poll their parent (MAC Data Request, IEEE 802.15.4-2020 §7.5.5) once the gateway has interviewed them.
  for (const s of st.values()) {
    if (s.n.role !== 'end_device') continue;
    for (let at = t + rng.next() * 7; at < seconds; at += 7.5) mac(at, s, s.n.parent, () => [0x04], 3);
  }
  // Every node reports its Basic attributes, then at intervals what it measures.
  [...st.values()].forEach((s, i) => {
    const n = s.n;
    const basic = (at: number): void => zcl(at, s, 0x0000, report([
      [0x0004, 0x42, zclString(n.manufacturer)], [0x0005, 0x42, zclString(n.model)], [0x4000, 0x42, zclString(n.swBuild)],
      [0x0007, 0x30, [n.battery ? 0x03 : 0x01]],
    ]));
    if (s !== gw) for (let at = t + 1 + i; at < seconds; at += 120) basic(at);
    if (n.battery) {
      let pct = rng.int(120, 200);
      for (let at = t + 5 + i * 2; at < seconds; at += 60) {
        zcl(at, s, 0x0001, report([[0x0020, 0x20, [26 + (pct > 160 ? 4 : 2)]], [0x0021, 0x20, [pct]]]));
        pct = Math.max(0, pct - rng.int(0, 2));
      }
    }
    if (n.inClusters.includes(0x0402)) {
      for (let at = 2 + i; at < seconds; at += 30) zcl(at, s, 0x0402, report([[0x0000, 0x29, le16(2100 + rng.int(-40, 60))]]));
    }
    if (n.inClusters.includes(0x0406) && n.role === 'end_device') {
      for (let at = 4 + i + rng.next() * 5; at < seconds; at += 30 + rng.int(0, 30)) zcl(at, s, 0x0406, report([[0x0000, 0x18, [rng.int(0, 1)]]]));
    }
    if (n.inClusters.includes(0x0500)) {
      // IAS Zone Status Change Notification (ZCL §8.2.2.4.1): alarm 1 set when pressed, then cleared.
      for (let at = 40 + i * 11; at < seconds; at += 90 + rng.int(0, 30)) {
        for (const [dt, status] of [[0, 0x0001], [20, 0x0000]] as const) {
          zcl(at + dt, s, 0x0500, (tsn) => [0x19, tsn, 0x00, ...le16(status), 0x00, 0x01, 0x00, 0x00]);
        }
      }
    }
  });

  // Injected: an unknown device associates while the network is closed.
  if (seconds > 30) association(seconds - 15, ZIGBEE_WARD.rogue, 0xfffe, false);

  out.sort((a, b) => a.t - b.t);
  const frames = out.filter((f) => f.t < seconds).map(({ t, b }) => {
    const whole = Math.floor(t);
    return { tsSec: start + whole, tsNsec: Math.round((t - whole) * 1e9) % 1_000_000_000, bytes: b() };
  });
  return { frames, networkKey: Buffer.from(key).toString('hex') };
}

/** Writes the capture as LINKTYPE 195; returns the number of frames. */
export function writeZigbeeWardCapture(path: string, o: ZigbeeGenOptions = {}): number {
  const { frames } = zigbeeWardFrames(o);
  writeFileSync(path, pcapFile(LINKTYPE_IEEE802_15_4_WITHFCS, frames));
  return frames.length;
}
