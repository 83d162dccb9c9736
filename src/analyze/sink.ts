/**
 * The sink analyzers write into between commits: telemetry to publish,
 * records to store, counters, alerts (through the de-duplicating gate). The
 * runtime drains it into one store batch and one outbox append.
 *
 * Nothing here grows without bound: the runtime commits as soon as
 * `pending` reaches its commit threshold (src/runtime/runtime.ts), and the
 * pipeline waits for that commit before it takes the next batch, so a fast
 * source is slowed down instead of filling memory.
 */
import type { AnalyzerKind, Sink, StoreArea } from './types.js';
import type { AlertInput } from '../alerts/types.js';
import type { AlertGate, GatedAlert } from '../alerts/gate.js';
import type { KindBodies, KindName } from '../telemetry/kinds.js';

export interface PendingMessage<K extends KindName = KindName> {
  readonly kind: K;
  readonly body: KindBodies[K];
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

  publish<K extends AnalyzerKind>(kind: K, body: KindBodies[K]): void {
    this.messages.push({ kind, body } as PendingMessage);
  }

  /** The runtime's own messages (health); analyzers use `publish`. */
  publishAny<K extends KindName>(kind: K, body: KindBodies[K]): void {
    this.messages.push({ kind, body } as PendingMessage);
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

  /** Messages, alerts and store operations waiting for the next commit. */
  get pending(): number {
    return this.messages.length + this.alerts.length + this.ops.length;
  }

  /** Alerts waiting: the runtime commits them promptly instead of at the next tick. */
  get pendingAlerts(): number {
    return this.alerts.length;
  }

  drain(): Drained {
    const d = { messages: this.messages, alerts: this.alerts, ops: this.ops };
    this.messages = [];
    this.alerts = [];
    this.ops = [];
    return d;
  }
}
