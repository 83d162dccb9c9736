/**
 * Drains the outbox to an MQTT broker with QoS 1, in seq order.
 *
 * Delivery rule: an entry leaves the outbox only on its PUBACK. After any
 * disconnect every un-acked entry is sent again from the outbox head, so a
 * subscriber may see duplicates (detectable by seq) but never a gap or a
 * reordering.
 *
 * mqtt.js is used as a single-connection transport: `reconnectPeriod: 0` and
 * `clean: true`, and a fresh client per connection attempt. That way mqtt.js's
 * own offline queue and outgoing store never hold our messages across a
 * reconnect (where it could resend them out of order or fail their callbacks
 * silently); the outbox is the only queue, and this class drives reconnects
 * with exponential backoff.
 */
import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Outbox, OutboxEntry } from './outbox.js';

export type SessionState = 'connecting' | 'online' | 'offline';

export interface SessionStateChange {
  readonly state: SessionState;
  /** Why: `ECONNREFUSED`, `not authorised (CONNACK 5)`, `connection lost`, `closed` … */
  readonly reason?: string;
}

export interface MqttSessionOptions {
  /** `mqtt://host:port`, `mqtts://…`, `ws://…`. */
  readonly url: string;
  /** Also the MQTT client id. */
  readonly sensorId: string;
  readonly outbox: Outbox;
  /** Topic for an outbox entry's stream. */
  readonly topicFor: (stream: string) => string;
  readonly statusTopic: string;
  /** Encodes the retained status body (seq 0) for `online` and, as the last will, `offline`. */
  readonly statusPayload: (state: 'online' | 'offline') => Uint8Array;
  /** 5 (default) or 4 for MQTT 3.1.1-only brokers such as aedes; with 4 no properties are sent. */
  readonly protocolVersion?: 4 | 5;
  readonly keepaliveSec?: number;
  readonly connectTimeoutMs?: number;
  /** Max un-acked publishes; also capped by the broker's Receive Maximum (MQTT 5 §3.2.2.3.3). */
  readonly inflightWindow?: number;
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  /** 0..1: fraction of each delay that is randomised, so a ward of sensors does not reconnect in step. */
  readonly reconnectJitter?: number;
  /** Credentials and TLS material, passed through to mqtt.js. */
  readonly connectOptions?: Pick<IClientOptions, 'username' | 'password' | 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
  readonly onState?: (change: SessionStateChange) => void;
  /**
   * Commands to this sensor: `filter` is subscribed (QoS 1) on every
   * connection and every message on it is handed to `handle`, which must not
   * throw (src/publish/commands.ts `CommandHandler`).
   */
  readonly commands?: CommandSink;
  /**
   * Advisory feed files from the central side (src/identify/advisories/inbox.ts):
   * `filter` is subscribed (QoS 1) on every connection, retained messages
   * included, since retained is how the current feed reaches a sensor.
   */
  readonly feeds?: CommandSink;
  readonly now?: () => number;
  /**
   * Waits `ms` before a reconnect and returns a function that cancels the
   * wait; setTimeout unless given. Tests pass one they fire themselves, to
   * check the backoff schedule without timing it on a busy machine.
   */
  readonly reconnectTimer?: (ms: number, fn: () => void) => () => void;
}

export interface CommandSink {
  readonly filter: string;
  handle(topic: string, payload: Uint8Array, retained: boolean): unknown;
}

export interface SessionStats {
  connects: number;
  connectFailures: number;
  published: number;
  acked: number;
  expired: number;
  rejected: number;
  /** Messages that arrived on the command filter (valid or not). */
  commands: number;
  /** Messages that arrived on the feed filter (valid or not). */
  feedMessages: number;
  /** SUBACKs refusing the command filter (the broker's ACL lacks read on `…/cmd/#`). */
  commandSubscribeFailures: number;
  /** SUBACKs refusing the feed filter (the broker's ACL lacks read on `…/feeds/+`). */
  feedSubscribeFailures: number;
}

const CONNACK_V4: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorised',
};
const CONNACK_V5: Readonly<Record<number, string>> = {
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorised',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
};

