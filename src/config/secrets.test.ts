import t from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, validateConfig } from './index.js';
import { loadMqttSecrets, resolveSecretPath, type SecretsEnv } from './secrets.js';
import { makeTestPki } from '../../test/support/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'iomt-secrets-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const PASSWORD = 'correct-horse-battery-staple';
const f = (name: string): string => join(dir, name);

function secretFile(name: string, text: string, mode: number): string {
  writeFileSync(f(name), text);
  chmodSync(f(name), mode);
  return f(name);
}

const base = { sensor: { id: 'gw-1', site: 's', ward: 'w' }, sources: [{ type: 'pcap-file', name: 'f', path: 'x.pcap' }] };

function load(mqtt: Record<string, unknown>, env: SecretsEnv = {}) {
  return loadMqttSecrets(validateConfig({ ...base, mqtt }).mqtt, { env, file: 'test.yaml' });
}

function problems(mqtt: Record<string, unknown>, env: SecretsEnv = {}): string[] {
  try {
    load(mqtt, env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

t.before(async () => {
  await makeTestPki(dir, 'gw-1');
  secretFile('password', `${PASSWORD}\n`, 0o600);
  secretFile('password-crlf', `${PASSWORD}\r\n`, 0o640);
  secretFile('password-world', `${PASSWORD}\n`, 0o644);
  secretFile('password-empty', '\n', 0o600);
  secretFile('password-two-lines', `${PASSWORD}\nsecond\n`, 0o600);
  secretFile('cert-as.key', readFileSync(f('sensor.crt'), 'utf8'), 0o600);
  secretFile('sensor-world.key', readFileSync(f('sensor.key'), 'utf8'), 0o644);
  execFileSync('openssl', ['pkey', '-in', f('sensor.key'), '-aes256', '-passout', 'pass:x', '-out', f('encrypted.key')]);
  chmodSync(f('encrypted.key'), 0o600);
  mkdirSync(f('creds'));
  secretFile('creds/mqtt-password', `${PASSWORD}\n`, 0o400);
  secretFile('creds/mqtt-key', readFileSync(f('sensor.key'), 'utf8'), 0o400);
});

const TLS_URL = 'mqtts://broker.example.org:8883';

t.test('a complete mqtts configuration loads, and nothing secret shows when printed', async (t) => {
  const s = load({
    url: TLS_URL,
    username: 'gw-1',
    password_file: f('password'),
    tls: { ca_file: f('ca.crt'), cert_file: f('sensor.crt'), key_file: f('sensor.key'), server_name: 'broker.example.org' },
  });
  const o = s.connectOptions;
  t.equal(o.rejectUnauthorized, true, 'broker verification is on');
  t.equal(o.password?.toString(), PASSWORD, 'the trailing newline is not part of the password');
  t.equal(o.username, 'gw-1');
  t.equal(o.servername, 'broker.example.org');
  t.same(o.ca, readFileSync(f('ca.crt')));
  t.same(o.key, readFileSync(f('sensor.key')));
  t.match(s.summary, { client_cert: 'CN=gw-1', ca: 'CN=ca', password_file: f('password') });
  const keyBody = readFileSync(f('sensor.key'), 'utf8').split('\n')[1]!;
  for (const [how, text] of [['JSON', JSON.stringify(s)], ['inspect', inspect(s, { showHidden: false, depth: 5 })], ['template', `${JSON.stringify({ s })}`]] as const) {
    t.notMatch(text, PASSWORD, `${how}: no password`);
    t.notOk(text.includes(keyBody), `${how}: no key material`);
  }
});

t.test('credential:NAME reads $CREDENTIALS_DIRECTORY/NAME', async (t) => {
  const env = { CREDENTIALS_DIRECTORY: f('creds') };
  const s = load({ url: TLS_URL, username: 'gw-1', password_file: 'credential:mqtt-password', tls: { ca_file: f('ca.crt'), cert_file: f('sensor.crt'), key_file: 'credential:mqtt-key' } }, env);
  t.equal(s.connectOptions.password?.toString(), PASSWORD);
  t.same(s.connectOptions.key, readFileSync(f('sensor.key')));
  t.equal(s.summary.key_file, join(f('creds'), 'mqtt-key'));
  t.equal(resolveSecretPath('/etc/x', env), '/etc/x', 'plain paths stay');
  t.throws(() => resolveSecretPath('credential:a', {}), /\$CREDENTIALS_DIRECTORY is not set/);
  t.throws(() => resolveSecretPath('credential:a', { CREDENTIALS_DIRECTORY: 'rel' }), /not an absolute path/);
});

t.test('CRLF endings and group-readable (0640) password files are fine', async (t) => {
  const s = load({ url: TLS_URL, username: 'u', password_file: f('password-crlf') });
  t.equal(s.connectOptions.password?.toString(), PASSWORD);
});

t.test('mqtts:// without ca_file trusts Node\'s built-in CA list', async (t) => {
  const s = load({ url: TLS_URL });
  t.equal(s.connectOptions.ca, undefined, 'no ca option: Node\'s default trust store');
  t.equal(s.connectOptions.rejectUnauthorized, true);
  t.equal(s.summary.ca, "Node's built-in CA list");
  t.same(load({}).connectOptions, { rejectUnauthorized: true }, 'embedded broker: nothing');
});

const bad: Array<[string, () => Record<string, unknown>, SecretsEnv, RegExp]> = [
  ['missing CA file', () => ({ url: TLS_URL, tls: { ca_file: f('nope.crt') } }), {}, /^mqtt\.tls\.ca_file = ".*nope\.crt": cannot read the file: no such file$/],
  ['CA path is a directory', () => ({ url: TLS_URL, tls: { ca_file: f('creds') } }), {}, /^mqtt\.tls\.ca_file = ".*creds": not a regular file$/],
  ['CA file without a certificate', () => ({ url: TLS_URL, tls: { ca_file: f('sensor.ext') } }), {}, /^mqtt\.tls\.ca_file = ".*": no PEM certificate in it/],
  ['key without cert', () => ({ url: TLS_URL, tls: { key_file: f('sensor.key') } }), {}, /^mqtt\.tls\.cert_file = \(missing\): mqtt\.tls\.key_file is set; a client key needs its certificate$/],
  ['cert without key', () => ({ url: TLS_URL, tls: { cert_file: f('sensor.crt') } }), {}, /^mqtt\.tls\.key_file = \(missing\): mqtt\.tls\.cert_file is set/],
  ['key of another certificate', () => ({ url: TLS_URL, tls: { cert_file: f('sensor.crt'), key_file: f('operator.key') } }), {}, /^mqtt\.tls\.key_file = ".*operator\.key": does not belong to the certificate in mqtt\.tls\.cert_file \(CN=gw-1\)$/],
  ['certificate file given as key', () => ({ url: TLS_URL, tls: { cert_file: f('sensor.crt'), key_file: f('cert-as.key') } }), {}, /^mqtt\.tls\.key_file = ".*cert-as\.key": no PEM private key in it/],
  ['encrypted key', () => ({ url: TLS_URL, tls: { cert_file: f('sensor.crt'), key_file: f('encrypted.key') } }), {}, /^mqtt\.tls\.key_file = ".*encrypted\.key": the key is encrypted/],
  ['world-readable key', () => ({ url: TLS_URL, tls: { cert_file: f('sensor.crt'), key_file: f('sensor-world.key') } }), {}, /^mqtt\.tls\.key_file = ".*": mode 0644 lets any local user read it; the mode must not allow others to read/],
  ['world-readable password file', () => ({ url: TLS_URL, username: 'u', password_file: f('password-world') }), {}, /^mqtt\.password_file = ".*password-world": mode 0644 lets any local user read it; the mode must not allow others to read \(chmod o-rwx, e\.g\. 0600 or 0640\)$/],
  ['empty password file', () => ({ url: TLS_URL, username: 'u', password_file: f('password-empty') }), {}, /^mqtt\.password_file = ".*": the file is empty/],
  ['two-line password file', () => ({ url: TLS_URL, username: 'u', password_file: f('password-two-lines') }), {}, /^mqtt\.password_file = ".*": the file has more than one line/],
  ['password without user name', () => ({ url: TLS_URL, password_file: f('password') }), {}, /^mqtt\.username = \(missing\): mqtt\.password_file is set/],
  ['password in the clear over the network', () => ({ url: 'mqtt://broker.example.org', username: 'u', password_file: f('password') }), {}, /^mqtt\.url = "mqtt:\/\/broker\.example\.org": mqtt\.password_file is set and the password would cross the network in the clear; use mqtts:\/\//],
  ['tls with mqtt://', () => ({ url: 'mqtt://broker.example.org', tls: { ca_file: f('ca.crt') } }), {}, /^mqtt\.url = "mqtt:\/\/broker\.example\.org": mqtt\.tls is set, so the URL must be mqtts:\/\/$/],
  ['tls with the embedded broker', () => ({ tls: { ca_file: f('ca.crt') } }), {}, /^mqtt\.tls: set, but mqtt\.url is not/],
  ['credential: without systemd', () => ({ url: TLS_URL, username: 'u', password_file: 'credential:mqtt-password' }), {}, /^mqtt\.password_file = "credential:mqtt-password": \$CREDENTIALS_DIRECTORY is not set: credential:mqtt-password works only under systemd with LoadCredential=mqtt-password:\/path/],
  ['missing credential', () => ({ url: TLS_URL, username: 'u', password_file: 'credential:nope' }), { CREDENTIALS_DIRECTORY: f('creds') }, /^mqtt\.password_file = "credential:nope" \(.*\/creds\/nope\): cannot read the file: no such file$/],
];

t.test('bad credentials and TLS files name the key, the value and what is allowed', async (t) => {
  for (const [name, mqtt, env, re] of bad) {
    const p = problems(mqtt(), env);
    t.ok(p.some((l) => re.test(l)), `${name}: ${p.join(' | ')}`);
    t.notOk(p.join('\n').includes(PASSWORD), `${name}: the password is not in the message`);
  }
  t.same(problems({ url: 'mqtt://127.0.0.1:1883', username: 'u', password_file: f('password') }), [], 'plain mqtt:// with a password is allowed to loopback');
});

t.test('a password written where its file belongs is not echoed', async (t) => {
  let msg = '';
  try {
    validateConfig({ ...base, mqtt: { url: TLS_URL, username: 'u', password_file: PASSWORD, tls: { key_file: '-----BEGIN PRIVATE KEY-----MIGHAgEAMBMG' } } }, 'x.yaml');
  } catch (err) {
    msg = (err as Error).message;
  }
  t.match(msg, /mqtt\.password_file = \(not shown\): expected an absolute path or credential:NAME/);
  t.match(msg, /mqtt\.tls\.key_file = \(not shown\)/);
  t.notMatch(msg, PASSWORD);
  t.notMatch(msg, 'MIGHAgEAMBMG');
});
