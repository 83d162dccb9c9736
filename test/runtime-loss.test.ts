/**
 * The runtime turns a live source's libpcap totals into telemetry: the
 * counters go out in `health`, the totals in each source's status entry,
 * and a loss above `capture.loss_alert_share` between two health messages
 * raises `capture.loss`. The parts are the real ones (LevelDB store and
 * outbox, gate, pipeline, supervisor); the source is a small one that
 * reports the totals a tcpdump would (src/capture/pcap-live/stats.ts reads
 * the real tool's; src/capture/pcap-live/loss.test.ts tests that path).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { Outbox } from '../src/publish/outbox.js';
import { MqttSession } from '../src/publish/mqtt-session.js';
import { Scheduler } from '../src/publish/scheduler.js';
import { AlertGate } from '../src/alerts/gate.js';
import { AlertCatalogue } from '../src/alerts/catalogue.js';
import { BatchSink } from '../src/analyze/sink.js';
import { Pipeline } from '../src/analyze/pipeline.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { OuiRegistry } from '../src/identify/oui.js';
import { SourceSupervisor } from '../src/capture/supervisor.js';
import type { CaptureSource, RawFrame, SourceEvents, SourceLoss } from '../src/capture/types.js';
import { Runtime } from '../src/runtime/runtime.js';
import { Quarantine } from '../src/runtime/quarantine.js';
import { replayConfig } from '../src/analyze/replay-config.js';
import { decodeTelemetry } from '../src/telemetry/index.js';

/** A live-like source whose loss totals the test sets; it runs until stopped. */
class Reporting implements CaptureSource {
  private events: SourceEvents | undefined;
  constructor(readonly name: string) {}
  report(l: SourceLoss): void {
    this.events?.loss?.(l);
  }
  async *open(signal: AbortSignal, events: SourceEvents): AsyncIterable<readonly RawFrame[]> {
    this.events = events;
    events.state('running', 'test');
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    events.state('ended', 'aborted');
  }
}

t.test('loss counters in health and status, and capture.loss above the share', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-rtloss-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = replayConfig({ sensor: { id: 'loss', site: 't', ward: 't' }, state: { dir }, capture: { loss_alert_share: 0.01 } });
  const store = await Store.open(join(dir, 'db'));
  const outbox = await Outbox.open(store, { maxMessages: 1000, maxBytes: 1 << 20 });
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100 });
  const sink = new BatchSink(gate);
  const decoder = defaultFrameDecoder();
  const pipeline = new Pipeline(decoder, [], sink);
  const rt = new Runtime({ config, configHash: 'h', log: { log: () => {} }, store, outbox, gate, sink, pipeline, decoder, quarantine: new Quarantine({ dir: undefined }), oui: new OuiRegistry() });
  const src = new Reporting('span0');
  const sources = new SourceSupervisor({ process: (b) => rt.process(b), count: (c) => rt.count(c), changed: () => {}, allEnded: () => {}, log: { log: () => {} } }, () => src);
  // Not connected anywhere: the messages stay in the outbox, where the test reads them.
  const session = new MqttSession({ url: 'mqtt://127.0.0.1:1', sensorId: 'loss', outbox, topicFor: (s) => s, statusTopic: 'status', statusPayload: (s) => rt.statusPayload(s) });
  rt.link({ sources, session, scheduler: new Scheduler([]), broker: undefined });
  sources.start({ type: 'pcap-live', name: 'span0', iface: 'x' } as Parameters<SourceSupervisor['start']>[0]);
  t.teardown(async () => {
    await sources.stopAll();
    await session.close(0);
    await store.close();
  });

  const messages = async () => (await outbox.peek(100)).map((e) => decodeTelemetry(e.bytes)).filter((m) => m.ok);
  src.report({ received: 10_000, droppedKernel: 0, droppedIface: 0 });
  await rt.health();
  src.report({ received: 20_000, droppedKernel: 50, droppedIface: 0 }); // 0.5% of the window: below 1%
  await rt.health();
  src.report({ received: 30_000, droppedKernel: 350, droppedIface: 10 }); // 310 of 10,010 offered: 3.1%
  await rt.health();
  const all = await messages();
  const health = all.filter((m) => m.kindName === 'health');
  t.equal(health.length, 3);
  const last = health[2]!.kindName === 'health' ? health[2]!.body : undefined;
  t.equal(last?.counters['source.span0.dropped_kernel'], 350, 'health carries the kernel drops');
  t.equal(last?.counters['source.span0.dropped_iface'], 10, 'and the interface drops');
  t.match(last?.sources[0], { name: 'span0', received: 30_000, droppedKernel: 350, droppedIface: 10 }, 'the source status carries the totals');
  const alerts = all.filter((m) => m.kindName === 'alert').map((m) => (m.kindName === 'alert' ? m.body : undefined)!);
  t.equal(alerts.length, 1, 'one capture.loss: the window over the share, not the one under it');
  t.match(alerts[0], { code: 'capture.loss', facts: { source: 'span0', dropped_kernel: 300, dropped_iface: 10 } });
  const status = decodeTelemetry(rt.statusPayload('online'));
  t.ok(status.ok && status.kindName === 'status' && status.body.sources[0]?.droppedKernel === 350, 'the retained status too');
});
