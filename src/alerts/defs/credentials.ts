/** Alerts about credentials on the wire (wired protocol alerts, ids 1100-1199). */
import type { AlertDefinition } from '../catalogue.js';

export const CREDENTIALS_ALERTS: readonly AlertDefinition[] = [
  {
    code: 'credentials.default',
    id: 1100,
    severity: 'high',
    title: 'Well-known default SNMP community in use',
    trigger:
      'An SNMP v1 or v2c message carries a community that is a well-known default (public, private and the vendor defaults listed in src/decode/snmp/consts.ts). A response proves the agent accepts it; a request names the agent it was sent to. The alert names the agent, the port and which default list entry matched (by id), never the string.',
    guidance:
      'Anyone on the ward network can read (and with a write default, change) this device\'s configuration. Change the community on the device, restrict SNMP to the management station by ACL, or move to SNMPv3 with authentication and privacy. For a medical device, ask the manufacturer how to do so without voiding its certification.',
  },
  {
    code: 'credentials.cleartext',
    id: 1101,
    severity: 'medium',
    title: 'Login sent in cleartext',
    trigger:
      'A password or token crosses the network unencrypted: an FTP PASS command, a Telnet password prompt, or an HTTP request with Authorization Basic or Bearer outside TLS. The alert names the server that accepts the login, the protocol, the port and the client, never the secret.',
    guidance:
      'Anyone who can see this traffic can reuse the login. Switch the service to its encrypted form (SFTP/FTPS, SSH, HTTPS) or disable it; change the password if it is shared with other systems. Legacy medical devices that only offer cleartext logins belong on an isolated segment reachable only from their management station.',
  },
];
