/** The owned device record: what the inventory keeps, stores and publishes. */
export interface DeviceRecord {
  /** `mac:aa:bb:cc:dd:ee:ff`, or `ip:192.0.2.7` / `ip:2001:db8::7` where no link-layer address is seen. */
  readonly key: string;
  readonly mac: string | undefined;
  readonly ips: readonly string[];
  readonly vendor: string | undefined;
  /** [epoch seconds, nanoseconds] */
  readonly firstSeen: readonly [number, number];
  readonly lastSeen: readonly [number, number];
  readonly frames: number;
  readonly bytes: number;
  /** Names of the capture sources that heard the device. */
  readonly sources: readonly string[];
}

/** Parses what the store gave back; anything else is dropped and counted by the caller. */
export function isDeviceRecord(v: unknown): v is DeviceRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.key === 'string' &&
    Array.isArray(r.ips) &&
    Array.isArray(r.firstSeen) &&
    Array.isArray(r.lastSeen) &&
    typeof r.frames === 'number' &&
    typeof r.bytes === 'number' &&
    Array.isArray(r.sources)
  );
}
