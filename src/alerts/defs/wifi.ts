/** Alerts of the Wi-Fi analyzer, src/analyze/wifi/ (ids 2000-2099). */
import type { AlertDefinition } from '../catalogue.js';

export const WIFI_ALERTS: readonly AlertDefinition[] = [
  {
    code: 'wifi.deauth_flood',
    id: 2000,
    severity: 'high',
    title: 'Deauthentication or disassociation flood on a Wi-Fi network',
    trigger:
      'At least wifi.deauth_threshold (default 30) unprotected deauthentication or disassociation frames on one BSSID within wifi.window_s (default 10 s), directed or broadcast (IEEE 802.11-2020 §9.3.3.12, §9.3.3.5). One alert per network and flood: it names the transmitter addresses the frames claimed (the attacker, usually spoofing the access point or a station), the victims (stations addressed, or "broadcast"), the frame count and the reason codes. A new alert is raised only after the network has been quiet for a whole window.',
    guidance:
      'Stations on this network were being knocked off it: bedside devices on it lose their connection to central stations for as long as it lasts. Deauthentication frames are forged easily, so the named transmitter is the address claimed, not the attacker\'s device; locate the attacker by signal (the wifi analyzer keeps signal per sensor) and physically. Enable management frame protection (802.11w, MFP required, or WPA3) on the network: protected deauthentications cannot be forged. Check the medical devices on the network reconnected.',
  },
  {
    code: 'wifi.evil_twin',
    id: 2001,
    severity: 'high',
    title: 'Evil twin: a known SSID advertised with weaker security',
    trigger:
      'A beacon or probe response advertises an SSID the sensor has already heard with stronger security (open or WEP where the network uses WPA2, WPA2-PSK where it uses WPA2-Enterprise or WPA3, no MFP where MFP was required), from a BSSID not seen before with that security.',
    guidance:
      'Someone may be impersonating the ward network to capture credentials or intercept devices that join it automatically. Find the BSSID (facts: bssid, channel, signal) and locate it; check whether any ward device associated with it (inventory: associated). If it is a misconfigured access point of the hospital, fix its security; otherwise remove it and report to security operations.',
  },
  {
    code: 'wifi.rogue_ap',
    id: 2002,
    severity: 'medium',
    title: 'Rogue access point: a ward SSID from an unknown BSSID',
    trigger:
      'A beacon or probe response advertises an SSID listed in wifi.known_networks from a BSSID that is not in that network\'s bssids list.',
    guidance:
      'Either the hospital installed or replaced an access point and wifi.known_networks must be updated, or a device is impersonating the network. Confirm with the network team; if the BSSID is not theirs, locate it by signal and channel and remove it.',
  },
  {
    code: 'wifi.malformed_element',
    id: 2003,
    severity: 'medium',
    title: 'Malformed or oversized 802.11 information element',
    trigger:
      'A management frame carries an element whose length the standard forbids (an SSID over 32 octets, a DS Parameter Set that is not one octet, an HT Capabilities element that is not 26 octets; src/decode/ieee80211/consts.ts ELEMENTS) or an element list that runs past the end of an unsnapped frame. Frames the radio flagged with a bad FCS, or whose FCS does not match, are not believed and do not raise it. One alert per transmitter.',
    guidance:
      'Oversized elements are how several Wi-Fi driver exploits start (for example long SSIDs against client drivers); buggy firmware also produces them. Identify the transmitter (facts: element id and length), check whether it is a known device with out-of-date firmware, and watch the devices near it for crashes or reconnections.',
  },
  {
    code: 'wifi.medical_open_network',
    id: 2004,
    severity: 'high',
    title: 'Medical device probing for or joining an open Wi-Fi network',
    trigger:
      'A station whose device class is medical (src/identify/classes.ts) sends a probe request for, or an association request to, a network the sensor has seen advertised as open (no RSN, WPA or WEP), or probes for an SSID it has seen on an open access point.',
    guidance:
      'The device will join any network of that name, so anyone can impersonate it and see or alter the device\'s traffic. Remove the open network from the device\'s saved profiles (with the manufacturer\'s tool), or ask biomedical engineering to; the device should only know the ward\'s protected SSID.',
  },
  {
    code: 'wifi.handshake_capture',
    id: 2005,
    severity: 'medium',
    title: 'WPA handshake capture activity',
    trigger:
      'At least wifi.eapol_msg1_threshold (default 10) EAPOL-Key message 1s of the 4-way handshake towards the stations of one BSSID within wifi.window_s with no handshake completed (no message 4), the pattern of tools that collect handshakes or PMKIDs to crack the passphrase offline. Often follows a deauthentication flood.',
    guidance:
      'Assume the network\'s pre-shared key may be cracked offline. If the network uses WPA2-PSK, make sure its passphrase is long and random, and plan to move medical devices to WPA2/WPA3-Enterprise or WPA3-SAE. Look for a deauthentication flood on the same network and locate the source.',
  },
  {
    code: 'wifi.medical_no_mfp',
    id: 2006,
    severity: 'medium',
    title: 'Network without management frame protection carries medical devices',
    trigger:
      'A station whose device class is medical is associated with (sends data to, or associates with) a BSSID whose RSN element does not require management frame protection (MFPR clear, IEEE 802.11-2020 §9.4.2.24.4), or that has no RSN at all. One alert per network.',
    guidance:
      'Anyone nearby can disconnect these devices with forged deauthentication frames. Enable 802.11w with MFP required (or move the devices to a WPA3 network) once their Wi-Fi supports it; check with the manufacturers which firmware does.',
  },
];
