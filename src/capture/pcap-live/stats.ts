/**
 * libpcap's drop counters, read from what the capture tool prints on stderr.
 *
 * tcpdump 4.99 (print_stats/info() in tcpdump.c) prints pcap_stats() on
 * SIGUSR1 (Linux has no SIGINFO, so tcpdump uses SIGUSR1 as its "request
 * info" signal) on one line, and at exit over several lines:
 *   tcpdump: 4 packets captured, 10 packets received by filter, 0 packets dropped by kernel
 *   10 packets received by filter\n0 packets dropped by kernel\n
 * followed by ", N packets dropped by interface" (or its own line) only when
 * ps_ifdrop is not 0.
 *
 * dumpcap 4.0 prints its totals only at exit (report_packet_drops() in
 * dumpcap.c), and dies on SIGUSR1, so it is never polled:
 *   Packets received/dropped on interface 'eth1': R/D (pcap:P/dumpcap:U/flushed:F/ps_ifdrop:I) (x%)
 * where R counts only the packets dumpcap got, so received = R + D there.
 */
import type { SourceLoss } from '../types.js';

const TCPDUMP = /(\d+) packets? received by filter(?:, |\r?\n)(\d+) packets? dropped by kernel(?:(?:, |\r?\n)(\d+) packets? dropped by interface)?\r?\n/g;
const DUMPCAP = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+) \(pcap:(\d+)\/dumpcap:(\d+)\/flushed:(\d+)\/ps_ifdrop:(\d+)\)/g;

/** The last complete statistics report in `text`, or undefined when there is none. */
export function parseCaptureStats(text: string): SourceLoss | undefined {
  let found: SourceLoss | undefined;
  for (const m of text.matchAll(TCPDUMP)) {
    found = { received: Number(m[1]), droppedKernel: Number(m[2]), droppedIface: Number(m[3] ?? 0) };
  }
  if (found !== undefined) return found;
  for (const m of text.matchAll(DUMPCAP)) {
    // Everything lost inside the sensor host (ring buffer, dumpcap's queue, flush) counts as kernel-side loss.
    const lost = Number(m[3]) + Number(m[4]) + Number(m[5]);
    found = { received: Number(m[1]) + lost, droppedKernel: lost, droppedIface: Number(m[6]) };
  }
  return found;
}

/** `a + b`, field by field: totals of earlier runs of the tool plus the current run. */
export function addLoss(a: SourceLoss, b: SourceLoss): SourceLoss {
  return { received: a.received + b.received, droppedKernel: a.droppedKernel + b.droppedKernel, droppedIface: a.droppedIface + b.droppedIface };
}

export const NO_LOSS: SourceLoss = { received: 0, droppedKernel: 0, droppedIface: 0 };
