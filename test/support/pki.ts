/**
 * A throwaway PKI for broker tests, made with the openssl command line (EC
 * P-256 keys: quick). Two unrelated CAs: `ca` (the hospital's) and `rogue`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

function openssl(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('openssl', args, { cwd }, (err, _out, stderr) => (err ? reject(new Error(`openssl ${args.join(' ')}: ${stderr}`)) : resolve())),
  );
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** `<dir>/<name>.crt` and `<dir>/<name>.key` (mode 0600): a self-signed CA. */
export async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(['req', '-x509', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await chmod(join(dir, `${name}.key`), 0o600);
}

/** A leaf certificate `<dir>/<name>.crt` with key `<name>.key` (0600), signed by `ca`. */
export async function makeLeaf(dir: string, name: string, opts: { cn: string; ca: string; usage: 'server' | 'client'; san?: string }): Promise<void> {
  await openssl(['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${opts.cn}`], dir);
  const ext = [`extendedKeyUsage=${opts.usage === 'server' ? 'serverAuth' : 'clientAuth'}`, ...(opts.san === undefined ? [] : [`subjectAltName=${opts.san}`])];
  await writeFile(join(dir, `${name}.ext`), ext.join('\n') + '\n');
  // A random serial per certificate: parallel runs would race on a shared .srl file.
  const serial = `0x${randomBytes(8).toString('hex')}`;
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${opts.ca}.crt`, '-CAkey', `${opts.ca}.key`, '-set_serial', serial, '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
  await chmod(join(dir, `${name}.key`), 0o600);
}

/**
 * ca/rogue CAs; `server` (127.0.0.1, localhost) and `rogue-server` for the
 * broker; `sensor` (CN = sensorId), `operator` and `rogue-sensor` (CN =
 * sensorId, but from the rogue CA) for clients.
 */
export async function makeTestPki(dir: string, sensorId: string): Promise<void> {
  await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'rogue')]);
  const san = 'IP:127.0.0.1,DNS:localhost';
  await Promise.all([
    makeLeaf(dir, 'server', { cn: 'localhost', ca: 'ca', usage: 'server', san }),
    makeLeaf(dir, 'rogue-server', { cn: 'localhost', ca: 'rogue', usage: 'server', san }),
    makeLeaf(dir, 'sensor', { cn: sensorId, ca: 'ca', usage: 'client' }),
    makeLeaf(dir, 'operator', { cn: 'operator', ca: 'ca', usage: 'client' }),
    makeLeaf(dir, 'rogue-sensor', { cn: sensorId, ca: 'rogue', usage: 'client' }),
  ]);
}
