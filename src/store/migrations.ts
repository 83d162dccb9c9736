/**
 * Schema migrations, in order. `meta/schema` holds the version the data is
 * at; `Store.open` runs every migration whose `to` is above it. The ops a
 * migration returns are written in the same atomic batch as the version bump,
 * so a migration that expresses its writes as returned ops runs exactly once
 * even across a power cut. One that writes on its own must be idempotent.
 */
import type { Store, StoreOp } from './store.js';
import { migrateDeviceV1 } from './device-v1.js';
import { deviceId } from '../telemetry/device.js';

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
  {
    to: 2,
    description:
      'devices: one identity across media (identifiers, attributes with evidence, epoch-second times); ' +
      'keys become the first identifier (mac:.., ipv4:.., ipv6:..); records that are not devices are dropped',
    async up(db) {
      const ops: StoreOp[] = [];
      for (const [key, value] of await db.all('devices')) {
        // Keys starting with '!' are the inventory's own bookkeeping (the learning start), kept as they are.
        if (key.startsWith('!')) continue;
        const r = migrateDeviceV1(value);
        ops.push({ type: 'del', area: 'devices', key });
        if (r !== undefined) ops.push({ type: 'put', area: 'devices', key: deviceId(r), value: r });
      }
      return ops;
    },
  },
];
