/**
 * The decode extension point. A protocol is a folder under src/decode/ with a
 * `Decoder` and rows in routes.ts that say which parent layer and key lead to it.
 */
import type { RawFrame } from '../capture/types.js';

/**
 * A decoder's verdict on bytes it could not read. One shape for every layer:
 * errors are data (which layer, where, how many bytes were needed and how
 * many there were), never exceptions.
 */
export interface Anomaly {
  /** Stable dotted code: `<layer>.<what>`, e.g. `ipv4.bad_ihl`, `tcp.truncated_header`. */
  readonly code: string;
  /** Layer name as in routes.ts. */
  readonly layer: string;
  /** Offset of the problem from the start of the frame. */
  readonly offset: number;
  /** Bytes the decoder needed (0 when the problem is not a length). */
  readonly need: number;
  /** Bytes it had. */
  readonly have: number;
}

export function anomaly(code: string, layer: string, offset: number, need = 0, have = 0): Anomaly {
  return { code, layer, offset, need, have };
}

/**
 * Tells an anomaly from a layer by a field every Layer has and no Anomaly
 * has: testing `code` alone would take ICMP, ICMPv6 and any other view with
 * a `code` getter for an anomaly.
 */
export function isAnomaly(x: Layer | Anomaly): x is Anomaly {
  return (x as Partial<Layer>).nextKey === undefined;
}

/**
 * A decoded layer: a lazy view over the frame's bytes. Getters read the bytes
 * on demand; the constructor checked lengths once so getters cannot fail.
 * Views never leave the synchronous analyzer pass: copy out what you keep.
 */
export interface Layer {
  /** Layer name, the same spelling as its folder and its routes.ts rows. */
  readonly name: string;
  /** Offset of this layer's header from the start of the frame. */
  readonly offset: number;
  /** Offset where this layer's payload starts. */
  readonly payloadOffset: number;
  /** Offset one past the end of the payload (may be < frame length when there is trailer/padding). */
  readonly payloadEnd: number;
  /**
   * Key that selects the next layer in routes.ts (ethertype, IP protocol,
   * port ...), or -1 when this layer carries nothing to route.
   */
  readonly nextKey: number;
  /** A second key tried when `nextKey` has no route (e.g. the source port after the destination port); -1 if none. */
  readonly altKey: number;
  /**
   * A non-fatal anomaly: the header decoded, but something about the layer
   * is wrong (a length field claims more bytes than an unsnapped frame holds).
   * The walk counts it and goes on, as tshark does, so the headers stay usable.
   */
  readonly warning?: Anomaly | undefined;
  /**
   * A note about a well-formed layer that analyzers will ignore, so the user
   * should hear of it: a stable dotted code (`ethernet.zero_source`) counted
   * in DecodeCounters.notes. Not an anomaly: the bytes are fine, the sender is odd.
   */
  readonly note?: string | undefined;
}

/** Per-frame context given to decoders. */
export interface DecodeContext {
  readonly frame: RawFrame;
}

/**
 * Decodes the layer that starts at `offset` of `bytes` (the whole frame),
 * ending at `end` (exclusive; the parent's payloadEnd). Returns a view or an
 * anomaly, never throws.
 *
 * An application decoder reached by a port or by content (CONTENT_KEY in
 * routes.ts) may return `undefined`: "these bytes are not mine" (a TCP
 * segment in the middle of a stream, an empty ACK, another protocol on the
 * port). The walk stops there without an anomaly: such a segment is not
 * malformed, only not the start of anything this sensor reads.
 */
export interface Decoder {
  readonly name: string;
  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): Layer | Anomaly | undefined;
}

/** A frame after the decode walk. */
export interface DecodedFrame {
  readonly raw: RawFrame;
  /** Every layer that decoded, outermost first. */
  readonly layers: readonly Layer[];
  /** Why the walk stopped early, if it did. */
  readonly anomaly: Anomaly | undefined;
  /** True when the capture was snapped (caplen < origLen): truncated is not malformed. */
  readonly truncated: boolean;
}
