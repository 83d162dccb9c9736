/**
 * MQTT credentials and TLS material, read at start-up from the files the
 * `mqtt` section names, and checked before anything else starts. Every
 * problem is one line in the style of src/config (`key = value: what is
 * allowed`), and no line ever carries a secret: values shown are paths.
 *
 * A path may be `credential:NAME`: under systemd with `LoadCredential=NAME:…`
 * (or `LoadCredentialEncrypted=`), the unit's `$CREDENTIALS_DIRECTORY/NAME`.
 *
 * Trust: `tls.ca_file` absent means Node's built-in CA list (the Mozilla
 * roots compiled into Node, plus `NODE_EXTRA_CA_CERTS`), not the OS store, so
 * the behaviour does not depend on which Debian packages are installed. A
 * hospital's private CA must be named in `ca_file`. Broker verification is
 * never turned off: `rejectUnauthorized` is always true.
 */
import { readFileSync, statSync } from 'node:fs';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { inspect } from 'node:util';
import type { Config } from './schema.js';
import { ConfigError } from './index.js';

export type MqttConfig = Config['mqtt'];

/** The process environment, or the part of it this module reads. */
export interface SecretsEnv {
  readonly CREDENTIALS_DIRECTORY?: string | undefined;
}

/** What mqtt.js gets: the same shape as `MqttSessionOptions.connectOptions`. */
export interface MqttConnectSecrets {
  readonly username?: string;
  readonly password?: Buffer;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly servername?: string;
  readonly rejectUnauthorized: true;
}

/** MQTT 5 §1.5.6: binary data (the password) is at most 65,535 bytes. */
const MAX_PASSWORD = 65_535;
const MAX_PEM = 1024 * 1024;
const CREDENTIAL = 'credential:';

/**
 * The loaded material. `connectOptions` is not enumerable, and JSON and
 * `util.inspect` show only `summary`, so logging this object by mistake
 * prints paths and certificate names, never the password or the key.
 */
export class MqttSecrets {
  declare readonly connectOptions: MqttConnectSecrets;

  constructor(
    connectOptions: MqttConnectSecrets,
    /** Safe to log: where each item came from, the client certificate's subject and expiry. */
    readonly summary: Readonly<Record<string, string>>,
  ) {
    Object.defineProperty(this, 'connectOptions', { value: Object.freeze(connectOptions), enumerable: false });
  }

  toJSON(): Readonly<Record<string, string>> {
    return this.summary;
  }

  [inspect.custom](): string {
    return `MqttSecrets ${JSON.stringify(this.summary)}`;
  }
}

/** `credential:NAME` → `$CREDENTIALS_DIRECTORY/NAME`; other paths as they are. Throws a one-line reason. */
export function resolveSecretPath(value: string, env: SecretsEnv): string {
  if (!value.startsWith(CREDENTIAL)) return value;
  const name = value.slice(CREDENTIAL.length);
  // systemd credential names are file names: no '/', and not '.' or '..'.
  if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new Error('expected credential:NAME with NAME a file name');
  const dir = env.CREDENTIALS_DIRECTORY;
  if (dir === undefined || dir === '') {
    throw new Error(`$CREDENTIALS_DIRECTORY is not set: credential:${name} works only under systemd with LoadCredential=${name}:/path in the unit`);
  }
  if (!isAbsolute(dir)) throw new Error(`$CREDENTIALS_DIRECTORY = ${JSON.stringify(dir)} is not an absolute path`);
  return join(dir, name);
}

function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return `permission denied for user ${process.getuid?.() ?? '?'}`;
    case 'EISDIR':
      return 'is a directory';
    default:
      return e.code ?? 'cannot read';
  }
}

interface ReadOk {
  readonly path: string;
  readonly bytes: Buffer;
}

/**
 * Reads one file named by `key`. `secret` files (password, private key) must
 * not be readable by others: any local account could otherwise take the
 * sensor's identity.
 */