/** Node's codes for a broker certificate that failed verification (OpenSSL X509_V_ERR_* names). */
const SERVER_CERT_ERRORS: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_REVOKED', 'INVALID_CA', 'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TLS alerts (RFC 8446 §6.2) by which a broker refuses the sensor's certificate. */
const CLIENT_CERT_ALERTS = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR)$/;

/** A readable reason for a TLS failure, or undefined when `code` is not one. */
function describeTls(code: string, message: string): string | undefined {
  if (SERVER_CERT_ERRORS.has(code)) {
    const what = code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH' ? 'does not match the host name' : 'is not trusted';
    return `TLS: broker certificate ${what}; the sensor refuses the broker (${code}: ${message.split(':')[0]})`;
  }
  const alert = CLIENT_CERT_ALERTS.exec(code);
  if (alert !== null) return `TLS: certificate rejected by broker (alert ${alert[1]!.toLowerCase().replaceAll('_', ' ')})`;
  if (code.startsWith('ERR_SSL_')) return `TLS: handshake failed (${code})`;
  return undefined;
}

/** A short, stable reason for a state change, from whatever mqtt.js or the socket reported. */
export function describeError(err: unknown, protocolVersion: 4 | 5): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string') return describeTls(e.code, String(e.message ?? '')) ?? e.code;
  if (typeof e?.code === 'number') {
    const text = (protocolVersion === 5 ? CONNACK_V5 : CONNACK_V4)[e.code];
    if (text !== undefined) return `${text} (CONNACK ${e.code})`;
    return `${String(e.message ?? 'error')} (code ${e.code})`;
  }
  return String(e?.message ?? err);
}

export class MqttSession {
  private client: MqttClient | undefined;
  /** Incremented per connection; callbacks from an older connection are ignored. */
  private gen = 0;
  private online = false;
  private closing = false;
  private attempts = 0;
  /** Cancels the pending reconnect wait. */
  private timer: (() => void) | undefined;
  private lastError: string | undefined;
  private readonly inflight = new Set<number>();
  private window: number;
  /** Highest seq handed to the current connection. */
  private sentThrough = 0;
  private pumping = false;
  private pumpAgain = false;
  private readonly unsubscribe: () => void;
  private readonly pv: 4 | 5;
  private readonly now: () => number;
  private stateNow: SessionState = 'offline';
  readonly stats: SessionStats = { connects: 0, connectFailures: 0, published: 0, acked: 0, expired: 0, rejected: 0, commands: 0, commandSubscribeFailures: 0, feedMessages: 0, feedSubscribeFailures: 0 };

  constructor(private readonly opts: MqttSessionOptions) {
    this.pv = opts.protocolVersion ?? 5;
    this.window = opts.inflightWindow ?? 64;
    this.now = opts.now ?? Date.now;
    this.unsubscribe = opts.outbox.onAppend(() => this.schedulePump());
  }

