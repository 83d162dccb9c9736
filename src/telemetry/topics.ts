/**
 * Topic layout: `iomt/v1/<site>/<ward>/<sensor>/<stream>`, commands to the
 * sensor on `iomt/v1/<site>/<ward>/<sensor>/cmd/<verb>`, and advisory feed
 * files for every sensor of a site on `iomt/v1/<site>/feeds/<file>` (one
 * level fewer than any sensor topic, so the two never overlap).
 * Segments are checked once, at construction, so every topic built
 * afterwards is valid (MQTT 5 §4.7: `+` and `#` are wildcards, `/` separates
 * levels, and an empty level would make a different topic).
 */
import type { Stream } from './kinds.js';

export const TOPIC_ROOT = 'iomt/v1';
export const MAX_SEGMENT = 64;

export const STREAMS: readonly Stream[] = [
  'status', 'inventory', 'alerts', 'vulns', 'baseline', 'policy', 'utilization', 'health',
];

export class TopicError extends Error {
  constructor(readonly field: string, readonly value: string, reason: string) {
    super(`${field} ${JSON.stringify(value)} ${reason}`);
    this.name = 'TopicError';
  }
}

/** Throws a `TopicError` naming the field when `value` cannot be one topic level. */
export function checkSegment(field: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TopicError(field, String(value), 'is empty; a topic level needs at least one character');
  if (value.length > MAX_SEGMENT) throw new TopicError(field, value, `is ${value.length} characters; at most ${MAX_SEGMENT} are allowed`);
  const bad = /[+#/\u0000]/.exec(value);
  if (bad !== null) {
    throw new TopicError(field, value, `contains ${JSON.stringify(bad[0])}; '+', '#', '/' and NUL are not allowed in a topic level`);
  }
  return value;
}

export interface TopicIdentity {
  readonly site: string;
  readonly ward: string;
  readonly sensor: string;
}

export class Topics {
  readonly base: string;

  constructor(readonly id: TopicIdentity) {
    checkSegment('site', id.site);
    checkSegment('ward', id.ward);
    checkSegment('sensor', id.sensor);
    this.base = `${TOPIC_ROOT}/${id.site}/${id.ward}/${id.sensor}`;
  }

  stream(stream: Stream | string): string {
    if (!(STREAMS as readonly string[]).includes(stream)) {
      throw new TopicError('stream', stream, `is not a telemetry stream; valid: ${STREAMS.join(', ')}`);
    }
    return `${this.base}/${stream}`;
  }

  get status(): string {
    return `${this.base}/status`;
  }

  cmd(verb: string): string {
    return `${this.base}/cmd/${checkSegment('command verb', verb)}`;
  }

  /** Prefix of the site's advisory feed files (identify/advisories/inbox.ts), with the trailing slash. */
  get feedPrefix(): string {
    return `${TOPIC_ROOT}/${this.id.site}/feeds/`;
  }

  /** Subscription filter for every command to this sensor. */
  get cmdFilter(): string {
    return `${this.base}/cmd/+`;
  }

  /** The verb of a command topic of this sensor, or undefined if the topic is not one. */
  parseCmd(topic: string): string | undefined {
    const prefix = `${this.base}/cmd/`;
    if (!topic.startsWith(prefix)) return undefined;
    const verb = topic.slice(prefix.length);
    return verb.length > 0 && verb.length <= MAX_SEGMENT && !verb.includes('/') ? verb : undefined;
  }
}
