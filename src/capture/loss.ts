/**
 * Whether a live source lost enough frames since the last check to raise
 * `capture.loss`. Pure: the caller keeps the previous totals (one check per
 * health interval) and raises the alert with the facts returned.
 *
 * The share is of the frames offered to the sensor: libpcap's ps_recv already
 * includes the frames the kernel then dropped (ps_drop), but not the ones the
 * interface dropped before the filter (ps_ifdrop), so
 *   share = (Δdropped_kernel + Δdropped_iface) / (Δreceived + Δdropped_iface).
 */
import type { SourceLoss } from './types.js';

export interface LossCheck {
  /** True when frames were lost and their share is above the threshold. */
  readonly alert: boolean;
  /** Device key of the alert: the source, not a ward device. */
  readonly device: string;
  /** Facts for the alert (and the log): the window's counts, share and threshold. */
  readonly facts: {
    readonly source: string;
    readonly received: number;
    readonly dropped_kernel: number;
    readonly dropped_iface: number;
    /** Lost / offered in the window, rounded to 6 decimals. */
    readonly share: number;
    readonly threshold: number;
  };
}

/**
 * `prev` is the totals at the last check (undefined at the first one);
 * `cur` the totals now. A total that went down means the source restarted
 * its counters (a reload replaced it), so the window is then `cur` alone.
 */
export function captureLossCheck(source: string, prev: SourceLoss | undefined, cur: SourceLoss, threshold: number): LossCheck {
  const reset = prev === undefined || cur.received < prev.received || cur.droppedKernel < prev.droppedKernel || cur.droppedIface < prev.droppedIface;
  const base = reset ? { received: 0, droppedKernel: 0, droppedIface: 0 } : prev;
  const received = cur.received - base.received;
  const droppedKernel = cur.droppedKernel - base.droppedKernel;
  const droppedIface = cur.droppedIface - base.droppedIface;
  const lost = droppedKernel + droppedIface;
  const offered = received + droppedIface;
  const share = offered === 0 ? 0 : lost / offered;
  return {
    alert: lost > 0 && share > threshold,
    device: `source:${source}`,
    facts: { source, received, dropped_kernel: droppedKernel, dropped_iface: droppedIface, share: Math.round(share * 1e6) / 1e6, threshold },
  };
}
