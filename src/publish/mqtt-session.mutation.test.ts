/**
 * Session paths that mqtt-session.test.ts never ran, found as NoCoverage
 * mutants by `npm run mutation -- publish`: the command subscription (MQTT 5
 * Retain Handling 2), a session taken over by another
 * client, and start() after close(). Real Mosquitto.
 */
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Store } from '../store/store.js';
import { Outbox } from './outbox.js';
import { MqttSession, type SessionStateChange } from './mqtt-session.js';
import { Topics } from '../telemetry/topics.js';
import { startMosquitto } from '../../test/support/mosquitto.js';

type Teardown = { teardown(fn: () => unknown): void };

const SENSOR = 'h3-mut-pi';
const topics = new Topics({ site: 'st-olaf', ward: 'icu-2', sensor: SENSOR });

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

async function outboxFor(t: Teardown): Promise<Outbox> {
  const dir = await mkdtemp(join(tmpdir(), 'h3-sess-mut-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(dir);
  t.teardown(() => store.close());
  return Outbox.open(store, { maxMessages: 100, maxBytes: 100_000 });
}

interface Command {
  readonly topic: string;
  readonly payload: string;
  readonly retained: boolean;
}

function session(outbox: Outbox, url: string, pv: 4 | 5, got: Command[], states: SessionStateChange[]): MqttSession {
  return new MqttSession({
    url,
    sensorId: SENSOR,
    outbox,
    protocolVersion: pv,
    topicFor: (s) => topics.stream(s),
    statusTopic: topics.status,
    statusPayload: (state) => new TextEncoder().encode(state),
    reconnectInitialMs: 100,
    reconnectMaxMs: 200,
    reconnectJitter: 0,
    onState: (c) => states.push(c),
    commands: { filter: topics.cmdFilter, handle: (topic, payload, retained) => got.push({ topic, payload: Buffer.from(payload).toString(), retained }) },
  });
}

t.test('commands arrive through the subscription; a retained one is not replayed at subscribe (v5)', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.destroy());
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  t.teardown(() => pub.endAsync(true));
  await pub.publishAsync(topics.cmd('old'), 'stale', { qos: 1, retain: true });
  const got: Command[] = [];
  const states: SessionStateChange[] = [];
  const s = session(await outboxFor(t), broker.url, 5, got, states);
  s.start();
  t.teardown(() => s.close(0));
  await waitFor(() => s.state === 'online', 5000, 'online');
  // The SUBACK may trail the CONNACK: publish until the first live command arrives.
  await waitFor(() => {
    if (got.length === 0) void pub.publishAsync(topics.cmd('reload'), 'live', { qos: 1 });
    return got.length > 0;
  }, 5000, 'a live command');
  t.same(got[0], { topic: topics.cmd('reload'), payload: 'live', retained: false });
  t.notOk(got.some((c) => c.payload === 'stale'), 'retained command not replayed');
  t.equal(s.stats.commands, got.length);
  t.equal(s.stats.commandSubscribeFailures, 0);
});

t.test('a session taken over is lost with a reason, then reconnects; start after close throws', async (t) => {
  const broker = await startMosquitto();
  t.teardown(() => broker.destroy());
  const states: SessionStateChange[] = [];
  const s = session(await outboxFor(t), broker.url, 5, [], states);
  s.start();
  t.teardown(() => s.close(0));
  await waitFor(() => s.state === 'online', 5000, 'online');
  // Same client id: the broker takes the session over. Mosquitto 2.0 just closes
  // the old socket; a broker that sends DISCONNECT 0x8E first (MQTT 5 §4.13) gets that as the reason.
  const thief = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: SENSOR, reconnectPeriod: 0 });
  thief.on('error', () => undefined);
  await waitFor(() => states.some((c) => c.state === 'offline'), 5000, 'offline');
  t.match(states.find((c) => c.state === 'offline')?.reason, /^(connection lost|broker sent DISCONNECT \(reason 142\))$/);
  await thief.endAsync(true);
  await waitFor(() => s.state === 'online' && s.stats.connects === 2, 5000, 'back online');
  t.equal(s.stats.connectFailures, 0, 'both connections got their CONNACK');
  await s.close(0);
  t.throws(() => s.start(), /MqttSession\.start after close/);
  t.same(states.at(-1), { state: 'offline', reason: 'closed' });
});
