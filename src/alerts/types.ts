/** What an analyzer hands to `Sink.alert`. The catalogue supplies severity, title and guidance. */
export interface AlertInput {
  /** A code from alerts/catalogue.ts, e.g. `inventory.new_device`. */
  readonly code: string;
  /** Stable key of the device concerned (MAC or IP key), for de-duplication. */
  readonly device: string;
  /** Event time, epoch seconds. */
  readonly time: number;
  /** Small owned facts for the SOC; never patient data or secrets. */
  readonly facts?: Readonly<Record<string, string | number | boolean>>;
}
