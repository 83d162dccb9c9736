import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { parseConfigText, ConfigError, validateConfig } from './index.js';
import { configSchema } from './schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const sample = readFileSync(join(root, 'docs', 'sample-config.yaml'), 'utf8');

const minimal = { sensor: { id: 's1', site: 'h', ward: 'w' }, sources: [{ type: 'pcap-file', name: 'f', path: 'x.pcap' }] };

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw, 'test.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

t.test('the sample config parses with all its defaults', async (t) => {
  const c = parseConfigText(sample, 'sample-config.yaml');
  t.equal(c.sensor.id, 'ward3-gw1');
  t.equal(c.sources[0]?.type, 'pcap-live');
  t.equal(c.inventory.max_devices, 4096);
  t.equal(c.mqtt.url, undefined, 'no url: embedded broker');
  t.equal(c.mqtt.embedded.port, 1884);
});

t.test('the sample documents every key the schema knows', async (t) => {
  const keys = new Set<string>();
  const walk = (schema: unknown): void => {
    const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return;
    if (def.type === 'object') {
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
        keys.add(k);
        walk(v);
      }
    }
    for (const inner of ['innerType', 'in', 'element']) if (def[inner]) walk(def[inner]);
    if (Array.isArray(def.options)) for (const o of def.options) walk(o);
  };
  walk(configSchema);
  t.ok(keys.size > 30, `found ${keys.size} keys`);
  for (const k of keys) t.match(sample, new RegExp(`\\b${k}:`), `sample mentions ${k}`);
});

const bad: Array<[string, unknown, RegExp]> = [
  ['unknown source type', { ...minimal, sources: [{ type: 'pcap-lvie', name: 'f', iface: 'eth0' }] }, /^sources\[0\]\.type = "pcap-lvie": .*pcap-file.*pcap-live/],
  ['bad sensor id', { ...minimal, sensor: { id: 'a/b', site: 'h', ward: 'w' } }, /^sensor\.id = "a\/b": expected 1-64 characters/],
  ['misspelt key', { ...minimal, inventroy: {} }, /^inventroy: unknown key/],
  ['too small cap', { ...minimal, inventory: { max_devices: 3 } }, /^inventory\.max_devices = 3: .*>=16/],
  ['missing sources', { sensor: minimal.sensor }, /^sources = \(missing\)/],
  ['bad url', { ...minimal, mqtt: { url: 'http://x' } }, /^mqtt\.url = "http:\/\/x": expected mqtt:\/\//],
  ['immediate with the helper', { ...minimal, sources: [{ type: 'pcap-live', name: 'l', iface: 'eth0', immediate: true, via: 'helper' }] }, /^sources\[0\]\.immediate = true: immediate works only with tool: tcpdump and via: child/],
  ['a site network that is not a CIDR', { ...minimal, inventory: { site_networks: ['10.0.0.0/8', '10.30.0.0'] } }, /^inventory\.site_networks\[1\] = "10\.30\.0\.0": expected a CIDR/],
  ['quarantine mode', { ...minimal, runtime: { quarantine: 'payload' } }, /^runtime\.quarantine = "payload": .*headers.*full.*off/],
  // wired-app (issue 7 part B)
  ['telnet session cap too small', { ...minimal, wired_app: { max_telnet_sessions: 3 } }, /^wired_app\.max_telnet_sessions = 3: .*>=16/],
  ['commit_pending too small', { ...minimal, runtime: { commit_pending: 10 } }, /^runtime\.commit_pending = 10: .*>=64/],
  ['loss share above 1', { ...minimal, capture: { loss_alert_share: 2 } }, /^capture\.loss_alert_share = 2: .*<=1/],
  ['backoff order', { ...minimal, sources: [{ type: 'pcap-live', name: 'l', iface: 'eth0', backoff: { initial_ms: 5000, max_ms: 100 } }] }, /^sources\[0\]\.backoff = .*max_ms must be >= initial_ms/],
];

t.test('bad configuration names the key, the value and what is allowed', async (t) => {
  for (const [name, raw, re] of bad) {
    const p = problems(raw);
    t.ok(p.length >= 1, `${name}: rejected`);
    t.ok(p.some((l) => re.test(l)), `${name}: ${p.join(' | ')}`);
  }
  t.same(problems(minimal), [], 'the minimal config is valid');
});

t.test('YAML syntax errors and duplicate keys are config errors', async (t) => {
  t.throws(() => parseConfigText('sensor: [unclosed', 'x.yaml'), ConfigError);
  t.throws(() => parseConfigText('sensor: {id: a}\nsensor: {id: b}\n', 'x.yaml'), /YAML syntax/);
});
