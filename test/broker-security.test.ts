/**
 * Broker security against a real Mosquitto: TLS with client certificates
 * (CN = sensor id, `use_identity_as_username`), an ACL confining each sensor
 * to its own topics, user name and password from a file or a systemd
 * credential, and commands from an operator. A throwaway PKI is made with
 * openssl for each run (test/support/pki.ts).
 */
import t from 'tap';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { makeTestPki } from './support/pki.js';
import { startMosquitto, type TestBroker } from './support/mosquitto.js';
import { validateConfig } from '../src/config/index.js';
import { loadMqttSecrets, type MqttSecrets, type SecretsEnv } from '../src/config/secrets.js';
import { Store } from '../src/store/store.js';
import { Outbox } from '../src/publish/outbox.js';
import { MqttSession, type SessionStateChange } from '../src/publish/mqtt-session.js';
import { Topics } from '../src/telemetry/topics.js';
import { encodeStatus, outboxItem, timeNow } from '../src/telemetry/envelope.js';
import { encodeCommand } from '../src/publish/commands.js';
import { decodeTelemetry, type TelemetryMessage } from '../src/telemetry/index.js';
import { pcapFile, type WriterFrame } from '../src/capture/pcap/writer.js';
import { ethernet, ipv4, udp } from './builders/frames.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const SENSOR = 'sensor-1';
const topics = new Topics({ site: 'site', ward: 'ward', sensor: SENSOR });
const otherSensor = new Topics({ site: 'site', ward: 'ward', sensor: 'sensor-2' });
const PASSWORD = 'w4rd-3-gateway-passphrase';

const dir = mkdtempSync(join(tmpdir(), 'iomt-brokersec-'));
const p = (name: string): string => join(dir, name);
let mtls: TestBroker;
let pw: TestBroker;
let impostor: TestBroker;

t.before(async () => {
  await makeTestPki(dir, SENSOR);
  // Each sensor writes only below its own prefix and reads only its commands;
  // %u is the certificate's CN (use_identity_as_username), which the sensor cannot choose.
  writeFileSync(p('acl'), ['pattern write iomt/v1/+/+/%u/#', 'pattern read iomt/v1/+/+/%u/cmd/#', '', 'user operator', 'topic readwrite iomt/v1/#', ''].join('\n'));
  writeFileSync(p('acl-pw'), [`user ${SENSOR}`, `topic write iomt/v1/site/ward/${SENSOR}/#`, `topic read iomt/v1/site/ward/${SENSOR}/cmd/#`, ''].join('\n'));
  execFileSync('mosquitto_passwd', ['-c', '-b', p('mosquitto.passwd'), SENSOR, PASSWORD]);
  writeFileSync(p('password'), `${PASSWORD}\n`, { mode: 0o600 });
  writeFileSync(p('wrong-password'), 'not-the-password\n', { mode: 0o600 });
  mkdirSync(p('creds'));
  writeFileSync(p('creds/mqtt-password'), `${PASSWORD}\n`, { mode: 0o400 });
  writeFileSync(p('creds/mqtt-key'), readFileSync(p('sensor.key')), { mode: 0o400 });
  const server = { cafile: p('ca.crt'), certfile: p('server.crt'), keyfile: p('server.key') };
  [mtls, pw, impostor] = await Promise.all([
    startMosquitto({ anonymous: false, tls: { ...server, requireCertificate: true, useIdentityAsUsername: true }, aclFile: p('acl') }),
    startMosquitto({ anonymous: false, tls: server, passwordFile: p('mosquitto.passwd'), aclFile: p('acl-pw') }),
    // Someone else's broker: a certificate for 127.0.0.1 from a CA the sensor does not trust.
    startMosquitto({ tls: { cafile: p('rogue.crt'), certfile: p('rogue-server.crt'), keyfile: p('rogue-server.key') } }),
  ]);
});

t.teardown(async () => {
  await Promise.all([mtls?.destroy(), pw?.destroy(), impostor?.destroy()]);
  rmSync(dir, { recursive: true, force: true });
});

type Teardown = { teardown(fn: () => unknown): void };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function secrets(mqttSection: Record<string, unknown>, env: SecretsEnv = {}): MqttSecrets {
  const config = validateConfig({ sensor: { id: SENSOR, site: 'site', ward: 'ward' }, sources: [{ type: 'pcap-file', name: 'f', path: 'x' }], mqtt: mqttSection });
  return loadMqttSecrets(config.mqtt, { env });
}

