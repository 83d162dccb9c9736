import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import { Store } from '../store/store.js';
import { Outbox } from './outbox.js';
import { MqttSession, describeError, type SessionStateChange, type MqttSessionOptions } from './mqtt-session.js';
import { Topics } from '../telemetry/topics.js';
import { encodeStatus, messageFactory, outboxItem, timeNow } from '../telemetry/envelope.js';
import type { HealthBody } from '../telemetry/kinds.js';
import { startEmbeddedBroker } from './embedded-broker.js';
import { decodeTelemetry } from '../telemetry/index.js';
import { startMosquitto, freePort, type TestBroker } from '../../test/support/mosquitto.js';

type Teardown = { teardown(fn: () => unknown): void };

const SENSOR = 'ward7-pi';
const topics = new Topics({ site: 'st-olaf', ward: 'icu-2', sensor: SENSOR });

interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
  properties: IPublishPacket['properties'];
}

function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (pred()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

async function subscriber(t: Teardown, url: string, opts: IClientOptions = {}): Promise<{ client: MqttClient; got: Received[] }> {
  const got: Received[] = [];
  const client = mqtt.connect(url, { reconnectPeriod: 200, ...opts });
  t.teardown(() => client.endAsync(true));
  client.on('message', (topic, payload, packet) => got.push({ topic, payload, retain: packet.retain, properties: packet.properties }));
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(`${topics.base}/#`, { qos: 1 });
  return { client, got };
}

async function openOutbox(t: Teardown, dir?: string, bounds = { maxMessages: 10_000, maxBytes: 10_000_000 }) {
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'iomt-sess-')));
  if (dir === undefined) t.teardown(() => rm(d, { recursive: true, force: true }));
  const store = await Store.open(d);
  t.teardown(() => store.close());
  return { dir: d, store, outbox: await Outbox.open(store, bounds) };
}

const statusPayload = (state: 'online' | 'offline'): Uint8Array =>
  encodeStatus({ sensor: SENSOR, seq: 0, time: timeNow() }, { state, version: '0.1.0', uptimeSec: 0, configHash: 'abc', sources: [] });

function sessionFor(outbox: Outbox, url: string, extra: Partial<MqttSessionOptions> = {}): { session: MqttSession; states: SessionStateChange[] } {
  const states: SessionStateChange[] = [];
  const session = new MqttSession({
    url,
    sensorId: SENSOR,
    outbox,
    topicFor: (s) => topics.stream(s),
    statusTopic: topics.status,
    statusPayload,
    reconnectInitialMs: 100,
    reconnectMaxMs: 400,
    reconnectJitter: 0,
    onState: (c) => states.push(c),
    ...extra,
  });
  return { session, states };
}

const health = (n: number): HealthBody => ({ counters: { n }, outboxDepth: 0, outboxDropped: 0, rssBytes: 1000, sources: [] });

function appendHealth(outbox: Outbox, count: number) {
  return outbox.append(...Array.from({ length: count }, (_, i) => outboxItem('health', SENSOR, timeNow(), health(i))));
}

/** Seqs of one stream, or of every sequenced stream (everything but status) when none is given. */
function seqsOf(got: Received[], stream?: string): number[] {
  return got
    .filter((m) => (stream === undefined ? m.topic !== topics.status : m.topic === topics.stream(stream)))
    .map((m) => {
      const d = decodeTelemetry(m.payload);
      if (!d.ok) throw new Error(`undecodable payload: ${d.code} ${d.detail}`);
      return d.seq;
    });
}

/** Every seq 1..n present; each new seq is exactly one more than the highest so far (duplicates allowed). */
function orderCheck(seqs: number[]): { bad: string[]; max: number; distinct: number } {
  let max = 0;
  const bad: string[] = [];
  for (const s of seqs) {
    if (s <= max) continue; // duplicate of something already seen
    if (s !== max + 1) bad.push(`${s} after ${max}`);
    max = s;
  }
  return { bad, max, distinct: new Set(seqs).size };
}
const inOrder = (n: number) => ({ bad: [], max: n, distinct: n });

t.test('describeError names the reason', async (t) => {
  t.equal(describeError({ code: 'ECONNREFUSED', message: 'x' }, 5), 'ECONNREFUSED');
  t.equal(describeError({ code: 5, message: 'x' }, 4), 'not authorised (CONNACK 5)');
  t.equal(describeError({ code: 0x87, message: 'x' }, 5), 'not authorised (CONNACK 135)');
  t.equal(describeError(new Error('boom'), 5), 'boom');
});