  get state(): SessionState {
    return this.stateNow;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /**
   * Republishes the retained status (a source changed state, the config was
   * reloaded). Status is state, not an event: while offline there is nothing
   * to queue, the next connect publishes the status of that moment.
   */
  refreshStatus(): void {
    if (this.online && this.client !== undefined) this.publishStatus(this.client);
  }

  private publishStatus(client: MqttClient): void {
    client.publish(this.opts.statusTopic, toBuffer(this.opts.statusPayload('online')), { qos: 1, retain: true, ...this.props({ contentType: 'application/cbor' }) }, () => undefined);
  }

  start(): void {
    if (this.closing) throw new Error('MqttSession.start after close');
    if (this.client === undefined && this.timer === undefined) this.connect();
  }

  private setState(state: SessionState, reason?: string): void {
    this.stateNow = state;
    this.opts.onState?.(reason === undefined ? { state } : { state, reason });
  }

  private props<T extends object>(p: T): { properties?: T } {
    return this.pv === 5 ? { properties: p } : {};
  }

  private connect(): void {
    this.timer = undefined;
    const gen = ++this.gen;
    this.lastError = undefined;
    this.setState('connecting');
    const will = {
      topic: this.opts.statusTopic,
      payload: toBuffer(this.opts.statusPayload('offline')),
      qos: 1 as const,
      retain: true,
      ...this.props({ contentType: 'application/cbor' }),
    };
    const client = mqtt.connect(this.opts.url, {
      ...this.opts.connectOptions,
      clientId: this.opts.sensorId,
      protocolVersion: this.pv,
      clean: true,
      keepalive: this.opts.keepaliveSec ?? 30,
      connectTimeout: this.opts.connectTimeoutMs ?? 10_000,
      reconnectPeriod: 0,
      queueQoSZero: false,
      will,
    });
    this.client = client;
    client.on('connect', (connack) => {
      if (gen !== this.gen) return;
      this.online = true;
      this.attempts = 0;
      this.stats.connects++;
      this.inflight.clear();
      this.sentThrough = 0; // resend everything un-acked, from the head
      const rm = this.pv === 5 ? connack.properties?.receiveMaximum : undefined;
      this.window = Math.max(1, Math.min(this.opts.inflightWindow ?? 64, rm ?? 65_535));
      this.publishStatus(client);
      this.subscribeCommands(client, gen);
      this.setState('online');
      this.schedulePump();
    });
    client.on('error', (err) => {
      if (gen !== this.gen) return;
      this.lastError = describeError(err, this.pv);
      // A refused CONNACK leaves the socket open in mqtt.js; close it so 'close' follows.
      if (!this.online) client.end(true);
    });
    client.on('disconnect', (packet) => {
      if (gen !== this.gen) return;
      const rc = packet.reasonCode;
      this.lastError = `broker sent DISCONNECT${rc === undefined ? '' : ` (reason ${rc})`}`;
    });
    client.on('close', () => {
      if (gen !== this.gen) return;
      this.onClosed(client);
    });
  }

  private subscribeCommands(client: MqttClient, gen: number): void {
    const { commands, feeds } = this.opts;
    if (commands === undefined && feeds === undefined) return;
    // Feed topics are site-wide (`iomt/v1/<site>/feeds/<file>`) and never under this sensor's `cmd/`.
    const feedPrefix = feeds?.filter.endsWith('/+') === true ? feeds.filter.slice(0, -1) : undefined;
    client.on('message', (topic, payload, packet) => {
      if (gen !== this.gen) return;
      if (feeds !== undefined && feedPrefix !== undefined && topic.startsWith(feedPrefix) && !topic.includes('/', feedPrefix.length)) {
        this.stats.feedMessages++;
        feeds.handle(topic, payload, packet.retain);
        return;
      }
      if (commands === undefined) return;
      this.stats.commands++;
      commands.handle(topic, payload, packet.retain);
    });
    if (commands !== undefined) {
      // MQTT 5 §3.8.3.1: Retain Handling 2, no retained messages at subscribe time; Retain As
      // Published, so a retained command forwarded live still shows its flag and is refused.
      client.subscribe(commands.filter, { qos: 1, ...(this.pv === 5 ? { rh: 2, rap: true } : {}) }, (err) => {
        if (err && gen === this.gen) this.stats.commandSubscribeFailures++;
      });
    }
    if (feeds !== undefined) {
      // Retain Handling 0: the broker sends the retained feed files at every subscribe.
      client.subscribe(feeds.filter, { qos: 1 }, (err) => {
        if (err && gen === this.gen) this.stats.feedSubscribeFailures++;
      });
    }
  }

  private onClosed(client: MqttClient): void {
    const wasOnline = this.online;
    this.online = false;
    this.gen++; // late callbacks of this connection are now ignored
    this.inflight.clear();
    client.removeAllListeners();
    client.on('error', () => undefined); // mqtt.js may still emit while tearing down
    client.end(true);
    this.client = undefined;
    if (!wasOnline) this.stats.connectFailures++;
    if (this.closing) {
      this.setState('offline', 'closed');
      return;
    }
    this.setState('offline', this.lastError ?? (wasOnline ? 'connection lost' : 'connection closed before CONNACK'));
    const delay = this.backoff();
    this.timer = (this.opts.reconnectTimer ?? realTimer)(delay, () => this.connect());
  }

  private backoff(): number {
    const initial = this.opts.reconnectInitialMs ?? 1000;
    const max = this.opts.reconnectMaxMs ?? 60_000;
    const base = Math.min(max, initial * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    const jitter = this.opts.reconnectJitter ?? 0.2;
    return Math.round(base * (1 - jitter * Math.random()));
  }

  private schedulePump(): void {
    if (!this.online) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.pumpAgain && this.online) {
        this.pumpAgain = false;
        this.schedulePump();
      }
    });
  }

  private async pump(): Promise<void> {
    const gen = this.gen;
    const client = this.client;
    while (client !== undefined && this.online && gen === this.gen) {
      this.pumpAgain = false;
      const room = this.window - this.inflight.size;
      if (room <= 0) return;
      const entries = await this.opts.outbox.peek(room, this.sentThrough);
      if (gen !== this.gen || !this.online) return;
      if (entries.length === 0) return;
      for (const e of entries) {
        this.sentThrough = e.seq;
        this.send(client, gen, e);
      }
    }
  }

  private send(client: MqttClient, gen: number, e: OutboxEntry): void {
    let expiry: number | undefined;
    if (e.expirySec !== undefined) {
      expiry = e.expirySec - Math.floor((this.now() - e.createdMs) / 1000);
      if (expiry <= 0) {
        // Worthless now; sending it would only spend the ward's uplink after an outage.
        this.stats.expired++;
        void this.opts.outbox.discard(e.seq, 'expired');
        return;
      }
    }
    const props: IClientPublishOptions['properties'] = { contentType: 'application/cbor' };
    if (expiry !== undefined) props.messageExpiryInterval = expiry;
    this.inflight.add(e.seq);
    this.stats.published++;
    client.publish(this.opts.topicFor(e.stream), toBuffer(e.bytes), { qos: 1, retain: false, ...this.props(props) }, (err) => {
      if (gen !== this.gen) return; // connection gone: the entry is still in the outbox and is resent
      this.inflight.delete(e.seq);
      const rc = (err as { code?: unknown } | undefined)?.code;
      if (err === undefined || err === null) {
        this.stats.acked++;
        void this.opts.outbox.ack(e.seq).finally(() => this.schedulePump());
      } else if (typeof rc === 'number' && rc >= 0x80) {
        // The broker refused this message (e.g. 0x87 not authorised for the topic):
        // retrying would block the outbox forever, so count it and move on.
        this.stats.rejected++;
        void this.opts.outbox.discard(e.seq, 'rejected').finally(() => this.schedulePump());
      } else {
        this.schedulePump();
      }
    });
  }

  /**
   * Tries to deliver what is in the outbox within `flushTimeoutMs`, publishes
   * the retained `offline` status, and disconnects cleanly (no last will).
   */
  async close(flushTimeoutMs = 5000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.unsubscribe();
    if (this.timer !== undefined) {
      this.timer();
      this.timer = undefined;
    }
    const deadline = this.now() + flushTimeoutMs;
    while (this.online && (this.opts.outbox.depth > 0 || this.inflight.size > 0) && this.now() < deadline) {
      await sleep(20);
    }
    const client = this.client;
    if (client === undefined) {
      this.setState('offline', 'closed');
      return;
    }
    if (this.online) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(100, deadline - this.now()));
        client.publish(
          this.opts.statusTopic,
          toBuffer(this.opts.statusPayload('offline')),
          { qos: 1, retain: true, ...this.props({ contentType: 'application/cbor' }) },
          () => {
            clearTimeout(t);
            resolve();
          },
        );
      });
    }
    const wasOnline = this.online;
    this.gen++;
    this.online = false;
    client.removeAllListeners();
    client.on('error', () => undefined);
    // A graceful end waits for the DISCONNECT to be written; only possible on a live connection.
    await new Promise<void>((resolve) => client.end(!wasOnline, {}, () => resolve()));
    this.client = undefined;
    this.setState('offline', 'closed');
  }
}

function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function realTimer(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
