/**
 * The decode walk: linktype -> layer -> layer ... through a RouteTable.
 *
 * For each layer the next decoder is looked up by (layer.name, nextKey),
 * then (layer.name, altKey), then (layer.name, CONTENT_KEY) for a layer
 * with payload (routes.ts); the walk stops when none has a route, a
 * decoder returns undefined ("not mine", types.ts), or a
 * decoder returns an anomaly. Layers that decoded are kept either way.
 *
 * Truncated is not malformed: when the capture was snapped (caplen <
 * origLen) and a decoder ran out of bytes (`need > have`), the frame is
 * counted as `truncated`, not `malformed`; the anomaly keeps its layer's
 * code (`tcp.truncated_header`) and the frame says `truncated: true`.
 *
 * A layer may also carry a `warning`: a non-fatal anomaly (a length field
 * that claims more than an unsnapped frame holds). The walk counts it (the
 * frame is malformed) and goes on, so the headers stay usable, as in tshark.
 *
 * This is the one place that catches exceptions from decoders. A decoder
 * must return an anomaly for bad bytes; anything it throws is a bug, counted
 * as `decoder.bug` (and per layer), and the frame is returned with the layers
 * that decoded so it can be saved and turned into a test.
 */
import type { RawFrame } from '../capture/types.js';
import { dnsAnomalyCodes } from './dns/index.js';
import { CONTENT_KEY, DEFAULT_ROUTES, RouteTable } from './routes.js';
import type { Anomaly, DecodeContext, DecodedFrame, Layer } from './types.js';

export { RouteTable, buildRouteTable, DEFAULT_ROUTES, type RouteRow } from './routes.js';

export const DECODER_BUG = 'decoder.bug';
export const LINKTYPE_UNSUPPORTED = 'linktype.unsupported';
/** Notes appear in DecodeCounters.snapshot() under this prefix, apart from the anomaly codes. */
export const NOTE_PREFIX = 'note.';

/** Every note code the default decoders can give (`Layer.note`). */
export const DECODE_NOTE_CODES: readonly string[] = Object.freeze([
  'ethernet.zero_source',
  'ipv4.zero_source', 'ipv4.multicast_source', 'ipv4.reserved_source',
  // Wi-Fi: a frame the radio says failed its FCS (not believed), a radiotap field of unknown size.
  'radiotap.bad_fcs', 'radiotap.fcs_mismatch', 'radiotap.unknown_field', 'ppi.bad_fcs',
  // 802.15.4 (issue 10)
  'ieee802154.frame_type_not_decoded', 'ieee802154.security_2003',
]);