t.test('MQTT 5: drains in order with properties, retained status, last will, clean close', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.destroy());
  const { got } = await subscriber(t, broker.url, { protocolVersion: 5 });
  const { outbox } = await openOutbox(t);
  await appendHealth(outbox, 20);
  await outbox.append(
    outboxItem('alert', SENSOR, timeNow(), {
      code: 'wifi.deauth_flood', severity: 3, device: 'mac:aa:bb:cc:dd:ee:ff', time: [1_700_000_000, 5],
      title: 'Deauthentication flood', facts: { frames: 200, bssid: 'aa:bb' }, count: 1,
    }),
  );
  const { session, states } = sessionFor(outbox, broker.url);
  session.start();
  await waitFor(() => outbox.depth === 0 && seqsOf(got).length >= 20 && seqsOf(got, 'alerts').length === 1, 10_000, 'drain');
  t.same(orderCheck(seqsOf(got)), inOrder(21), 'every seq 1..21, no gap, no reordering');
  t.same(seqsOf(got, 'alerts'), [21]);
  const h = got.find((m) => m.topic === topics.stream('health'))!;
  t.equal(h.properties?.contentType, 'application/cbor');
  t.ok(h.properties?.messageExpiryInterval !== undefined && h.properties.messageExpiryInterval <= 900 && h.properties.messageExpiryInterval > 890, 'health expires');
  const a = got.find((m) => m.topic === topics.stream('alerts'))!;
  t.equal(a.properties?.messageExpiryInterval, undefined, 'alerts never expire');
  const online = got.find((m) => m.topic === topics.status);
  t.ok(online, 'status published');
  const st = decodeTelemetry(online!.payload);
  t.ok(st.ok && st.kindName === 'status' && st.body.state === 'online' && st.seq === 0, 'status online, seq 0');
  t.same(states.slice(0, 2).map((s) => s.state), ['connecting', 'online']);

  // Kill the socket under the session: the broker publishes the last will, the session reconnects.
  const before = got.length;
  (session as unknown as { client: MqttClient }).client.stream.destroy();
  await waitFor(() => got.slice(before).filter((m) => m.topic === topics.status).length >= 2, 10_000, 'will + online');
  const statuses = got.slice(before).filter((m) => m.topic === topics.status).map((m) => decodeTelemetry(m.payload));
  t.same(statuses.map((s) => (s.ok && s.kindName === 'status' ? s.body.state : '?')), ['offline', 'online'], 'will then online');
  t.ok(states.some((s) => s.state === 'offline' && s.reason !== undefined), 'offline with a reason');

  // A late subscriber sees the retained status.
  const late = await subscriber(t, broker.url, { protocolVersion: 5 });
  await waitFor(() => late.got.some((m) => m.topic === topics.status), 5000, 'retained status');
  t.ok(late.got.find((m) => m.topic === topics.status)!.retain, 'status is retained');

  await appendHealth(outbox, 5);
  await session.close(5000);
  t.equal(outbox.depth, 0, 'close flushed the outbox');
  t.equal(states.at(-1)?.reason, 'closed');
  await waitFor(() => { const s = late.got.filter((m) => m.topic === topics.status).at(-1); const d = s && decodeTelemetry(s.payload); return d !== undefined && d.ok && d.kindName === 'status' && d.body.state === 'offline'; }, 5000, 'offline status on close');
  t.same(orderCheck(seqsOf(got)), inOrder(26), 'every seq 1..26, no gap, no reordering');
});

/** Reconnect waits the test fires itself, recording the delay the session asked for. */
class ManualTimer {
  readonly waits: Array<{ readonly ms: number; readonly fn: () => void; cancelled: boolean; fired: boolean }> = [];
  readonly timer = (ms: number, fn: () => void): (() => void) => {
    const w = { ms, fn, cancelled: false, fired: false };
    this.waits.push(w);
    return () => (w.cancelled = true);
  };
  fire(): void {
    const w = this.waits.at(-1)!;
    w.fired = true;
    w.fn();
  }
}

