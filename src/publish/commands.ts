/**
 * Commands to the sensor on `iomt/v1/<site>/<ward>/<sensor>/cmd/<verb>`
 * (docs/telemetry.cddl `command`). Whoever can publish there is not trusted
 * by that fact alone: the broker's ACL decides who may, and this module
 * decides what is done. A command is accepted only when
 *
 *   - the topic is this sensor's and the verb is in `COMMAND_VERBS`;
 *   - it is not a retained message (a retained command would run again on
 *     every reconnect);
 *   - the payload is at most `MAX_COMMAND_BYTES` and is exactly the core
 *     deterministic encoding (RFC 8949 §4.2.1) of `{0: request-id}` with a
 *     request id of 1..64 bytes of UTF-8. One canonical form leaves no room
 *     for duplicate keys, indefinite lengths or invalid UTF-8;
 *   - fewer than `maxPerMinute` commands ran in the last minute.
 *
 * Everything else is counted as `cmd.rejected.<reason>` and otherwise
 * ignored; one log line per `logIntervalMs` at most says that rejections
 * happen. Accepted commands are counted as `cmd.accepted.<verb>` and logged
 * (they are rare, rate-limited, and an operator's action worth a record).
 */
import { Decoder } from 'cbor-x';
import type { Logger } from '../log.js';
import type { Topics } from '../telemetry/topics.js';

export const COMMAND_VERBS = ['snapshot', 'health'] as const;
export type CommandVerb = (typeof COMMAND_VERBS)[number];

export const MAX_COMMAND_BYTES = 1024;
export const MAX_REQUEST_ID_BYTES = 64;
export const CommandKey = { requestId: 0 } as const;

export type CommandRejectReason =
  | 'topic'
  | 'verb'
  | 'retained'
  | 'oversize'
  | 'not_cbor'
  | 'not_map'
  | 'keys'
  | 'request_id'
  | 'not_deterministic'
  | 'rate_limited';

export type CommandCheck =
  | { readonly ok: true; readonly verb: CommandVerb; readonly requestId: string }
  | { readonly ok: false; readonly reason: CommandRejectReason; readonly detail: string };

function reject(reason: CommandRejectReason, detail: string): CommandCheck {
  return { ok: false, reason, detail };
}

/** The one accepted encoding of `{0: id}`: map(1), uint 0, tstr with the shortest length head. */
export function encodeCommand(requestId: string): Uint8Array {
  const id = Buffer.from(requestId, 'utf8');
  const head = id.length < 24 ? [0x60 + id.length] : id.length < 256 ? [0x78, id.length] : [0x79, id.length >> 8, id.length & 0xff];
  return Buffer.concat([Buffer.from([0xa1, 0x00, ...head]), id]);
}

/**
 * Checks one message; pure, no counting. `retained` is the MQTT retain flag
 * as delivered.
 */
export function validateCommand(topics: Topics, topic: string, payload: Uint8Array, retained = false): CommandCheck {
  const verb = topics.parseCmd(topic);
  if (verb === undefined) return reject('topic', 'not a command topic of this sensor');
  if (!(COMMAND_VERBS as readonly string[]).includes(verb)) return reject('verb', `unknown verb; valid: ${COMMAND_VERBS.join(', ')}`);
  if (retained) return reject('retained', 'retained commands are not executed');
  if (payload.length > MAX_COMMAND_BYTES) return reject('oversize', `${payload.length} bytes; at most ${MAX_COMMAND_BYTES}`);
  let raw: unknown;
  try {
    // A fresh decoder per message: nothing (record definitions, shared structures) carries over.
    raw = new Decoder({ useRecords: false, mapsAsObjects: false }).decode(payload);
  } catch (err) {
    return reject('not_cbor', (err as Error).message.slice(0, 100));
  }
  if (!(raw instanceof Map)) return reject('not_map', 'expected a CBOR map {0: request-id}');
  const keys = [...raw.keys()];
  if (keys.length !== 1 || keys[0] !== CommandKey.requestId) return reject('keys', 'expected exactly one key, 0 (request id)');
  const id: unknown = raw.get(CommandKey.requestId);
  if (typeof id !== 'string') return reject('request_id', `request id: expected a text string, got ${id === null ? 'null' : typeof id}`);
  const size = Buffer.byteLength(id, 'utf8');
  if (size < 1 || size > MAX_REQUEST_ID_BYTES) return reject('request_id', `request id: ${size} bytes; expected 1..${MAX_REQUEST_ID_BYTES}`);
  if (!Buffer.from(encodeCommand(id)).equals(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength))) {
    return reject('not_deterministic', 'not the core deterministic encoding (RFC 8949 §4.2.1) of {0: request-id}');
  }
  return { ok: true, verb: verb as CommandVerb, requestId: id };
}

export interface CommandHandlerOptions {
  readonly topics: Topics;
  /** What each verb does; a returned promise's rejection is counted as `cmd.failed.<verb>`. */
  readonly run: Readonly<Record<CommandVerb, () => unknown>>;
  /** Adds one to a health counter. */
  readonly count: (counter: string) => void;
  readonly log?: Logger;
  readonly now?: () => number;
  /** Commands executed per rolling minute, over all verbs; default 30. */
  readonly maxPerMinute?: number;
  /** At most one "commands rejected" line per this many ms; default 60 000. */
  readonly logIntervalMs?: number;
}

/** Validates, rate-limits, counts and runs commands; what `MqttSession` hands messages to. */
export class CommandHandler {
  readonly filter: string;
  private readonly recent: number[] = [];
  private lastRejectLogMs = Number.NEGATIVE_INFINITY;
  private rejectedSinceLog = 0;
  private readonly now: () => number;

  constructor(private readonly opts: CommandHandlerOptions) {
    this.filter = opts.topics.cmdFilter;
    this.now = opts.now ?? Date.now;
  }

  handle(topic: string, payload: Uint8Array, retained: boolean): CommandCheck {
    let check = validateCommand(this.opts.topics, topic, payload, retained);
    const now = this.now();
    if (check.ok) {
      while (this.recent.length > 0 && now - this.recent[0]! >= 60_000) this.recent.shift();
      if (this.recent.length >= (this.opts.maxPerMinute ?? 30)) check = reject('rate_limited', `more than ${this.opts.maxPerMinute ?? 30} commands in a minute`);
    }
    if (!check.ok) {
      this.opts.count(`cmd.rejected.${check.reason}`);
      this.rejectedSinceLog++;
      if (now - this.lastRejectLogMs >= (this.opts.logIntervalMs ?? 60_000)) {
        this.opts.log?.log('warn', 'commands rejected', { count: this.rejectedSinceLog, last_reason: check.reason, last_detail: check.detail, topic: topic.slice(0, 200) });
        this.lastRejectLogMs = now;
        this.rejectedSinceLog = 0;
      }
      return check;
    }
    this.recent.push(now);
    this.opts.count(`cmd.accepted.${check.verb}`);
    this.opts.log?.log('info', 'command accepted', { verb: check.verb, request_id: check.requestId });
    const { verb } = check;
    try {
      void Promise.resolve(this.opts.run[verb]()).catch((err: unknown) => this.failed(verb, err));
    } catch (err) {
      this.failed(verb, err);
    }
    return check;
  }

  private failed(verb: CommandVerb, err: unknown): void {
    this.opts.count(`cmd.failed.${verb}`);
    this.opts.log?.log('error', 'command failed', { verb, error: String((err as Error)?.message ?? err).slice(0, 200) });
  }
}