/** Every anomaly code the default decoders can return, for tests and documentation. */
export const DECODE_ANOMALY_CODES: readonly string[] = Object.freeze([
  LINKTYPE_UNSUPPORTED,
  DECODER_BUG,
  'raw.truncated_header', 'raw.bad_version',
  'ethernet.truncated_header', 'ethernet.bad_length',
  'vlan.truncated_header', 'vlan.bad_length',
  'sll.truncated_header',
  'sll2.truncated_header',
  'arp.truncated',
  'ipv4.truncated_header', 'ipv4.bad_version', 'ipv4.bad_ihl', 'ipv4.bad_total_length',
  'ipv6.truncated_header', 'ipv6.bad_version', 'ipv6.bad_payload_length', 'ipv6.truncated_extension',
  'tcp.truncated_header', 'tcp.bad_data_offset',
  'udp.truncated_header', 'udp.bad_length',
  'icmp.truncated_header',
  'icmpv6.truncated_header',
  // Wired discovery (issue 7 part A: wired-disc).
  'llc.truncated_header',
  'dhcp.truncated_header', 'dhcp.bad_op', 'dhcp.bad_cookie', 'dhcp.truncated_option', 'dhcp.too_many_options',
  'dhcpv6.truncated_header', 'dhcpv6.truncated_option', 'dhcpv6.too_many_options', 'dhcpv6.relay_too_deep',
  ...dnsAnomalyCodes('dns'), ...dnsAnomalyCodes('mdns'), ...dnsAnomalyCodes('nbns'),
  'ssdp.truncated_header', 'ssdp.bad_start_line',
  'wsd.not_soap', 'wsd.too_many_tags',
  'lldp.truncated_tlv', 'lldp.too_many_tlvs', 'lldp.missing_mandatory',
  'cdp.truncated_header', 'cdp.bad_version', 'cdp.truncated_tlv', 'cdp.bad_tlv_length', 'cdp.too_many_tlvs',
  // wired-app (issue 7 part B): application decoders.
  'http.bad_request_line', 'http.bad_status_line',
  'tls.bad_record_length', 'tls.bad_handshake', 'tls.bad_hello', 'tls.bad_extension',
  'snmp.bad_ber', 'snmp.truncated', 'snmp.unknown_version', 'snmp.bad_pdu',
  'ssh.bad_identification',
  // Wi-Fi (issue 8).
  'radiotap.truncated_header', 'radiotap.bad_version', 'radiotap.bad_length', 'radiotap.bad_field_length',
  'ppi.truncated_header', 'ppi.bad_version', 'ppi.bad_length', 'ppi.bad_field_length',
  'ieee80211.truncated_header', 'ieee80211.bad_version', 'ieee80211.truncated_fixed',
  'ieee80211.element_overrun', 'ieee80211.element_bad_length',
  'eapol.truncated_header', 'eapol.truncated_key',
  // BLE (issue 9).
  'nordic_ble.truncated_header', 'nordic_ble.legacy_format', 'nordic_ble.bad_version',
  'btle_rf.truncated_header',
  'btle.truncated_header', 'btle.bad_length',
  'hci_h4.truncated_header', 'hci_mon.truncated_header',
  'hci_cmd.truncated_header', 'hci_cmd.bad_length',
  'hci_evt.truncated_header', 'hci_evt.bad_length', 'hci_evt.bad_report',
  'hci_acl.truncated_header', 'hci_acl.bad_length',
  'l2cap.truncated_header', 'att.truncated_header', 'smp.truncated_header', 'smp.truncated_pairing',
  // 802.15.4 / Zigbee (issue 10)
  'ieee802154.truncated_header', 'ieee802154.bad_version', 'ieee802154.bad_addr_mode', 'ieee802154.bad_fcs',
  'ieee802154.truncated_security_header', 'ieee802154.truncated_mic', 'ieee802154.bad_ie', 'ieee802154.truncated_ie',
  'ieee802154-tap.truncated_header', 'ieee802154-tap.bad_version', 'ieee802154-tap.bad_length',
  'ieee802154-tap.truncated_tlv', 'ieee802154-tap.bad_fcs_type',
  'ieee802154-phy.truncated_header', 'ieee802154-phy.bad_sfd', 'ieee802154-phy.bad_length',
  'zigbee-nwk.truncated_header', 'zigbee-nwk.truncated_security_header', 'zigbee-nwk.truncated_mic', 'zigbee-nwk.truncated_command',
  'zigbee-aps.truncated_header', 'zigbee-aps.truncated_security_header', 'zigbee-aps.truncated_mic', 'zigbee-aps.truncated_command',
  'zigbee-zdo.truncated_header',
  'zigbee-zcl.truncated_header',
  'zigbee-gp.truncated_header', 'zigbee-gp.truncated_mic',
]);

/** Counters for the `health` stream. Owned numbers; read them, reset by making a new decoder. */
export class DecodeCounters {
  /** Frames seen. */
  frames = 0;
  /** Frames whose capture was snapped (caplen < origLen), whatever happened to them. */
  snapped = 0;
  /** Snapped frames whose walk stopped because a decoder ran out of bytes. */
  truncated = 0;
  /** Frames with an anomaly that snapping does not explain (stopping the walk, or a layer's warning). */
  malformed = 0;
  /** Non-fatal anomalies (`Layer.warning`): the layer was kept and the walk went on. */
  warnings = 0;
  /** Frames with a linktype that has no route. */
  unsupported = 0;
  /** Exceptions caught from decoders. */
  bugs = 0;
  /** Frames whose link layer decoded (at least one layer), whatever happened further in. */
  decoded = 0;
  /** Notes by code (`Layer.note`): senders analyzers will not take as a device. Not anomalies. */
  readonly notes = new Map<string, number>();
  /** Per anomaly code (`decoder.bug` included). */
  readonly byCode = new Map<string, number>();
  /** `decoder.bug` per layer name, to find the decoder to fix. */
  readonly bugsByLayer = new Map<string, number>();