const sensorTls = () => ({ ca_file: p('ca.crt'), cert_file: p('sensor.crt'), key_file: p('sensor.key') });

interface Got {
  topic: string;
  retain: boolean;
  m: ReturnType<typeof decodeTelemetry>;
}

/** The operator's client: its own certificate, read and write on iomt/v1/#. */
async function operator(t: Teardown, filter = `${topics.base}/#`): Promise<{ client: MqttClient; got: Got[] }> {
  const got: Got[] = [];
  const client = mqtt.connect(mtls.url, { ca: readFileSync(p('ca.crt')), cert: readFileSync(p('operator.crt')), key: readFileSync(p('operator.key')), protocolVersion: 5, reconnectPeriod: 200, clientId: `operator-${Math.random().toString(16).slice(2)}` });
  t.teardown(() => client.endAsync(true));
  client.on('message', (topic, payload, packet) => got.push({ topic, retain: packet.retain, m: decodeTelemetry(payload) }));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, got };
}

async function session(t: Teardown, url: string, s: MqttSecrets, topicFor = (stream: string) => topics.stream(stream)) {
  const d = mkdtempSync(join(tmpdir(), 'iomt-brokersec-sess-'));
  const store = await Store.open(d);
  const outbox = await Outbox.open(store, { maxMessages: 10_000, maxBytes: 10_000_000 });
  const states: SessionStateChange[] = [];
  const sess = new MqttSession({
    url,
    sensorId: SENSOR,
    outbox,
    topicFor,
    statusTopic: topics.status,
    statusPayload: (state) => encodeStatus({ sensor: SENSOR, seq: 0, time: timeNow() }, { state, version: 't', uptimeSec: 0, configHash: 'x', sources: [] }),
    reconnectInitialMs: 100,
    reconnectMaxMs: 400,
    connectTimeoutMs: 3000,
    connectOptions: s.connectOptions,
    onState: (c) => states.push(c),
  });
  t.teardown(async () => {
    await sess.close(200);
    await store.close();
    rmSync(d, { recursive: true, force: true });
  });
  const health = (n: number) => outboxItem('health', SENSOR, timeNow(), { counters: { n }, outboxDepth: 0, outboxDropped: 0, rssBytes: 1, sources: [] });
  return { sess, outbox, states, append: (n: number) => outbox.append(...Array.from({ length: n }, (_, i) => health(i))) };
}

// ---------------------------------------------------------------- the agent

function wardCapture(): string {
  const frames: WriterFrame[] = [];
  for (let i = 0; i < 5; i++) {
    const bytes = ethernet({ src: `00:1a:fa:00:02:0${i}`, dst: '00:09:5c:00:00:01', type: 0x0800 }, ipv4({ src: `10.30.0.${10 + i}`, dst: '10.30.0.1', proto: 17 }, udp({ sport: 4000 + i, dport: 2575 }, new Uint8Array(16))));
    frames.push({ tsSec: 1_767_600_000, tsNsec: i * 1000, bytes });
  }
  const file = p('ward.pcap');
  writeFileSync(file, pcapFile(1, frames));
  return file;
}

function agentConfig(name: string, state: string, tls: Record<string, string>): string {
  const file = p(`${name}.yaml`);
  const yamlTls = Object.entries(tls).map(([k, v]) => `${k}: ${v}`).join(', ');
  writeFileSync(
    file,
    `sensor: {id: ${SENSOR}, site: site, ward: ward}
state: {dir: ${state}}
sources:
  - {type: pcap-file, name: ward, path: ${wardCapture()}}
mqtt:
  url: ${mtls.url}
  reconnect: {initial_ms: 100, max_ms: 400}
  tls: {${yamlTls}}
inventory: {learning_period_s: 0, delta_interval_s: 1, snapshot_cron: "0 0 1 1 *"}
health: {interval_s: 3600}
`,
  );
  return file;
}

function runAgent(args: string[]): { child: ChildProcess; out: () => string; exit: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; out: string }>((resolve) => child.once('exit', (code) => resolve({ code, out })));
  return { child, out: () => out, exit };
}

const ok = (g: Got): TelemetryMessage | undefined => (g.m.ok ? g.m : undefined);

