import t from 'tap';
import { captureLossCheck } from './loss.js';
import { addLoss, parseCaptureStats } from './pcap-live/stats.js';
import { SourceSupervisor } from './supervisor.js';
import type { CaptureSource, RawFrame, SourceEvents, SourceLoss } from './types.js';

const L = (received: number, droppedKernel: number, droppedIface = 0): SourceLoss => ({ received, droppedKernel, droppedIface });

t.test('captureLossCheck: the window between two checks decides', async (t) => {
  // The numbers measured on main: 415,200 offered, 1,313 lost (0.32 %).
  const first = captureLossCheck('span0', undefined, L(415_200, 1_313), 0.001);
  t.equal(first.alert, true, '0.32 % is above 0.1 %');
  t.same(first.facts, { source: 'span0', received: 415_200, dropped_kernel: 1_313, dropped_iface: 0, share: 0.003162, threshold: 0.001 });
  t.equal(first.device, 'source:span0');

  const quiet = captureLossCheck('span0', L(415_200, 1_313), L(515_200, 1_313), 0.001);
  t.equal(quiet.alert, false, 'no new drop since the last check: no alert, though the totals still show loss');
  t.same([quiet.facts.received, quiet.facts.dropped_kernel, quiet.facts.share], [100_000, 0, 0]);

  const small = captureLossCheck('span0', L(1000, 0), L(101_000, 50), 0.001);
  t.equal(small.alert, false, '50 of 100,000 (0.05 %) is under the threshold');
  t.equal(captureLossCheck('span0', L(1000, 0), L(101_000, 50), 0).alert, true, 'threshold 0: any loss alerts');
  t.equal(captureLossCheck('span0', L(1000, 0), L(101_000, 200), 0.001).alert, true, '0.2 % alerts');
  t.equal(captureLossCheck('span0', L(1000, 0), L(101_000, 100), 0.001).alert, false, 'exactly the threshold does not');
  t.equal(captureLossCheck('span0', L(1000, 0), L(101_000, 100_000), 1).alert, false, 'threshold 1: never');

  const iface = captureLossCheck('span0', L(0, 0, 0), L(900, 0, 100), 0.001);
  t.equal(iface.alert, true, 'interface drops count');
  t.equal(iface.facts.share, 0.1, 'of 900 received plus 100 dropped before the filter');

  const idle = captureLossCheck('span0', L(5, 0), L(5, 0), 0.001);
  t.same([idle.alert, idle.facts.share], [false, 0], 'nothing offered: share 0, no division by zero');

  const restarted = captureLossCheck('span0', L(500_000, 10), L(2000, 30), 0.001);
  t.equal(restarted.facts.received, 2000, 'totals went down (source replaced): the window is the new totals');
  t.equal(restarted.alert, true);
});

t.test('parseCaptureStats reads tcpdump and dumpcap reports', async (t) => {
  t.same(parseCaptureStats('tcpdump: listening on v, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n'), undefined, 'no report yet');
  t.same(parseCaptureStats('tcpdump: 4 packets captured, 10 packets received by filter, 0 packets dropped by kernel\n'), L(10, 0), 'SIGUSR1 line');
  t.same(parseCaptureStats('tcpdump: 4 packets captured, 10 packets received by filter, 0 packets dropped by kernel'), undefined, 'a line not yet complete is not read');
  t.same(parseCaptureStats('tcpdump: 1 packet captured, 1 packet received by filter, 3 packets dropped by kernel, 7 packets dropped by interface\n'), L(1, 3, 7), 'singular and interface drops');
  const exit = 'tcpdump: 4 packets captured, 10 packets received by filter, 0 packets dropped by kernel\n415200 packets captured\n415200 packets received by filter\n1313 packets dropped by kernel\n';
  t.same(parseCaptureStats(exit), L(415_200, 1313), 'the exit report, the last one, wins');
  t.same(parseCaptureStats('9 packets received by filter\n2 packets dropped by kernel\n5 packets dropped by interface\n'), L(9, 2, 5));
  t.same(parseCaptureStats("Packets captured: 90\nPackets received/dropped on interface 'eth1': 90/12 (pcap:10/dumpcap:1/flushed:1/ps_ifdrop:4) (88.2%)\n"), L(102, 12, 4), 'dumpcap');
  t.same(addLoss(L(1, 2, 3), L(10, 20, 30)), L(11, 22, 33));
});

/** A source that reports the loss totals it is given, then ends: the supervisor's bookkeeping is what is tested. */
class ScriptedSource implements CaptureSource {
  constructor(readonly name: string, private readonly reports: SourceLoss[]) {}
  async *open(_signal: AbortSignal, events: SourceEvents): AsyncGenerator<readonly RawFrame[]> {
    events.state('running');
    for (const r of this.reports) events.loss?.(r);
    events.state('ended');
  }
}

t.test('the supervisor keeps the latest loss totals per source', async (t) => {
  let ended!: () => void;
  const allEnded = new Promise<void>((r) => (ended = r));
  const sup = new SourceSupervisor(
    { process: () => undefined, count: () => undefined, changed: () => undefined, allEnded: () => ended(), log: { log: () => undefined } },
    (c) => new ScriptedSource(c.name, c.name === 'span0' ? [L(10, 0), L(2000, 7, 1)] : []),
  );
  sup.start({ type: 'pcap-file', name: 'span0', path: '-', realtime: false });
  sup.start({ type: 'pcap-file', name: 'replay', path: '-', realtime: false });
  await allEnded;
  t.same(sup.lossCounters(), { 'source.span0.received': 2000, 'source.span0.dropped_kernel': 7, 'source.span0.dropped_iface': 1 },
    'the last report; nothing for a source that reports none');
  t.same(sup.status(), [
    { name: 'span0', state: 'ended', received: 2000, droppedKernel: 7, droppedIface: 1 },
    { name: 'replay', state: 'ended' },
  ]);
  t.same(sup.loss('span0'), L(2000, 7, 1));
  t.equal(sup.loss('replay'), undefined);
  t.equal(captureLossCheck('span0', undefined, sup.loss('span0')!, 0.001).alert, true, 'wired together: 8 of 2001 lost alerts');
});
