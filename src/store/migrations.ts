/**
 * Schema migrations, in order. `meta/schema` holds the version the data is
 * at; `Store.open` runs every migration whose `to` is above it. The ops a
 * migration returns are written in the same atomic batch as the version bump,
 * so a migration that expresses its writes as returned ops runs exactly once
 * even across a power cut. One that writes on its own must be idempotent.
 */
import type { Store, StoreOp } from './store.js';

export interface Migration {
  readonly to: number;
  readonly description: string;
  up(db: Store): Promise<readonly StoreOp[] | void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    description: 'initial layout: meta, devices, flows, alerts, vulns, utilization, outbox',
    async up() {
      return [];
    },
  },
];