function readSecretFile(key: string, value: string, env: SecretsEnv, secret: boolean, problems: string[]): ReadOk | undefined {
  const shown = `${key} = ${JSON.stringify(value)}`;
  let path: string;
  try {
    path = resolveSecretPath(value, env);
  } catch (err) {
    problems.push(`${shown}: ${(err as Error).message}`);
    return undefined;
  }
  const where = path === value ? '' : ` (${path})`;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      problems.push(`${shown}${where}: not a regular file`);
      return undefined;
    }
    if (st.size > MAX_PEM) {
      problems.push(`${shown}${where}: ${st.size} bytes; at most ${MAX_PEM} are allowed`);
      return undefined;
    }
    if (secret && (st.mode & 0o004) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      problems.push(`${shown}${where}: mode ${mode} lets any local user read it; the mode must not allow others to read (chmod o-rwx, e.g. 0600 or 0640)`);
      return undefined;
    }
    return { path, bytes: readFileSync(path) };
  } catch (err) {
    problems.push(`${shown}${where}: cannot read the file: ${fsReason(err)}`);
    return undefined;
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function parseCerts(key: string, value: string, bytes: Buffer, problems: string[]): X509Certificate[] | undefined {
  const blocks = bytes.toString('latin1').match(PEM_CERT) ?? [];
  if (blocks.length === 0) {
    problems.push(`${key} = ${JSON.stringify(value)}: no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)`);
    return undefined;
  }
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    problems.push(`${key} = ${JSON.stringify(value)}: not a valid PEM certificate (${(err as Error).message.replace(/^error:[0-9A-F]+:/, '')})`);
    return undefined;
  }
}

