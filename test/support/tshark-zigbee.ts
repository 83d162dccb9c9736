/**
 * The 802.15.4 / Zigbee fields compared with tshark, both sides as text in
 * tshark's spelling: numbers in hex as tshark prints them ("0x3359"),
 * EUI-64s with colons, booleans 1/0, several occurrences joined by ",".
 * `ourRow` reads the same fields from the decoded layers plus what the
 * zigbee opener decrypted (src/analyze/zigbee/open.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PcapReader } from '../../src/capture/pcap/reader.js';
import type { RawFrame, SourceAnomaly } from '../../src/capture/types.js';
import type { DecodedFrame } from '../../src/decode/types.js';
import type { Ieee802154View } from '../../src/decode/ieee802154/index.js';
import type { Ieee802154TapView } from '../../src/decode/ieee802154-tap/index.js';
import type { ZigbeeGpView } from '../../src/decode/zigbee-gp/index.js';
import { zclAttributes } from '../../src/decode/zigbee-zcl/index.js';
import { CLUSTER_BASIC, CLUSTER_POWER_CONFIG, CLUSTER_TOUCHLINK } from '../../src/decode/zigbee-zcl/consts.js';
import type { OpenedFrame } from '../../src/analyze/zigbee/open.js';

export const FIELDS = [
  'wpan.frame_type', 'wpan.seq_no', 'wpan.dst_pan', 'wpan.src_pan', 'wpan.dst16', 'wpan.src16', 'wpan.dst64', 'wpan.src64',
  'wpan.cmd', 'wpan.fcs_ok', 'wpan.security', 'wpan.version', 'wpan-tap.ch_num',
  'zbee_nwk.frame_type', 'zbee_nwk.dst', 'zbee_nwk.src', 'zbee_nwk.seqno', 'zbee_nwk.radius', 'zbee_nwk.security', 'zbee_nwk.cmd.id',
  'zbee_aps.type', 'zbee_aps.dst', 'zbee_aps.src', 'zbee_aps.cluster', 'zbee_aps.profile', 'zbee_aps.counter', 'zbee_aps.cmd.id',
  'zbee_aps.cmd.key_type', 'zbee_aps.cmd.key',
  'zbee_aps.zdp_cluster', 'zbee_zcl.type', 'zbee_zcl.cmd.tsn', 'zbee_zcl.cmd.id', 'zbee_zdp.seqno',
  'zbee_zcl_general.basic.attr_id', 'zbee_zcl_general.power_config.attr_id', 'zbee_zcl.attr.str',
  'zbee_zcl_general.touchlink.rx_cmd_id', 'zbee_zcl_general.touchlink.tx_cmd_id',
  'zbee_nwk_gp.frame_type', 'zbee_nwk_gp.source_id', 'zbee_nwk_gp.command_id',
] as const;
export type Field = (typeof FIELDS)[number];
export type Row = Partial<Record<Field, string>>;

export interface TsharkOptions {
  /** Network or link keys as 32 hex digits (uat:zigbee_pc_keys). */
  readonly keys?: readonly string[];
  /** LINKTYPE 195 frames end in TI CC24xx metadata. */
  readonly tiMetadata?: boolean;
}

/** tshark's rows for `file` (first occurrence of each field). */
export function tsharkRows(file: string, o: TsharkOptions = {}): Row[] {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f'];
  for (const k of o.keys ?? []) args.push('-o', `uat:zigbee_pc_keys:"${k}","Normal",""`);
  if (o.tiMetadata) args.push('-o', 'wpan.fcs_format:TI CC24xx metadata');
  for (const f of FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l !== '').map((line) => {
    const cells = line.split('\t');
    const row: Row = {};
    FIELDS.forEach((f, i) => {
      const v = cells[i];
      if (v !== undefined && v !== '') row[f] = v;
    });
    return row;
  });
}

const hex = (n: number, digits: number): string => '0x' + n.toString(16).padStart(digits, '0');
const eui = (h: string): string => h.match(/../g)!.join(':');
const bool = (b: boolean): string => (b ? '1' : '0');

