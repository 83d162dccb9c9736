/**
 * The capture extension point. A source is a folder under src/capture/ and a
 * line in the agent's source list; nothing registers itself by being imported.
 */

/** Per-frame facts a source knows besides the bytes. All optional, all numbers. */
export interface FrameMeta {
  /** Interface index inside a pcapng file (IDB order); 0 for classic pcap. */
  readonly iface?: number;
  /** Received signal strength in dBm, where the medium reports it. */
  readonly rssi?: number;
  /** Radio channel, where the medium has one. */
  readonly channel?: number;
  /** 802.15.4 (issue 10): link quality indicator 0..255, where the sniffer reports it. */
  readonly lqi?: number;
  /**
   * 802.15.4 (issue 10): what the two trailing bytes of a LINKTYPE 195
   * frame are: 0 (or absent) the CRC-16 FCS, 1 TI CC24xx metadata (RSSI,
   * CRC-OK bit and correlation), as TI sniffer firmware writes them.
   */
  readonly fcsFormat?: number;
}

/**
 * One captured frame.
 *
 * The design card names a single `tsNs` field. We carry it as two numbers
 * (`tsSec`, `tsNsec`) because nanoseconds since 1970 need 61 bits: a bigint
 * per frame costs more than decoding the frame, and a double loses the
 * nanoseconds. `tsNs()` below rebuilds the bigint when someone needs it.
 */
export interface RawFrame {
  /** Whole seconds since the Unix epoch. */
  readonly tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  readonly tsNsec: number;
  /** Name of the source that produced the frame (config `sources[].name`). */
  readonly source: string;
  /** LINKTYPE_* value (tcpdump.org/linktypes.html). */
  readonly linkType: number;
  /** Captured bytes; a zero-copy view into the reader's buffer, valid until the next batch. */
  readonly bytes: Uint8Array;
  /** Length on the wire; larger than bytes.length when the capture was snapped. */
  readonly origLen: number;
  readonly meta: FrameMeta;
}

export function tsNs(frame: Pick<RawFrame, 'tsSec' | 'tsNsec'>): bigint {
  return BigInt(frame.tsSec) * 1_000_000_000n + BigInt(frame.tsNsec);
}

/** A counted problem a source met in its input (truncated record, garbage block). */
export interface SourceAnomaly {
  /** Stable dotted code, e.g. `pcap.truncated_record`. */
  readonly code: string;
  /** Byte offset in the stream where it was found. */
  readonly offset: number;
  readonly detail?: string;
}

/** Where a source is in its life; published in `health` and `status`. */
export type SourceState = 'starting' | 'running' | 'retrying' | 'ended' | 'failed';

/**
 * What the capture library says it could not deliver, totals since the source
 * was opened (over every restart of its capture tool). libpcap's pcap_stats():
 * `received` is ps_recv, every packet the kernel's filter accepted, including
 * those then dropped; `droppedKernel` is ps_drop, accepted but dropped because
 * the ring buffer was full; `droppedIface` is ps_ifdrop, dropped by the
 * interface or its driver before the filter (on Linux, the rx dropped + fifo
 * counters of /proc/net/dev since the capture began).
 */
export interface SourceLoss {
  readonly received: number;
  readonly droppedKernel: number;
  readonly droppedIface: number;
}

/** A source's entry in the `status` and `health` telemetry (src/telemetry/kinds.ts `SOURCE_STATUS`). */
export interface SourceStatus {
  readonly name: string;
  readonly state: SourceState;
  readonly detail?: string;
  /** libpcap's counters (live sources, once the tool has reported them): received by the filter, dropped by the kernel, by the interface. */
  readonly received?: number;
  readonly droppedKernel?: number;
  readonly droppedIface?: number;
}

/** What a source reports besides frames: anomalies, state changes and capture loss. */
export interface SourceEvents {
  anomaly(a: SourceAnomaly): void;
  state(state: SourceState, detail?: string): void;
  /** Latest loss totals; only sources that can measure loss call it (live capture). */
  loss?(l: SourceLoss): void;
}

/**
 * A capture source yields batches of frames. Batches, not single frames,
 * because one `await` per frame costs more than decoding it; a batch is
 * whatever one read of the underlying stream produced.
 *
 * The frames of a batch (and their `bytes`) may be reused or overwritten
 * once the consumer asks for the next batch: copy what you keep.
 * The iterable ends when the input ends or `signal` aborts. Bad input never
 * throws out of the iterator: it becomes a `SourceAnomaly` and, where the
 * input cannot be resynchronised, the end of the stream.
 */
export interface CaptureSource {
  readonly name: string;
  open(signal: AbortSignal, events: SourceEvents): AsyncIterable<readonly RawFrame[]>;
}
