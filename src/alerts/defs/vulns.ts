/** Alerts of vulnerability correlation and passive indicators (ids 6000-6099; src/analyze/vulns/). */
import type { AlertDefinition } from '../catalogue.js';

export const VULNS_ALERTS: readonly AlertDefinition[] = [
  {
    code: 'vulns.contec_cms8000_backdoor',
    id: 6000,
    severity: 'critical',
    title: 'Patient monitor contacting the Contec CMS8000 hard-coded address block',
    trigger:
      'A device sent IPv4 traffic to 202.114.4.0/24. CISA advisory ICSMA-25-030-01 and its fact sheet describe Contec CMS8000 (and Epsimed MN-120) patient monitors that connect to the hard-coded addresses 202.114.4.119 (a remote-access backdoor, CVE-2025-0626) and 202.114.4.120 (patient data sent in HL7, CVE-2025-0683). The alert carries the destination; the device gets both CVEs in the vulns stream.',
    guidance:
      'Treat the monitor as compromised-by-design: disconnect it from the network if its function allows (the CMS8000 keeps monitoring locally), block 202.114.4.0/24 at the ward firewall, and follow ICSMA-25-030-01. Check central logs for what else the monitor sent.',
  },
  {
    code: 'vulns.urgent11_ip_options',
    id: 6001,
    severity: 'high',
    title: 'IPv4 packet with several or malformed source-route options (URGENT/11, CVE-2019-12256)',
    trigger:
      'An IPv4 packet carried two or more loose/strict source-route options, or options whose lengths overrun the header (RFC 791 §3.1). VxWorks IPnet overflowed its stack parsing such options (Armis URGENT/11, CVE-2019-12256; CISA ICSA-19-211-01). The alert names the receiving device and the sender.',
    guidance:
      'No legitimate ward traffic uses source routing. Find the sender; if the receiver runs VxWorks 6.5-7 (infusion pumps, monitors, imaging, PLCs), check its firmware against the vendor\'s URGENT/11 notice and drop IP options at the ward firewall.',
  },
  {
    code: 'vulns.urgent11_tcp_urgent_pointer',
    id: 6002,
    severity: 'high',
    title: 'TCP segment with URG set and an urgent pointer of 0 (URGENT/11)',
    trigger:
      'A TCP segment had the URG flag with urgent pointer 0 (RFC 9293 §3.1), the trigger of the IPnet integer underflow (CVE-2019-12255) and its variants (CVE-2019-12260, -12261, -12263). The alert names the receiving device, the sender and the port.',
    guidance:
      'Urgent data is all but unused today. Find the sender; patch VxWorks-based receivers per the vendor\'s URGENT/11 notice, and have the firewall clear the URG flag or drop such segments towards medical devices.',
  },
  {
    code: 'vulns.namewreck_dns_compression',
    id: 6003,
    severity: 'high',
    title: 'DNS response with compression-pointer abuse (NAME:WRECK)',
    trigger:
      'A DNS response (UDP source port 53) carried a name whose compression pointer does not point before itself, or a reserved label type (RFC 1035 §4.1.4). Embedded TCP/IP stacks (Nucleus NET CVE-2020-27009, CVE-2020-15795; IPnet CVE-2016-20009) mis-parse such names (Forescout/JSOF NAME:WRECK, CISA ICSA-21-103-03). The alert names the receiving device and the responder.',
    guidance:
      'Find out whether the responder is the ward\'s resolver (then it is compromised or relaying an attacker) or a spoofer. Make embedded devices use only the internal resolver, and patch Nucleus- or VxWorks-based devices per their vendor.',
  },
  {
    code: 'vulns.ripple20_ip_tunnel_fragment',
    id: 6004,
    severity: 'medium',
    title: 'Fragmented IP-in-IP packet towards a device (Ripple20 trait)',
    trigger:
      'An IPv4 fragment carried protocol 4 (IP in IP, RFC 2003). The Treck TCP/IP stack mishandled fragmented tunnelled packets (JSOF Ripple20, CVE-2020-11896, CVE-2020-11898; CISA ICSA-20-168-01); ward devices have no reason to receive them.',
    guidance:
      'Block IP-in-IP (protocol 4) and IP fragments towards medical devices at the ward firewall; identify Treck-based devices with their vendors\' Ripple20 notices and patch them.',
  },
];
