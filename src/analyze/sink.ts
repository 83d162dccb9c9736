/**
 * The sink analyzers write into during a tick: telemetry to publish, records
 * to store, counters, alerts (through the de-duplicating gate). The agent
 * drains it on every tick into one store batch and one outbox append.
 */
import type { Sink, Stream, StoreArea } from './types.js';
import type { AlertInput } from '../alerts/types.js';
import type { AlertGate, GatedAlert } from '../alerts/gate.js';

export interface PendingMessage {
  readonly stream: Stream;
  readonly kind: number;
  readonly body: unknown;
}

export interface PendingOp {
  readonly type: 'put' | 'del';
  readonly area: StoreArea;
  readonly key: string;
  readonly value?: unknown;
}

export interface Drained {
  readonly messages: PendingMessage[];
  readonly alerts: GatedAlert[];
  readonly ops: PendingOp[];
}

export class BatchSink implements Sink {
  private messages: PendingMessage[] = [];
  private alerts: GatedAlert[] = [];
  private ops: PendingOp[] = [];
  /** Health counters by code; cumulative since start. */
  readonly counters = new Map<string, number>();

  constructor(private readonly gate: AlertGate) {}

  alert(input: AlertInput): void {
    const g = this.gate.offer(input);
    if (g !== undefined) this.alerts.push(g);
  }

  publish(stream: Stream, kind: number, body: unknown): void {
    this.messages.push({ stream, kind, body });
  }

  put(area: StoreArea, key: string, value: unknown): void {
    this.ops.push({ type: 'put', area, key, value });
  }

  del(area: StoreArea, key: string): void {
    this.ops.push({ type: 'del', area, key });
  }

  count(code: string, n = 1): void {
    this.counters.set(code, (this.counters.get(code) ?? 0) + n);
  }

  get pending(): number {
    return this.messages.length + this.alerts.length + this.ops.length;
  }

  drain(): Drained {
    const d = { messages: this.messages, alerts: this.alerts, ops: this.ops };
    this.messages = [];
    this.alerts = [];
    this.ops = [];
    return d;
  }
}