t.test('agent with its certificate: telemetry arrives, commands run, bad commands are counted', async (t) => {
  const op = await operator(t);
  const agent = runAgent(['--config', agentConfig('good', p('state-good'), sensorTls())]);
  t.teardown(() => {
    agent.child.kill('SIGKILL');
  });
  await until('an inventory delta over mTLS', () => op.got.some((g) => ok(g)?.kindName === 'inventory-delta'));
  t.ok(op.got.some((g) => ok(g)?.kindName === 'status'), 'retained status online');
  t.equal(op.got.filter((g) => ok(g)?.kindName === 'inventory-snapshot').length, 0, 'no snapshot before the command');

  // Invalid first: garbage, an unknown verb, a retained command; then two valid ones.
  await op.client.publishAsync(topics.cmd('snapshot'), Buffer.from([0xff, 0x00]), { qos: 1 });
  await op.client.publishAsync(topics.cmd('reboot'), Buffer.from(encodeCommand('x')), { qos: 1 });
  await op.client.publishAsync(topics.cmd('snapshot'), Buffer.from(encodeCommand('old')), { qos: 1, retain: true });
  t.teardown(() => op.client.publishAsync(topics.cmd('snapshot'), Buffer.alloc(0), { qos: 1, retain: true }));
  await op.client.publishAsync(topics.cmd('snapshot'), Buffer.from(encodeCommand('req-1')), { qos: 1 });
  await until('the inventory snapshot', () => op.got.some((g) => ok(g)?.kindName === 'inventory-snapshot'));
  const snap = op.got.map(ok).find((m) => m?.kindName === 'inventory-snapshot');
  t.equal(snap?.kindName === 'inventory-snapshot' ? snap.body.devices.length : -1, 5, 'the snapshot lists every device');

  await op.client.publishAsync(topics.cmd('health'), Buffer.from(encodeCommand('req-2')), { qos: 1 });
  await until('the health message', () => op.got.some((g) => ok(g)?.kindName === 'health'));
  const health = op.got.map(ok).find((m) => m?.kindName === 'health');
  const counters = health?.kindName === 'health' ? health.body.counters : {};
  t.match(counters, { 'cmd.rejected.not_cbor': 1, 'cmd.rejected.verb': 1, 'cmd.accepted.snapshot': 1, 'cmd.accepted.health': 1, 'mqtt.commandSubscribeFailures': 0 }, 'counted in health');
  t.equal(counters['cmd.rejected.retained'], 1, 'the retained command is refused (Retain As Published keeps its flag)');
  t.equal(op.got.filter((g) => ok(g)?.kindName === 'inventory-snapshot').length, 1, 'only the valid snapshot command ran');

  agent.child.kill('SIGTERM');
  const { code, out } = await agent.exit;
  t.equal(code, 0);
  t.match(out, /msg="command accepted" verb=snapshot request_id=req-1/);
  t.match(out, /msg="commands rejected" count=1 last_reason=not_cbor/);
  const keyBody = readFileSync(p('sensor.key'), 'utf8').split('\n')[1]!;
  t.notOk(out.includes(keyBody), 'no key material in the log');
});

t.test('agent with a certificate from another CA: refused, says why, retries, loses nothing', async (t) => {
  const op = await operator(t);
  const state = p('state-rogue');
  const stats = p('stats-rogue.json');
  const bad = runAgent(['--config', agentConfig('rogue', state, { ca_file: p('ca.crt'), cert_file: p('rogue-sensor.crt'), key_file: p('rogue-sensor.key') }), '--stats-file', stats]);
  const refusals = () => bad.out().match(/msg="broker offline" .*reason="TLS: certificate rejected by broker \(alert unknown ca\)"/g)?.length ?? 0;
  await until('three refusals', () => refusals() >= 3);
  t.notMatch(bad.out(), /broker online/, 'never online');
  t.same(op.got.filter((g) => !g.retain).map((g) => g.topic), [], 'nothing reached the broker (retained messages are from earlier tests)');
  bad.child.kill('SIGTERM');
  t.equal((await bad.exit).code, 0);
  const s = JSON.parse(readFileSync(stats, 'utf8')) as { messages: { acked: number; lastSeq: number; outboxDepth: number } };
  t.equal(s.messages.acked, 0);
  t.ok(s.messages.outboxDepth > 0 && s.messages.outboxDepth === s.messages.lastSeq, `the outbox kept all ${s.messages.lastSeq} messages`);

  // The right certificate installed: everything queued arrives.
  const good = runAgent(['--config', agentConfig('fixed', state, sensorTls()), '--exit-when-done']);
  const done = await good.exit;
  t.equal(done.code, 0, done.out);
  await until('every queued seq', () => new Set(op.got.map((g) => ok(g)?.seq ?? 0).filter((x) => x > 0)).size >= s.messages.lastSeq).catch(() => undefined);
  const seqs = new Set(op.got.map((g) => ok(g)?.seq ?? 0));
  const missing = Array.from({ length: s.messages.lastSeq }, (_, i) => i + 1).filter((x) => !seqs.has(x));
  t.same(missing, [], `seq 1..${s.messages.lastSeq} all delivered`);
});

