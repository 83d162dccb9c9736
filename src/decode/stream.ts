/**
 * The streaming-parser extension point for protocols read from reassembled
 * TCP byte streams (src/analyze/streams/): DICOM, HL7 over MLLP, POCT1-A.
 * Suricata's app-layer habit: say "consumed N, need M" instead of buffering
 * whole sessions, and never throw.
 */
export interface StreamParser<E> {
  /**
   * Reads from `buf` (one direction's unconsumed bytes, in order) and emits
   * what it finds. Returns the bytes consumed (the caller then keeps only
   * the rest), or `~n` (a negative number) when the bytes at offset `n` are
   * not this protocol: the caller drops through that byte and calls
   * `resync`. `need` is then the length the unconsumed bytes must reach
   * before the next call can make progress.
   */
  feed(buf: Uint8Array, emit: (e: E) => void): number;
  readonly need: number;
  /**
   * After a gap or a lost position: forgets any message in progress and
   * returns the offset in `buf` of the first plausible message start, or -1
   * if there is none yet.
   */
  resync(buf: Uint8Array): number;
}
