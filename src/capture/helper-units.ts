/**
 * The helper unit instances a config needs started with the agent:
 * iomt-sensor-capture@<iface> for every pcap-live source with `via: helper`,
 * iomt-sensor-ble@hci<N> for every ble-hci source with `via: helper`.
 * scripts/install.sh enables exactly these (and disables other instances of
 * the two templates).
 */
import type { SourceConfig } from '../config/index.js';
import { captureUnit } from './pcap-live/helper.js';
import { bleUnit } from './ble-hci/index.js';

/** Unit templates whose instances install.sh manages. */
export const HELPER_TEMPLATES = ['iomt-sensor-capture@.service', 'iomt-sensor-ble@.service'] as const;

export function helperUnits(sources: readonly SourceConfig[]): string[] {
  const out = new Set<string>();
  for (const s of sources) {
    if (s.type === 'pcap-live' && s.via === 'helper') out.add(captureUnit(s.iface));
    if (s.type === 'ble-hci' && s.via === 'helper') out.add(bleUnit(s.device));
  }
  return [...out];
}