/** Our reading of the same fields. */
export function ourRow(d: DecodedFrame, o: OpenedFrame): Row {
  const r: Row = {};
  const tap = d.layers.find((l) => l.name === 'ieee802154-tap') as Ieee802154TapView | undefined;
  if (tap !== undefined && tap.channel >= 0) r['wpan-tap.ch_num'] = String(tap.channel);
  const mac = d.layers.find((l) => l.name === 'ieee802154') as Ieee802154View | undefined;
  if (mac === undefined) return r;
  r['wpan.frame_type'] = hex(mac.frameType, 4);
  if (mac.seq >= 0) r['wpan.seq_no'] = String(mac.seq);
  if (mac.dstPan >= 0) r['wpan.dst_pan'] = hex(mac.dstPan, 4);
  if (mac.srcPanPresent) r['wpan.src_pan'] = hex(mac.srcPan, 4);
  if (mac.dst16 >= 0) r['wpan.dst16'] = hex(mac.dst16, 4);
  if (mac.src16 >= 0) r['wpan.src16'] = hex(mac.src16, 4);
  if (mac.dst64 !== undefined) r['wpan.dst64'] = eui(mac.dst64);
  if (mac.src64 !== undefined) r['wpan.src64'] = eui(mac.src64);
  if (mac.command >= 0) r['wpan.cmd'] = hex(mac.command, 2);
  // tshark says "FCS valid" for a frame that carries none (LINKTYPE 230, or one snapped before its FCS).
  r['wpan.fcs_ok'] = bool(mac.fcsOk ?? true);
  if (mac.frameType <= 3) r['wpan.security'] = bool(mac.security);
  if (mac.frameType <= 3) r['wpan.version'] = String(mac.version);
  const gp = d.layers.find((l) => l.name === 'zigbee-gp') as ZigbeeGpView | undefined;
  if (gp !== undefined) {
    r['zbee_nwk_gp.frame_type'] = hex(gp.frameType, 2);
    if (gp.srcId >= 0) r['zbee_nwk_gp.source_id'] = hex(gp.srcId, 8);
    if (gp.command >= 0) r['zbee_nwk_gp.command_id'] = hex(gp.command, 2);
  }
  const nwk = o.nwk;
  if (nwk !== undefined) {
    r['zbee_nwk.frame_type'] = hex(nwk.frameType, 4);
    r['zbee_nwk.security'] = bool(nwk.security);
    if (nwk.frameType !== 3) {
      r['zbee_nwk.dst'] = hex(nwk.dst, 4);
      r['zbee_nwk.src'] = hex(nwk.src, 4);
      r['zbee_nwk.seqno'] = String(nwk.seq);
      r['zbee_nwk.radius'] = String(nwk.radius);
    }
    if (o.nwkCommand >= 0) r['zbee_nwk.cmd.id'] = hex(o.nwkCommand, 2);
  }
  const aps = o.aps;
  if (aps !== undefined) {
    r['zbee_aps.type'] = hex(aps.frameType, 2);
    if (aps.dstEndpoint >= 0) r['zbee_aps.dst'] = String(aps.dstEndpoint);
    if (aps.srcEndpoint >= 0) r['zbee_aps.src'] = String(aps.srcEndpoint);
    if (aps.cluster >= 0) r[aps.profile === 0 ? 'zbee_aps.zdp_cluster' : 'zbee_aps.cluster'] = hex(aps.cluster, 4);
    if (aps.profile >= 0) r['zbee_aps.profile'] = hex(aps.profile, 4);
    if (aps.counter >= 0) r['zbee_aps.counter'] = String(aps.counter);
    const c = o.apsCommand;
    if (c !== undefined) {
      r['zbee_aps.cmd.id'] = hex(c.command, 2);
      if (c.keyType !== undefined) r['zbee_aps.cmd.key_type'] = hex(c.keyType, 2);
      if (c.keyOffset !== undefined && o.apsCommandBytes !== undefined) {
        r['zbee_aps.cmd.key'] = Buffer.from(o.apsCommandBytes.subarray(c.keyOffset, c.keyOffset + 16)).toString('hex');
      }
    }
  }
  if (o.zdo !== undefined) r['zbee_zdp.seqno'] = String(o.zdo.tsn);
  const zcl = o.zcl;
  if (zcl !== undefined) {
    r['zbee_zcl.type'] = hex(zcl.frameType, 2);
    r['zbee_zcl.cmd.tsn'] = String(zcl.tsn);
    // tshark names a cluster-specific command by its cluster's own field.
    if (zcl.frameType === 0) r['zbee_zcl.cmd.id'] = hex(zcl.command, 2);
    else if (aps?.cluster === CLUSTER_TOUCHLINK && !zcl.manufacturerSpecific) {
      r[zcl.direction === 0 ? 'zbee_zcl_general.touchlink.rx_cmd_id' : 'zbee_zcl_general.touchlink.tx_cmd_id'] = hex(zcl.command, 2);
    }
    // tshark files attribute ids under the cluster's own field: Basic and Power Configuration are compared.
    const attrField = aps?.cluster === CLUSTER_BASIC ? 'zbee_zcl_general.basic.attr_id'
      : aps?.cluster === CLUSTER_POWER_CONFIG ? 'zbee_zcl_general.power_config.attr_id' : undefined;
    if (zcl.frameType === 0 && !zcl.manufacturerSpecific && attrField !== undefined) {
      const attrs = zclAttributes(zcl.command, zcl.bytes, zcl.payloadOffset, zcl.payloadEnd);
      if (attrs.length > 0) r[attrField] = hex(attrs[0]!.id, 4);
      const text = attrs.find((a) => typeof a.value === 'string');
      if (text !== undefined) r['zbee_zcl.attr.str'] = text.value as string;
    }
  }
  return r;
}

