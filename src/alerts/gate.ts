/**
 * De-duplication and rate limiting between analyzers and the outbox.
 *
 * The first occurrence of (code, device) is published at once. Repeats within
 * `suppressS` are folded into a count that goes out with the next occurrence
 * after the window, so the SOC sees "this happened 40 more times" instead of
 * 40 messages. On top of that a global budget of `maxPerMinute` protects the
 * broker during a flood; alerts over budget are counted, not published.
 */
import type { AlertInput } from './types.js';
import { AlertCatalogue, Severity, type AlertDefinition } from './catalogue.js';

export interface GatedAlert {
  readonly def: AlertDefinition;
  readonly severity: number;
  readonly input: AlertInput;
  /** Occurrences this message stands for (1 + repeats folded in). */
  readonly count: number;
}

interface Window {
  until: number;
  folded: number;
}

export interface AlertGateOptions {
  readonly suppressS: number;
  readonly maxPerMinute: number;
  /** Bound on remembered (code, device) pairs; the oldest are forgotten first. */
  readonly maxKeys?: number;
}

export class AlertGate {
  private readonly windows = new Map<string, Window>();
  private minute = -1;
  private inMinute = 0;
  private readonly maxKeys: number;
  /** Alerts counted but not published, by reason; read by the health stream. */
  readonly counters = { suppressed: 0, rate_limited: 0, forgotten: 0, unknown_code: 0 };
  /** The last unknown code offered, for the log line the runtime writes once per code. */
  lastUnknown: string | undefined;

  constructor(
    private readonly catalogue: AlertCatalogue,
    private opts: AlertGateOptions,
  ) {
    this.maxKeys = opts.maxKeys ?? 65_536;
  }

  /** New limits on reload; windows already open keep their end time. */
  reconfigure(opts: Pick<AlertGateOptions, 'suppressS' | 'maxPerMinute'>): void {
    this.opts = { ...this.opts, ...opts };
  }

  /** Returns the alert to publish, or undefined when it was folded or rate limited. */
  offer(input: AlertInput): GatedAlert | undefined {
    const def = this.catalogue.find(input.code);
    if (def === undefined) {
      // A typo in an analyzer must not throw inside onFrame and blind the sensor: count it.
      this.counters.unknown_code++;
      this.lastUnknown = input.code;
      return undefined;
    }
    const key = `${input.code}\u0000${input.device}`;
    const w = this.windows.get(key);
    let count = 1;
    if (w !== undefined) {
      if (input.time < w.until) {
        w.folded++;
        this.counters.suppressed++;
        return undefined;
      }
      count += w.folded;
      this.windows.delete(key);
    }
    const minute = Math.floor(input.time / 60);
    if (minute !== this.minute) {
      this.minute = minute;
      this.inMinute = 0;
    }
    if (this.inMinute >= this.opts.maxPerMinute) {
      this.counters.rate_limited++;
      return undefined;
    }
    this.inMinute++;
    if (this.opts.suppressS > 0) {
      this.windows.set(key, { until: input.time + this.opts.suppressS, folded: 0 });
      if (this.windows.size > this.maxKeys) {
        const oldest = this.windows.keys().next().value as string;
        this.windows.delete(oldest);
        this.counters.forgotten++;
      }
    }
    return { def, severity: Severity[def.severity], input, count };
  }
}