function parseKey(key: string, value: string, bytes: Buffer, problems: string[]): KeyObject | undefined {
  const text = bytes.toString('latin1');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    problems.push(`${key} = ${JSON.stringify(value)}: the key is encrypted; the sensor needs an unencrypted key, protected by its file mode or by systemd LoadCredentialEncrypted=`);
    return undefined;
  }
  if (!/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/.test(text)) {
    problems.push(`${key} = ${JSON.stringify(value)}: no PEM private key in it (expected -----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----)`);
    return undefined;
  }
  try {
    return createPrivateKey({ key: bytes, format: 'pem' });
  } catch {
    // The library's message is not shown: it is about the key's bytes.
    problems.push(`${key} = ${JSON.stringify(value)}: not a valid PEM private key`);
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Reads and checks everything the `mqtt` section points at. Throws a
 * `ConfigError` listing every problem; returns the material for mqtt.js.
 */
export function loadMqttSecrets(mqtt: MqttConfig, opts: { env?: SecretsEnv; file?: string } = {}): MqttSecrets {
  const problems = checkMqttSecretsInto(mqtt, opts.env ?? process.env);
  if (problems.errors.length > 0) throw new ConfigError(opts.file ?? 'the mqtt section', problems.errors);
  return problems.secrets;
}

function checkMqttSecretsInto(mqtt: MqttConfig, env: SecretsEnv): { errors: string[]; secrets: MqttSecrets } {
  const errors: string[] = [];
  const options: { -readonly [K in keyof MqttConnectSecrets]: MqttConnectSecrets[K] } = { rejectUnauthorized: true };
  const summary: Record<string, string> = {};
  const url = mqtt.url;
  const tls = mqtt.tls;
  const secure = url?.startsWith('mqtts://') === true;
  const host = url === undefined ? undefined : new URL(url).hostname;

  if (url === undefined) {
    // The embedded broker is plain MQTT without authentication.
    if (tls !== undefined) errors.push('mqtt.tls: set, but mqtt.url is not; the embedded broker has no TLS (set mqtt.url = mqtts://host:8883)');
    if (mqtt.username !== undefined || mqtt.password_file !== undefined) {
      errors.push('mqtt.username/password_file: set, but mqtt.url is not; credentials are only for an external broker (set mqtt.url)');
    }
  } else if (tls !== undefined && !secure) {
    errors.push(`mqtt.url = ${JSON.stringify(url)}: mqtt.tls is set, so the URL must be mqtts://`);
  }

  if (tls !== undefined) {
    if (tls.key_file !== undefined && tls.cert_file === undefined) errors.push(`mqtt.tls.cert_file = (missing): mqtt.tls.key_file is set; a client key needs its certificate`);
    if (tls.cert_file !== undefined && tls.key_file === undefined) errors.push(`mqtt.tls.key_file = (missing): mqtt.tls.cert_file is set; a client certificate needs its private key`);
    if (tls.ca_file !== undefined) {
      const f = readSecretFile('mqtt.tls.ca_file', tls.ca_file, env, false, errors);
      const certs = f && parseCerts('mqtt.tls.ca_file', tls.ca_file, f.bytes, errors);
      if (f && certs) {
        options.ca = f.bytes;
        summary.ca_file = f.path;
        summary.ca = certs.map((c) => c.subject.replaceAll('\n', ', ')).join('; ');
      }
    } else if (secure) {
      summary.ca = "Node's built-in CA list";
    }
    if (tls.cert_file !== undefined && tls.key_file !== undefined) {
      const cf = readSecretFile('mqtt.tls.cert_file', tls.cert_file, env, false, errors);
      const kf = readSecretFile('mqtt.tls.key_file', tls.key_file, env, true, errors);
      const cert = cf && parseCerts('mqtt.tls.cert_file', tls.cert_file, cf.bytes, errors)?.[0];
      const key = kf && parseKey('mqtt.tls.key_file', tls.key_file, kf.bytes, errors);
      if (cert && key) {
        if (!cert.checkPrivateKey(key)) {
          errors.push(`mqtt.tls.key_file = ${JSON.stringify(tls.key_file)}: does not belong to the certificate in mqtt.tls.cert_file (${cert.subject.replaceAll('\n', ', ')})`);
        } else {
          options.cert = cf.bytes;
          options.key = kf.bytes;
          summary.cert_file = cf.path;
          summary.key_file = kf.path;
          summary.client_cert = cert.subject.replaceAll('\n', ', ');
          summary.client_cert_expires = new Date(cert.validTo).toISOString();
        }
      }
    }
    if (tls.server_name !== undefined) {
      options.servername = tls.server_name;
      summary.server_name = tls.server_name;
    }
  } else if (secure) {
    summary.ca = "Node's built-in CA list";
  }

  if (mqtt.username !== undefined) {
    options.username = mqtt.username;
    summary.username = mqtt.username;
  }
  if (mqtt.password_file !== undefined) {
    if (mqtt.username === undefined) errors.push('mqtt.username = (missing): mqtt.password_file is set; a password needs a user name');
    if (url !== undefined && !secure && host !== undefined && !isLoopback(host)) {
      errors.push(`mqtt.url = ${JSON.stringify(url)}: mqtt.password_file is set and the password would cross the network in the clear; use mqtts:// (plain mqtt:// is allowed only to a loopback address)`);
    }
    const f = readSecretFile('mqtt.password_file', mqtt.password_file, env, true, errors);
    if (f) {
      // One line; the trailing newline an editor or `echo` adds is not part of the password.
      const text = f.bytes.subarray(0, f.bytes.length - (f.bytes.at(-1) === 0x0a ? (f.bytes.at(-2) === 0x0d ? 2 : 1) : 0));
      const shown = `mqtt.password_file = ${JSON.stringify(mqtt.password_file)}`;
      if (text.length === 0) errors.push(`${shown}: the file is empty; expected the password on one line`);
      else if (text.includes(0x0a)) errors.push(`${shown}: the file has more than one line; expected only the password`);
      else if (text.length > MAX_PASSWORD) errors.push(`${shown}: the password is ${text.length} bytes; at most ${MAX_PASSWORD} are allowed`);
      else {
        options.password = Buffer.from(text);
        summary.password_file = f.path;
      }
    }
  }
  return { errors, secrets: new MqttSecrets(options, summary) };
}
