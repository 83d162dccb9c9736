/**
 * Turns any byte stream (a file, stdin, a capture tool's stdout) into batches
 * of frames through a PcapReader. Shared by the pcap-file and pcap-live sources.
 */
import type { Readable } from 'node:stream';
import type { RawFrame } from '../types.js';
import type { PcapReader } from './reader.js';

export interface ReadableToBatchesOptions {
  /**
   * Call reader.end() when the stream ends on its own, so a half-read record
   * becomes an anomaly. True unless set; the live source turns it off and
   * decides itself, because a tool that died before writing a byte is a
   * retry, not an empty file.
   */
  readonly end?: boolean;
}

/**
 * Yields one batch per chunk that completed at least one frame. Ends when the
 * stream ends, when the reader meets a fatal anomaly (the stream is then
 * destroyed), or when `signal` aborts. Errors of the stream itself (a missing
 * file, EIO) are thrown to the caller; an abort is not an error.
 */
export async function* readableToBatches(readable: Readable, reader: PcapReader, signal: AbortSignal,
  opts: ReadableToBatchesOptions = {}): AsyncGenerator<readonly RawFrame[], void, undefined> {
  if (signal.aborted) {
    readable.destroy();
    return;
  }
  const onAbort = (): void => {
    readable.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of readable) {
      const frames = reader.push(chunk as Uint8Array);
      if (frames.length > 0) yield frames;
      // Leaving the loop destroys the stream: after a fatal anomaly there is nothing left to read.
      if (reader.ended) return;
    }
    if (!signal.aborted && opts.end !== false) {
      const last = reader.end();
      if (last.length > 0) yield last;
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
