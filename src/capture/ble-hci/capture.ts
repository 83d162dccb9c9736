/**
 * The BLE capture helper's core (`iomt-sensor ble-capture`, run by
 * systemd/iomt-sensor-ble@.service): the ble-hci source's passive scan,
 * written as a classic pcap stream (draft-ietf-opsawg-pcap §4, §5;
 * nanosecond magic, LINKTYPE 201) to a writable, which in production is the
 * agent's unix socket that systemd connected to stdout (StandardOutput=file:).
 * The agent reads it with a `ble-hci` source with `via: helper`.
 *
 * The helper does not retry: the first `retrying` of the source (bind
 * refused, adapter down, controller refused a command, socket error) ends
 * it with code 1 and the reason, and systemd restarts it (Restart=always).
 * An abort (SIGTERM) ends it with code 0, after the source has disabled the
 * scan. The pcap header is written only once the scan runs, so a helper that
 * never scanned sent nothing and the agent says so.
 */
import type { Writable } from 'node:stream';
import type { CaptureSource } from '../types.js';
import { pcapHeader, pcapRecord } from '../pcap/writer.js';
import { LINKTYPE_H4_WITH_PHDR } from './events.js';

export interface BleCaptureResult {
  /** 0: stopped by the signal; 1: the scan failed or the output went away. */
  readonly code: number;
  /** Why it ended, for stderr. */
  readonly reason: string;
  readonly frames: number;
  /** Source anomalies by code (hostile or truncated events: counted, never fatal). */
  readonly anomalies: Readonly<Record<string, number>>;
}

export interface BleCaptureOptions {
  /** Stops the capture (SIGTERM, SIGINT). */
  readonly signal: AbortSignal;
  /** Progress lines (stderr, the journal). */
  readonly log?: (line: string) => void;
}

/** Runs `source` until `signal` aborts or it fails; every frame goes to `out` as a pcap record. */
export async function bleCapture(source: CaptureSource, out: Writable, opts: BleCaptureOptions): Promise<BleCaptureResult> {
  const log = opts.log ?? ((): void => undefined);
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  if (opts.signal.aborted) stop();
  opts.signal.addEventListener('abort', stop, { once: true });
  let failure: string | undefined;
  const fail = (why: string): void => {
    failure ??= why;
    stop();
  };
  let headerDone = false;
  let frames = 0;
  const anomalies: Record<string, number> = {};
  // After a failure (EPIPE) nothing more is written to a stream that is going away.
  const write = (b: Uint8Array): boolean => (failure !== undefined || out.destroyed ? true : out.write(b));
  const onError = (e: Error): void => fail(`output: ${e.message}`);
  const onClose = (): void => fail('output closed (the agent went away)');
  out.on('error', onError);
  out.on('close', onClose);
  const header = (): void => {
    if (headerDone) return;
    headerDone = true;
    write(pcapHeader(LINKTYPE_H4_WITH_PHDR, { nanos: true }));
  };
  const drained = (): Promise<void> => new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      ac.signal.removeEventListener('abort', done);
      resolve();
    };
    out.on('drain', done);
    ac.signal.addEventListener('abort', done, { once: true });
  });
  // The helper lives until SIGTERM even while nothing holds the event loop
  // (a quiet controller; the fake one of the tests holds no handle at all).
  const alive = setInterval(() => undefined, 1 << 30);
  try {
    const batches = source.open(ac.signal, {
      anomaly: (a) => {
        anomalies[a.code] = (anomalies[a.code] ?? 0) + 1;
      },
      state: (s, detail) => {
        // The source would retry by itself; the helper leaves retrying to systemd (the caller prints why).
        if (s === 'retrying') return fail((detail ?? 'the scan stopped').replace(/; retrying in \d+ ms$/, ''));
        log(`${s}${detail === undefined ? '' : `: ${detail}`}`);
        if (s === 'running') header();
      },
    });
    for await (const batch of batches) {
      header();
      let ok = true;
      for (const f of batch) {
        ok = write(pcapRecord(f.tsSec, f.tsNsec, f.bytes, f.origLen, true));
        frames++;
      }
      // Backpressure: the source keeps at most MAX_PENDING frames and counts what it drops.
      if (!ok && !ac.signal.aborted) await drained();
    }
  } finally {
    clearInterval(alive);
    opts.signal.removeEventListener('abort', stop);
    out.off('error', onError);
    out.off('close', onClose);
  }
  return { code: failure === undefined ? 0 : 1, reason: failure ?? 'stopped', frames, anomalies };
}