  /** A flat snapshot: `frames`, `snapped` ... and one entry per code. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {
      frames: this.frames,
      snapped: this.snapped,
      truncated: this.truncated,
      malformed: this.malformed,
      warnings: this.warnings,
      unsupported: this.unsupported,
      decoded: this.decoded,
    };
    for (const [code, n] of this.byCode) out[code] = n;
    for (const [layer, n] of this.bugsByLayer) out[`${DECODER_BUG}.${layer}`] = n;
    for (const [code, n] of this.notes) out[`${NOTE_PREFIX}${code}`] = n;
    return out;
  }
}

class Frame implements DecodedFrame {
  readonly raw: RawFrame;
  readonly layers: Layer[];
  readonly anomaly: Anomaly | undefined;
  readonly truncated: boolean;

  constructor(raw: RawFrame, layers: Layer[], anomaly: Anomaly | undefined, truncated: boolean) {
    this.raw = raw;
    this.layers = layers;
    this.anomaly = anomaly;
    this.truncated = truncated;
  }
}

/** One context object per FrameDecoder, repointed per frame: no allocation per frame. */
class Context implements DecodeContext {
  frame: RawFrame;
  constructor(frame: RawFrame) {
    this.frame = frame;
  }
}

const NO_FRAME: RawFrame = {
  tsSec: 0, tsNsec: 0, source: '', linkType: -1, bytes: new Uint8Array(0), origLen: 0, meta: {},
};

export class FrameDecoder {
  readonly counters = new DecodeCounters();
  private readonly table: RouteTable;
  private readonly ctx = new Context(NO_FRAME);

  constructor(table: RouteTable) {
    this.table = table;
  }

  /** True when a route reads frames of this LINKTYPE (the `linktype` rows of the route table). */
  supportsLinktype(linkType: number): boolean {
    return this.table.get('linktype', linkType) !== undefined;
  }

  decode(raw: RawFrame): DecodedFrame {
    const c = this.counters;
    c.frames++;
    const bytes = raw.bytes;
    const snapped = bytes.length < raw.origLen;
    if (snapped) c.snapped++;
    const layers: Layer[] = [];
    const table = this.table;
    let dec = table.get('linktype', raw.linkType);
    if (dec === undefined) {
      c.unsupported++;
      this.countCode(LINKTYPE_UNSUPPORTED);
      return new Frame(raw, layers, { code: LINKTYPE_UNSUPPORTED, layer: 'linktype', offset: 0, need: 0, have: 0 }, snapped);
    }
    const ctx = this.ctx;
    ctx.frame = raw;
    let offset = 0;
    let end = bytes.length;
    let bad: Anomaly | undefined;
    let warned = false;
    while (dec !== undefined) {
      let r: Layer | Anomaly | undefined;
      try {
        r = dec.decode(bytes, offset, end, ctx);
      } catch {
        bad = this.bug(dec.name, offset, end);
        break;
      }
      // "Not mine" (types.ts Decoder): an application decoder found no start of its protocol.
      if (r === undefined) break;
      // Not `code`: ICMP views have a `code` getter (see isAnomaly).
      if ((r as Layer).nextKey === undefined) {
        bad = r as Anomaly;
        if (snapped && bad.need > bad.have) c.truncated++;
        else if (!warned) c.malformed++;
        this.countCode(bad.code);
        break;
      }
      const layer = r as Layer;
      // A view whose payload lies outside its parent's would make the next
      // decoder read past the bytes it was given: that is a bug too.
      if (layer.payloadOffset < offset || layer.payloadEnd > end || layer.payloadOffset > layer.payloadEnd) {
        bad = this.bug(dec.name, offset, end);
        break;
      }
      layers.push(layer);
      const w = layer.warning;
      if (w !== undefined) {
        if (!warned) c.malformed++;
        warned = true;
        c.warnings++;
        this.countCode(w.code);
      }
      const note = layer.note;
      if (note !== undefined) c.notes.set(note, (c.notes.get(note) ?? 0) + 1);
      offset = layer.payloadOffset;
      end = layer.payloadEnd;
      const name = layer.name;
      dec = layer.nextKey >= 0 ? table.get(name, layer.nextKey) : undefined;
      if (dec === undefined && layer.altKey >= 0) dec = table.get(name, layer.altKey);
      // No port route: a content row (routes.ts CONTENT_KEY) may recognise the payload by its first bytes.
      if (dec === undefined && layer.payloadEnd > layer.payloadOffset) dec = table.get(name, CONTENT_KEY);
    }
    ctx.frame = NO_FRAME;
    if (layers.length > 0) c.decoded++;
    return new Frame(raw, layers, bad, snapped);
  }

  private bug(layer: string, offset: number, end: number): Anomaly {
    const c = this.counters;
    c.bugs++;
    this.countCode(DECODER_BUG);
    c.bugsByLayer.set(layer, (c.bugsByLayer.get(layer) ?? 0) + 1);
    return { code: DECODER_BUG, layer, offset, need: 0, have: end - offset };
  }

  private countCode(code: string): void {
    const m = this.counters.byCode;
    m.set(code, (m.get(code) ?? 0) + 1);
  }
}

/** A FrameDecoder over the default routes. */
export function defaultFrameDecoder(): FrameDecoder {
  return new FrameDecoder(new RouteTable(DEFAULT_ROUTES));
}
