/**
 * Frames for the wired-discovery conformance test
 * (test/wired-conformance.test.ts): LLDP, CDP and DHCPv6, which the shared
 * captures lack, and the DHCP/mDNS/NBNS/SSDP/WS-Discovery branches they
 * hardly reach (wire-format FQDN, relays, SRV/TXT, IPv6 multicast ...).
 * tshark reads these back as the oracle.
 */
import {
  cdp, dhcp, dhcpFqdn, dhcpv6, dhcpv6Relay, dns, dnsName, duidLlt, ether8023, lldp, nbName, snap, srvRdata, ssdp, txtRdata,
  udp4Frame, udp6Frame, vendorClass6, wsd,
} from './discovery.js';
import { ethernet, type Bytes } from './frames.js';

const SW = '00:1b:21:3a:4f:99';
const PUMP = '00:09:fb:12:34:56';

export function discoveryCorpus(): Bytes[] {
  const lldpFrame = (p: Bytes): Bytes => ethernet({ src: SW, dst: '01:80:c2:00:00:0e', type: 0x88cc }, p);
  const cdpFrame = (p: Bytes): Bytes => ether8023(SW, '01:00:0c:cc:cc:cc', snap(0x00000c, 0x2000, p));
  const inst = 'Infusion Pump 7._sdc._tcp.local';
  const out: Bytes[] = [
    lldpFrame(lldp({ chassisMac: SW, portId: 'Gi1/0/12', sysName: 'ward3-sw1', sysDescr: 'Cisco IOS Software, C2960X', portDescr: 'bed 12', caps: [0x14, 0x04], mgmtIpv4: '10.30.0.2' })),
    lldpFrame(lldp({ chassisMac: '00:04:f2:00:00:01', portId: 'eth0', sysName: 'phone-17', caps: [0x24, 0x20] })),
    lldpFrame(lldp({ chassisMac: PUMP, portId: 'port1', sysName: 'pump-7', sysDescr: 'Alaris 8015 PC Unit fw 12.1' })),
    ethernet({ src: SW, dst: '01:80:c2:00:00:0e', type: 0x88cc, vlan: { vid: 30 } }, lldp({ chassisMac: SW, portId: 'Gi1/0/13', sysName: 'ward3-sw1', caps: [4, 4] })),
    cdpFrame(cdp({ deviceId: 'ward3-sw1.example', portId: 'GigabitEthernet1/0/12', software: 'Cisco IOS Software, C2960X Software, Version 15.2(7)E', platform: 'cisco WS-C2960X-48FPD-L', caps: 0x28, addresses: ['10.30.0.2'] })),
    cdpFrame(cdp({ deviceId: 'SEP001122334455', portId: 'Port 1', caps: 0x490, platform: 'Cisco IP Phone 8845', software: 'sip8845_65.14-1-1' })),
    cdpFrame(cdp({ deviceId: 'router1', caps: 0x01, addresses: ['10.0.0.1', '10.0.0.2'], version: 1 })),
    udp6Frame(546, 547, dhcpv6(1, 0xabcdef, [[1, duidLlt(PUMP)], [6, new Uint8Array([0, 23, 0, 24])], [16, vendorClass6(311, 'MSFT 5.0')], [39, new Uint8Array([1, ...dnsName('monitor-3.ward.example')])]])),
    udp6Frame(547, 547, dhcpv6Relay(12, dhcpv6(3, 0x10203, [[1, duidLlt(PUMP)], [16, vendorClass6(1234, 'Mindray', 'BeneVision')]])), 'fe80::1', 'ff02::1:2'),
    udp6Frame(547, 546, dhcpv6(7, 0xabcdef, [[1, duidLlt(PUMP)]]), 'fe80::1', 'fe80::2'),
    udp4Frame(68, 67, dhcp({ chaddr: PUMP, options: [[53, new Uint8Array([1])], [12, 'pump-7'], [60, 'BD Alaris'], [55, new Uint8Array([1, 3, 6, 15, 28, 42])], [81, dhcpFqdn(5, 'pump-7.ward.example')], [57, new Uint8Array([2, 64])]] })),
    udp4Frame(67, 68, dhcp({ op: 2, chaddr: PUMP, yiaddr: '10.30.1.7', giaddr: '10.30.0.1', options: [[53, new Uint8Array([5])], [54, new Uint8Array([10, 30, 0, 1])]] }), '10.30.0.1', '10.30.1.7'),
    udp4Frame(68, 67, dhcp({ chaddr: PUMP, options: [[53, new Uint8Array([3])], [50, new Uint8Array([10, 30, 1, 7])], [12, 'pump-7'], [77, new Uint8Array([4, 0x77, 0x61, 0x72, 0x64])]] })),
    udp4Frame(5353, 5353, dns({
      flags: 0x8400,
      answers: [
        { name: '_sdc._tcp.local', type: 12, rdata: dnsName(inst) },
        { name: inst, type: 33, cls: 0x8001, rdata: srvRdata(0, 0, 6464, 'pump-7.local') },
        { name: inst, type: 16, cls: 0x8001, rdata: txtRdata('md=Sigma Spectrum', 'manufacturer=Baxter', 'fw=8.01') },
        { name: 'pump-7.local', type: 1, cls: 0x8001, rdata: new Uint8Array([10, 30, 1, 7]) },
      ],
      additionals: [{ name: 'pump-7.local', type: 28, cls: 0x8001, rdata: new Uint8Array([0xfe, 0x80, ...new Uint8Array(13), 7]) }],
    }), '10.30.1.7', '224.0.0.251'),
    udp4Frame(5353, 5353, dns({ questions: [{ name: '_ipp._tcp.local', type: 12 }, { name: '_services._dns-sd._udp.local', type: 12, cls: 0x8001 }] }), '10.30.1.8', '224.0.0.251'),
    udp4Frame(53, 40000, dns({ id: 7, flags: 0x8180, questions: [{ name: 'update.vendor.example', type: 1 }], answers: [{ name: new Uint8Array([0xc0, 12]), type: 5, rdata: dnsName('cdn.example') }, { name: 'cdn.example', type: 1, rdata: new Uint8Array([192, 0, 2, 1]) }] }), '10.30.0.53', '10.30.1.7'),
    udp4Frame(137, 137, dns({ id: 0x8001, flags: 0x2910, questions: [{ name: nbName('WARD3-PC07', 0x20), type: 32 }], additionals: [{ name: new Uint8Array([0xc0, 12]), type: 32, rdata: new Uint8Array([0, 0, 10, 30, 1, 9]) }] }), '10.30.1.9', '10.30.255.255'),
    udp4Frame(137, 137, dns({ id: 0x8002, flags: 0x0110, questions: [{ name: nbName('WORKGROUP', 0x1e), type: 32 }] }), '10.30.1.9', '10.30.255.255'),
    udp4Frame(1900, 1900, ssdp('NOTIFY * HTTP/1.1', [['HOST', '239.255.255.250:1900'], ['CACHE-CONTROL', 'max-age=1800'], ['LOCATION', 'http://10.30.1.7:49152/desc.xml'], ['NT', 'urn:schemas-upnp-org:device:Basic:1'], ['NTS', 'ssdp:alive'], ['SERVER', 'Linux/4.9 UPnP/1.0 Philips-IntelliVue/1.2'], ['USN', 'uuid:2fac1234::urn:schemas-upnp-org:device:Basic:1']]), '10.30.1.7', '239.255.255.250'),
    udp4Frame(1900, 50000, ssdp('HTTP/1.1 200 OK', [['CACHE-CONTROL', 'max-age=100'], ['ST', 'upnp:rootdevice'], ['USN', 'uuid:abc::upnp:rootdevice'], ['SERVER', 'Windows/10 UPnP/1.0'], ['LOCATION', 'http://10.30.1.9:2869/']]), '10.30.1.9', '10.30.1.50'),
    udp6Frame(50000, 1900, ssdp('M-SEARCH * HTTP/1.1', [['HOST', '[FF02::C]:1900'], ['MAN', '"ssdp:discover"'], ['MX', '2'], ['ST', 'ssdp:all'], ['USER-AGENT', 'iOS/17 UPnP/1.1']]), 'fe80::9', 'ff02::c'),
    udp4Frame(3702, 3702, wsd({ action: 'Hello', body: '<wsd:Hello><wsa:EndpointReference><wsa:Address>urn:uuid:5e1f0000-0000-4000-8000-00000000a11c</wsa:Address></wsa:EndpointReference><wsd:Types>dpws:Device mdpws:MedicalDevice</wsd:Types><wsd:Scopes>sdc.ctxt.loc:/sdc.ctxt.loc.detail/ICU</wsd:Scopes><wsd:XAddrs>https://10.30.1.9:6464/</wsd:XAddrs><wsd:MetadataVersion>1</wsd:MetadataVersion></wsd:Hello>' }), '10.30.1.9', '239.255.255.250'),
    udp4Frame(3702, 50000, wsd({ action: 'ProbeMatches', body: '<wsd:ProbeMatches><wsd:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:1</wsa:Address></wsa:EndpointReference><wsd:Types>wsdp:Device pub:Computer</wsd:Types><wsd:XAddrs>http://10.30.1.9:5357/1</wsd:XAddrs></wsd:ProbeMatch></wsd:ProbeMatches>' }), '10.30.1.9', '10.30.1.50'),
    udp4Frame(50000, 3702, wsd({ action: 'Probe', body: '<wsd:Probe><wsd:Types>dpws:Device</wsd:Types></wsd:Probe>' }), '10.30.1.50', '239.255.255.250'),
  ];
  return out;
}