/**
 * Fields tshark fills from its own state rather than the frame: for a short
 * MAC address it adds a generated wpan.src64/dst64 (size 0, "Origin: frame
 * N") from an earlier frame that paired the two. Those are not compared.
 */
export function dropGenerated(d: DecodedFrame, theirs: Row): Row {
  const mac = d.layers.find((l) => l.name === 'ieee802154') as Ieee802154View | undefined;
  const r = { ...theirs };
  if (mac === undefined || mac.srcMode !== 3) delete r['wpan.src64'];
  if (mac === undefined || mac.dstMode !== 3) delete r['wpan.dst64'];
  // A Green Power frame tunnelled inside a ZCL Green Power command is
  // dissected by tshark; the sensor reads Green Power frames on air only.
  if (!d.layers.some((l) => l.name === 'zigbee-gp')) {
    delete r['zbee_nwk_gp.frame_type'];
    delete r['zbee_nwk_gp.source_id'];
    delete r['zbee_nwk_gp.command_id'];
  }
  return r;
}

/** Field disagreements of one frame, as readable lines. */
export function diffRows(n: number, ours: Row, theirs: Row, fields: readonly Field[] = FIELDS): string[] {
  const out: string[] = [];
  for (const f of fields) {
    if (ours[f] !== theirs[f]) out.push(`#${n} ${f}: ours ${ours[f] ?? '-'} tshark ${theirs[f] ?? '-'}`);
  }
  return out;
}

/** The frames of a capture file (copied out of the reader's buffers), marked as TI CC24xx when `ti`. */
export function readFrames(file: string, ti = false): { frames: RawFrame[]; anomalies: SourceAnomaly[] } {
  const anomalies: SourceAnomaly[] = [];
  const reader = new PcapReader('test', { anomaly: (a) => anomalies.push(a), state: () => {} });
  const frames = [...reader.push(readFileSync(file)), ...reader.end()].map((f) => ({ ...f, bytes: Uint8Array.from(f.bytes) }));
  return { frames: ti ? frames.map((f) => ({ ...f, meta: { ...f.meta, fcsFormat: 1 } })) : frames, anomalies };
}