// ---------------------------------------------------------------- the session

t.test('the sensor refuses a broker whose certificate its CA does not sign', async (t) => {
  const s = secrets({ url: impostor.url, tls: sensorTls() });
  t.equal(s.connectOptions.rejectUnauthorized, true);
  const watcher = mqtt.connect(impostor.url, { ca: readFileSync(p('rogue.crt')), protocolVersion: 5 });
  const seen: string[] = [];
  watcher.on('message', (topic) => seen.push(topic));
  t.teardown(() => watcher.endAsync(true));
  await new Promise<void>((r) => watcher.once('connect', () => r()));
  await watcher.subscribeAsync('#', { qos: 1 });
  const { sess, states, append } = await session(t, impostor.url, s);
  await append(2);
  sess.start();
  await until('two refusals', () => states.filter((c) => c.state === 'offline').length >= 2);
  t.match(states.find((c) => c.state === 'offline')?.reason, /^TLS: broker certificate is not trusted; the sensor refuses the broker \(SELF_SIGNED_CERT_IN_CHAIN/);
  t.notOk(states.some((c) => c.state === 'online'));
  // A barrier, not a fixed wait: the broker routes in order, so once the
  // watcher hears its own later message, anything from the refused attempts would have come first.
  await watcher.publishAsync('h4-barrier', 'b', { qos: 1 });
  await until('the barrier', () => seen.includes('h4-barrier'));
  t.same(seen, ['h4-barrier'], 'the impostor got nothing, not even the will');
  t.equal(sess.stats.published, 0);
});

t.test('the sensor refuses the right broker under a name its certificate does not carry', async (t) => {
  const { sess, states } = await session(t, mtls.url, secrets({ url: mtls.url, tls: { ...sensorTls(), server_name: 'broker.example.org' } }));
  sess.start();
  await until('a refusal', () => states.some((c) => c.state === 'offline'));
  t.match(states.find((c) => c.state === 'offline')?.reason, /^TLS: broker certificate does not match the host name/);
});

t.test('the ACL keeps the sensor inside its prefix', async (t) => {
  const op = await operator(t, `${otherSensor.base}/#`);
  // Through the session: an outbox whose topics point at another sensor.
  const { sess, outbox, states, append } = await session(t, mtls.url, secrets({ url: mtls.url, tls: sensorTls() }), (stream) => otherSensor.stream(stream));
  await append(3);
  sess.start();
  await until('three refusals', () => sess.stats.rejected >= 3);
  t.ok(states.some((c) => c.state === 'online'), 'the sensor itself is allowed on');
  t.equal(sess.stats.acked, 0);
  // The count comes first, the outbox's discard is a store write after it: wait for it, bounded.
  await until('refused messages to leave the outbox', () => outbox.depth === 0);
  t.equal(outbox.depth, 0, 'refused messages leave the outbox (counted), so they cannot block it');

  // A raw client with the sensor's certificate sees the reason code itself.
  const s = secrets({ url: mtls.url, tls: sensorTls() });
  const raw = mqtt.connect(mtls.url, { ...s.connectOptions, protocolVersion: 5, clientId: `${SENSOR}-raw`, reconnectPeriod: 0 });
  t.teardown(() => raw.endAsync(true));
  await new Promise<void>((r) => raw.once('connect', () => r()));
  await t.rejects(raw.publishAsync(otherSensor.stream('alerts'), 'forged', { qos: 1 }), { code: 0x87 }, 'PUBACK 0x87 not authorised');
  await t.resolves(raw.publishAsync(topics.stream('alerts'), Buffer.from('own'), { qos: 1 }), 'its own prefix is allowed');
  // Reading: the sensor may subscribe, but Mosquitto 2.0 delivers only what `read` allows.
  const heard: string[] = [];
  raw.on('message', (topic) => heard.push(topic));
  await raw.subscribeAsync(`${otherSensor.base}/#`, { qos: 1 });
  await raw.subscribeAsync(topics.cmd('snapshot'), { qos: 1 });
  await op.client.publishAsync(otherSensor.cmd('snapshot'), Buffer.from(encodeCommand('x')), { qos: 1 });
  // A barrier, not a fixed wait: a later command to this sensor, from the same
  // operator connection, arrives after the first one would have.
  await op.client.publishAsync(topics.cmd('snapshot'), Buffer.from(encodeCommand('y')), { qos: 1 });
  await until('the command to this sensor', () => heard.includes(topics.cmd('snapshot')));
  t.same(heard, [topics.cmd('snapshot')], 'no other sensor\'s traffic reaches it');
  t.same(op.got.filter((g) => !g.topic.includes('/cmd/')).map((g) => g.topic), [], 'no forged telemetry under the other sensor\'s prefix');
});

t.test('user name and password from a file, and from a systemd credential, over TLS', async (t) => {
  for (const [name, section, env] of [
    ['password_file', { password_file: p('password') }, {}],
    ['credential:mqtt-password', { password_file: 'credential:mqtt-password' }, { CREDENTIALS_DIRECTORY: p('creds') }],
  ] as const) {
    const { sess, outbox, states, append } = await session(t, pw.url, secrets({ url: pw.url, username: SENSOR, ...section, tls: { ca_file: p('ca.crt') } }, env));
    await append(2);
    sess.start();
    await until(`${name}: delivered`, () => sess.stats.acked >= 2);
    t.ok(states.some((c) => c.state === 'online'), `${name}: online`);
    // acked counts the PUBACK; the outbox's removal is a store write after it: wait for it, bounded.
    await until(`${name}: outbox drained`, () => outbox.depth === 0);
    t.equal(outbox.depth, 0, `${name}: outbox drained`);
    await sess.close(500);
  }
  // And the client key as a credential too, against the mTLS broker.
  const { sess: s2, states: st2 } = await session(t, mtls.url, secrets({ url: mtls.url, tls: { ...sensorTls(), key_file: 'credential:mqtt-key' } }, { CREDENTIALS_DIRECTORY: p('creds') }));
  s2.start();
  await until('key from credential: online', () => st2.some((c) => c.state === 'online'));

  const { sess, states, outbox, append } = await session(t, pw.url, secrets({ url: pw.url, username: SENSOR, password_file: p('wrong-password'), tls: { ca_file: p('ca.crt') } }));
  await append(1);
  sess.start();
  await until('a refusal', () => states.filter((c) => c.state === 'offline').length >= 2);
  // Mosquitto 2.0.11 answers a wrong password on MQTT 5 with 0x87, not 0x86.
  t.equal(states.find((c) => c.state === 'offline')?.reason, 'not authorised (CONNACK 135)');
  t.equal(outbox.depth, 1, 'the outbox keeps the message');
  t.notOk(JSON.stringify(states).includes(PASSWORD));
});

t.test('a world-readable password file stops the agent at start-up', async (t) => {
  writeFileSync(p('password-world'), `${PASSWORD}\n`);
  chmodSync(p('password-world'), 0o644);
  const file = p('world.yaml');
  writeFileSync(file, `sensor: {id: ${SENSOR}, site: site, ward: ward}\nstate: {dir: ${p('state-world')}}\nsources: [{type: pcap-file, name: f, path: ${wardCapture()}}]\nmqtt: {url: ${pw.url}, username: ${SENSOR}, password_file: ${p('password-world')}, tls: {ca_file: ${p('ca.crt')}}}\n`);
  const { code, out } = await runAgent(['--config', file]).exit;
  t.equal(code, 2);
  t.match(out, /mqtt\.password_file = ".*password-world": mode 0644 lets any local user read it; the mode must not allow others to read/);
  t.notOk(out.includes(PASSWORD));
});