t.test('connection refused is reported and retried with growing delays', async (t) => {
  const port = await freePort(); // nothing listens: every connect is refused
  const { outbox } = await openOutbox(t);
  const clock = new ManualTimer();
  const { session, states } = sessionFor(outbox, `mqtt://127.0.0.1:${port}`, { reconnectInitialMs: 50, reconnectMaxMs: 200, reconnectTimer: clock.timer });
  session.start();
  t.teardown(() => session.close(0));
  const connecting = () => states.filter((s) => s.state === 'connecting').length;
  for (let i = 1; i <= 5; i++) {
    await waitFor(() => clock.waits.length === i, 10_000, `refusal ${i}`);
    t.equal(connecting(), i, `attempt ${i + 1} waits for the backoff`);
    if (i < 5) clock.fire();
  }
  t.ok(states.some((s) => s.state === 'offline' && s.reason === 'ECONNREFUSED'), 'reason ECONNREFUSED');
  t.same(clock.waits.map((w) => w.ms), [50, 100, 200, 200, 200], 'doubles from 50 ms, capped at 200 ms');
  t.equal(session.stats.connectFailures, 5);
  await session.close(0);
  t.ok(clock.waits.at(-1)!.cancelled, 'close cancels the pending reconnect');
  t.equal(connecting(), 5, 'no attempt after close');
});

t.test('reconnect jitter shortens each delay by at most its fraction', async (t) => {
  const port = await freePort();
  const { outbox } = await openOutbox(t);
  const clock = new ManualTimer();
  const { session } = sessionFor(outbox, `mqtt://127.0.0.1:${port}`, { reconnectInitialMs: 1000, reconnectMaxMs: 4000, reconnectJitter: 0.5, reconnectTimer: clock.timer });
  session.start();
  t.teardown(() => session.close(0));
  for (let i = 1; i <= 3; i++) {
    await waitFor(() => clock.waits.length === i, 10_000, `refusal ${i}`);
    if (i < 3) clock.fire();
  }
  const [a, b, c] = clock.waits.map((w) => w.ms);
  t.ok(a! >= 500 && a! <= 1000, `first in 500..1000 (${a})`);
  t.ok(b! >= 1000 && b! <= 2000, `second in 1000..2000 (${b})`);
  t.ok(c! >= 2000 && c! <= 4000, `third in 2000..4000 (${c})`);
});

t.test('broker refusing anonymous clients: reason says not authorised', async (t) => {
  const broker = await startMosquitto({ anonymous: false });
  t.teardown(() => broker.destroy());
  for (const pv of [4, 5] as const) {
    const { outbox } = await openOutbox(t);
    const { session, states } = sessionFor(outbox, broker.url, { protocolVersion: pv, reconnectInitialMs: 1000 });
    session.start();
    await waitFor(() => states.some((s) => s.state === 'offline'), 5000, 'refusal');
    await session.close(0);
    const reason = states.find((s) => s.state === 'offline')!.reason ?? '';
    t.match(reason, /not authori[sz]ed|bad user name/, `v${pv}: ${reason}`);
  }
});

t.test('expired entries are discarded and counted, not sent', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.destroy());
  const { got } = await subscriber(t, broker.url);
  let now = 1_000_000_000_000;
  const dir = await mkdtemp(join(tmpdir(), 'iomt-sess-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  t.teardown(() => store.close());
  const outbox = await Outbox.open(store, { maxMessages: 100, maxBytes: 100_000, now: () => now });
  await outbox.append({ stream: 'health', priority: 'normal', expirySec: 60, payloadFactory: messageFactory('health', SENSOR, timeNow(), health(1)) });
  await outbox.append({ stream: 'alerts', priority: 'alert', payloadFactory: messageFactory('alert', SENSOR, timeNow(), { code: 'x.y', severity: 1, device: 'ip:10.0.0.1', time: [1, 0], title: 't', facts: {}, count: 1 }) });
  now += 61_000;
  const { session } = sessionFor(outbox, broker.url, { now: () => now });
  session.start();
  t.teardown(() => session.close(0));
  await waitFor(() => outbox.depth === 0 && seqsOf(got, 'alerts').length === 1, 5000, 'drain');
  t.same(seqsOf(got, 'health'), [], 'expired health not sent');
  t.same(outbox.healthCounters(), { 'outbox.expired.health': 1 });
  t.equal(session.stats.expired, 1);
});

