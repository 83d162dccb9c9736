/**
 * Medtronic MiniMed 600-series insulin pumps on 802.15.4.
 *
 * Public work: the pump (640G/670G) and its Contour Next Link 2.4 meter
 * talk over IEEE 802.15.4 at 2.4 GHz, the pump acting as PAN coordinator
 * and beaconing while it waits for the meter (Lennart Goedhart,
 * github.com/pazaan/decoding-contour-next-link, and its descendants
 * 600SeriesAndroidUploader and ondrej1024/ddguard); captures of the link:
 * github.com/LilDucky/Medtronic-6xx (the shared ieee802154_medical files).
 *
 * The rule, from those captures: a 2003-version beacon from an extended
 * source, PAN Coordinator bit set, whose 7-byte beacon payload is a flag
 * byte, a zero byte and the first 5 bytes (as sent) of the pump's own
 * extended address. The flag is 0 while the pump idles and 1 in the
 * auto-connect capture; its meaning is not documented, so it is reported,
 * not interpreted.
 *
 * What the public work does NOT allow: the payloads of the data frames
 * between pump and meter are encrypted with a key from the pairing (NGP
 * messages, decoding-contour-next-link), so a remote bolus cannot be told
 * from a status request over the air. `ieee802154.insulin_pump_remote_command`
 * is therefore not raised; the sensor raises only what the traffic proves:
 * a new peer associating or exchanging data on the pump's PAN
 * (`ieee802154.insulin_pump_new_peer`).
 */
import { FrameType } from '../../decode/ieee802154/consts.js';
import type { Ieee802154View } from '../../decode/ieee802154/index.js';

export const PUMP_BEACON_PAYLOAD_LEN = 7;

/** The beacon flag byte when `mac` is a 600-series pump beacon, else -1. */
export function medtronicPumpBeacon(mac: Ieee802154View): number {
  if (mac.frameType !== FrameType.beacon || mac.version !== 0 || mac.srcMode !== 3 || !mac.panCoordinator) return -1;
  const p = mac.beaconPayloadOffset;
  if (p < 0 || mac.payloadEnd - p !== PUMP_BEACON_PAYLOAD_LEN) return -1;
  const b = mac.bytes;
  const src = mac.src64Offset;
  if (b[p + 1] !== 0) return -1;
  for (let i = 0; i < 5; i++) if (b[p + 2 + i] !== b[src + i]) return -1;
  return b[p]!;
}
