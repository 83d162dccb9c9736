/**
 * A real Mosquitto for tests, on a free port of 127.0.0.1, stoppable and
 * restartable on the same port with its persistence kept (so persistent
 * subscriber sessions survive a restart).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

export interface TestBroker {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  start(): Promise<void>;
  /** SIGTERM (Mosquitto saves persistence) or SIGKILL (an abrupt crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops the broker and removes its directory. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitListening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface BrokerOptions {
  /** Extra mosquitto.conf lines, e.g. `allow_anonymous false`. */
  readonly extra?: readonly string[];
  readonly anonymous?: boolean;
  /** A TLS listener (the URL becomes mqtts://): PEM files, as mosquitto.conf(5) names them. */
  readonly tls?: {
    readonly cafile: string;
    readonly certfile: string;
    readonly keyfile: string;
    /** Clients must present a certificate from `cafile`. */
    readonly requireCertificate?: boolean;
    /** The client certificate's CN becomes the user name (for the ACL's %u). */
    readonly useIdentityAsUsername?: boolean;
  };
  readonly aclFile?: string;
  /** Made with `mosquitto_passwd`. */
  readonly passwordFile?: string;
}

export async function startMosquitto(opts: BrokerOptions = {}): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'iomt-mosq-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      `allow_anonymous ${opts.anonymous === false ? 'false' : 'true'}`,
      ...(opts.tls === undefined
        ? []
        : [
            `cafile ${opts.tls.cafile}`,
            `certfile ${opts.tls.certfile}`,
            `keyfile ${opts.tls.keyfile}`,
            `require_certificate ${opts.tls.requireCertificate === true}`,
            `use_identity_as_username ${opts.tls.useIdentityAsUsername === true}`,
          ]),
      ...(opts.aclFile === undefined ? [] : [`acl_file ${opts.aclFile}`]),
      ...(opts.passwordFile === undefined ? [] : [`password_file ${opts.passwordFile}`]),
      'persistence true',
      `persistence_location ${dir}/`,
      'log_dest none',
      // Started as root, Mosquitto drops to user `mosquitto`, which cannot write
      // the 0700 temp dir: persistence would then fail silently and queued
      // messages would vanish across a restart.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      ...(opts.extra ?? []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const broker: TestBroker = {
    port,
    url: `${opts.tls === undefined ? 'mqtt' : 'mqtts'}://127.0.0.1:${port}`,
    dir,
    async start() {
      if (child !== undefined) return;
      const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child = c;
      const exited = new Promise<never>((_, reject) =>
        c.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${stderr}`))),
      );
      exited.catch(() => undefined);
      await Promise.race([waitListening(port, 10_000), exited]);
    },
    async stop(signal = 'SIGTERM') {
      const c = child;
      if (c === undefined) return;
      child = undefined;
      if (c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill(signal);
      });
    },
    async destroy() {
      await broker.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