t.test('embedded aedes broker with MQTT 3.1.1', async (t) => {
  const eb = await startEmbeddedBroker({ port: 0 });
  t.teardown(() => eb.close());
  t.match(eb.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
  const { got } = await subscriber(t, eb.url, { protocolVersion: 4 });
  const { outbox } = await openOutbox(t);
  await appendHealth(outbox, 50);
  const { session, states } = sessionFor(outbox, eb.url, { protocolVersion: eb.protocolVersion });
  session.start();
  await waitFor(() => outbox.depth === 0 && seqsOf(got).length >= 50, 10_000, 'drain via aedes');
  t.same(orderCheck(seqsOf(got)), inOrder(50), 'every seq 1..50, no gap, no reordering');
  t.ok(states.some((s) => s.state === 'online'));
  await session.close(2000);
  await t.rejects(startEmbeddedBroker({ port: eb.port }), /cannot listen on 127\.0\.0\.1:\d+/);
});

t.test('outage: broker stopped mid-drain and sensor restarted while it is down; nothing lost or reordered', async (t) => {
  const broker: TestBroker = await startMosquitto();
  t.teardown(() => broker.destroy());
  // A persistent session (3.1.1, clean: false) so the broker queues for the subscriber across its restart.
  const { got } = await subscriber(t, broker.url, { protocolVersion: 4, clean: false, clientId: 'outage-sub' });
  const first = await openOutbox(t);
  t.same((await appendHealth(first.outbox, 300)).at(-1), 300);
  const s1 = sessionFor(first.outbox, broker.url, { inflightWindow: 16 });
  s1.session.start();
  await waitFor(() => seqsOf(got).length >= 40, 10_000, 'some delivered');
  await broker.stop('SIGTERM');
  await waitFor(() => s1.session.state !== 'online', 5000, 'session notices outage');
  t.ok(first.outbox.depth > 0, `outbox still holds ${first.outbox.depth} un-acked entries`);
  t.same((await appendHealth(first.outbox, 100)).at(-1), 400, 'appends continue while offline');

  // Simulated restart of the sensor: close everything, reopen from disk.
  await s1.session.close(0);
  await first.store.close();
  const second = await openOutbox(t, first.dir);
  t.equal(second.outbox.lastSeq, 400, 'seq survives the restart');
  t.same(await appendHealth(second.outbox, 100), Array.from({ length: 100 }, (_, i) => 401 + i), 'seq continues at 401');

  await new Promise((r) => setTimeout(r, 300));
  await broker.start();
  const s2 = sessionFor(second.outbox, broker.url, { inflightWindow: 16 });
  s2.session.start();
  t.teardown(() => s2.session.close(0));
  await waitFor(() => second.outbox.depth === 0 && new Set(seqsOf(got)).size >= 500, 30_000, 'all 500 delivered').catch((err: Error) => {
    const seqs = seqsOf(got);
    throw new Error(`${err.message}: outbox depth ${second.outbox.depth}, received ${new Set(seqs).size} distinct, ` +
      `${JSON.stringify(orderCheck(seqs).bad.slice(0, 5))}, states ${JSON.stringify(s2.states)}`);
  });
  t.same(orderCheck(seqsOf(got)), inOrder(500), 'every seq 1..500, no gap, no reordering');
  t.comment(`received ${seqsOf(got).length} messages for 500 seqs (duplicates are allowed)`);
  t.equal(second.outbox.dropped, 0);
});

t.test('a publish the broker refuses (PUBACK 0x87) is discarded and counted, the rest flows', async (t) => {
  const { writeFile } = await import('node:fs/promises');
  const aclDir = await mkdtemp(join(tmpdir(), 'iomt-acl-'));
  t.teardown(() => rm(aclDir, { recursive: true, force: true }));
  const acl = join(aclDir, 'acl');
  // Anonymous clients may use every stream but alerts.
  await writeFile(acl, ['topic readwrite iomt/v1/+/+/+/health', 'topic readwrite iomt/v1/+/+/+/status', ''].join('\n'));
  const broker = await startMosquitto({ extra: [`acl_file ${acl}`] });
  t.teardown(() => broker.destroy());
  const { got } = await subscriber(t, broker.url, { protocolVersion: 5 });
  const { outbox } = await openOutbox(t);
  await appendHealth(outbox, 2);
  await outbox.append(outboxItem('alert', SENSOR, timeNow(), { code: 'x.y', severity: 1, device: 'ip:10.0.0.1', time: [1, 0], title: 't', facts: {}, count: 1 }));
  await appendHealth(outbox, 2);
  const { session } = sessionFor(outbox, broker.url);
  session.start();
  t.teardown(() => session.close(0));
  await waitFor(() => outbox.depth === 0 && seqsOf(got, 'health').length === 4, 5000, 'drain');
  t.same(seqsOf(got, 'health'), [1, 2, 4, 5]);
  t.equal(session.stats.rejected, 1);
  t.same(outbox.healthCounters(), { 'outbox.rejected.alerts': 1 });
});
