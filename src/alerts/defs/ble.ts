/** Alerts of BLE (ids 3000-3099), raised by src/analyze/ble/. */
import type { AlertDefinition } from '../catalogue.js';

export const BLE_ALERTS: readonly AlertDefinition[] = [
  {
    code: 'ble.advertising_flood',
    id: 3000,
    severity: 'medium',
    title: 'BLE advertising flood: an unusual number of new advertiser addresses',
    trigger:
      'More than ble.flood_new_per_minute (default 600) advertiser addresses never seen before were heard in one minute, in frames with a good CRC. Rotating phones add a few per minute; a flood of random addresses is a spoofing or denial-of-service tool (a "BLE spam" device) or a broken advertiser. The alert carries the count and the share of private addresses.',
    guidance:
      'Look for the transmitter: the RSSI in the health stream and walking the ward with a phone scanner find it quickly. Bedside devices and phones near it may fail to connect or drain their batteries while it lasts. The inventory stays within its caps (the random-address pool is bounded), so nothing is lost but the sensor\'s view of new devices while it lasts.',
  },
  {
    code: 'ble.spoofed_identity',
    id: 3001,
    severity: 'high',
    title: 'BLE spoofing: a known device\'s name or identity advertised from another address with a different payload',
    trigger:
      'An advertiser with a public or static address was learnt with a local name; then a different address advertised the same name with a different payload shape (services, company ids, flags), in a good-CRC frame. A device rotating its own private address keeps its payload, so a changed payload under the same name is a second transmitter claiming to be the first.',
    guidance:
      'Treat the second address as hostile until shown otherwise: a spoofed medical device can receive a phone\'s or gateway\'s connection (and its measurements or commands) in place of the real one. Check whether a second unit of the same model was brought in (then the alert is benign: note it), otherwise locate the transmitter by RSSI. Pair medical devices only with bonding, so a host refuses a device without the bonded keys.',
  },
  {
    code: 'ble.malformed_advertising',
    id: 3002,
    severity: 'high',
    title: 'Oversized or malformed BLE advertising (the BleedingTooth CVE-2020-24490 pattern)',
    trigger:
      'A good-CRC advertisement whose data breaks the format: a legacy advertising PDU or legacy HCI report carrying more than 31 bytes of AdvData, or an AD structure whose length runs past the end of the data (Core Spec Vol 3 Part C §11). Hosts that copy such data into a fixed 31-byte buffer overflow (BlueZ before 5.55, CVE-2020-24490); the pattern is an exploit attempt or fuzzing.',
    guidance:
      'Patch the Bluetooth stacks of the ward\'s gateways and Linux-based devices (BlueZ 5.55 or later, Linux 5.9 or later). Locate the transmitter by RSSI; a fuzzer or exploit device near bedside equipment is an incident. One-off malformed frames with a good CRC are rare; the alert repeats are folded per address.',
  },
  {
    code: 'ble.weak_pairing_medical',
    id: 3003,
    severity: 'high',
    title: 'Medical BLE device paired with legacy pairing or Just Works: a sniffer can recover its keys',
    trigger:
      'A followed connection to a device classed as medical (a health service such as Heart Rate, Blood Pressure, Glucose, Pulse Oximeter, CGM or Insulin Delivery, src/identify/ble-rules.ts) paired with LE legacy pairing (its keys can be brute-forced from a capture, as crackle does) or with Just Works (no protection against a man in the middle). The pairing method comes from the SMP Pairing Request and Response (Core Spec Vol 3 Part H §2.3.5.1).',
    guidance:
      'Ask the manufacturer whether the device supports LE Secure Connections with passkey or numeric comparison and enable it; pair in a shielded or quiet place; re-pair after any loss of the gateway. Record the finding against the device in the asset inventory: it is a risk to list in the procurement requirements.',
  },
  {
    code: 'ble.cleartext_health_data',
    id: 3004,
    severity: 'high',
    title: 'Health measurements sent over unencrypted BLE',
    trigger:
      'A followed connection carried a notification or indication of a health measurement characteristic (Heart Rate Measurement 0x2A37, Blood Pressure 0x2A35, Temperature 0x2A1C, Glucose 0x2A18, PLX 0x2A5E/0x2A5F, CGM 0x2AA7, weight and body composition) before or without link encryption. Only the characteristic is reported, never its value.',
    guidance:
      'Anyone with a sniffer in range can read these values: patient data leaves the device in clear. Enable bonding and encryption on the device or its app (most health profiles require it for their measurement characteristics); if the device cannot, record the risk and keep it away from shared spaces.',
  },
  {
    code: 'ble.medical_silent',
    id: 3005,
    severity: 'medium',
    title: 'A medical BLE device that was advertising has gone silent',
    trigger:
      'A device classed as medical by its advertised health service was heard, then nothing from it for ble.silent_after_s (default 600 s). Raised once per silence; it is raised again only after the device has been heard again.',
    guidance:
      'The device has been removed, is out of range, or its battery is dead. Check with the ward whether it is still in use on a patient: a monitor that stops transmitting silently is a clinical risk. A device that comes back later clears the condition (nothing to do).',
  },
];
