/**
 * An in-process MQTT broker (aedes) for a sensor with no broker configured:
 * local tools (`iomt-sensor watch`) can still subscribe on 127.0.0.1.
 * aedes speaks MQTT 3.1.1 only, so sessions against it use protocolVersion 4.
 */
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  /** Defaults to 127.0.0.1: the embedded broker is for local tools, not the ward network. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  /** MQTT protocol version sessions must use with this broker. */
  readonly protocolVersion: 4;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const host = opts.host ?? '127.0.0.1';
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((r) => broker.close(() => r()));
    throw new Error(`embedded MQTT broker: cannot listen on ${host}:${opts.port}: ${(err as Error).message}`);
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  let closed: Promise<void> | undefined;
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    protocolVersion: 4,
    close() {
      closed ??= (async () => {
        // aedes.close() disconnects clients; the server closes once their sockets are gone.
        await new Promise<void>((r) => broker.close(() => r()));
        await new Promise<void>((r) => server.close(() => r()));
      })();
      return closed;
    },
  };
}
