/**
 * The ward simulation: a discrete-event loop over a time-ordered heap.
 * Behaviour ticks (from the profiles table) build whole exchanges at once:
 * an ARP request and its reply, a DHCP DORA, a TCP session from SYN to the
 * last ACK with consistent sequence numbers. Their frames wait in the heap
 * until their time comes, so exchanges interleave as on a real wire, and
 * memory stays bounded by the exchanges in flight.
 */
import { TCP_FLAGS, arp, concat, ethernet, internetChecksum, ipv4, ipv6, parseIpv6, udp } from '../../test/builders/frames.js';
import { AddrCache, ipv4Frame, type TcpFields } from './fastframe.js';
import { gatewayIp, planWard, DOMAIN, VLAN_ID, type WardDevice, type WardPlan } from './plan.js';
import { Prng } from './prng.js';
import type { Behaviour } from './profiles.js';
import * as P from './payloads.js';
import * as F from './fingerprints.js';

type Bytes = Uint8Array;

export interface WardOptions {
  /** Frames to produce (exactly). */
  readonly frames: number;
  readonly seed: number;
  readonly devices: number;
  /** Capture start, Unix seconds. */
  readonly startSec: number;
}

export interface WardFrame {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly bytes: Uint8Array;
}

const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO_MAC = '00:00:00:00:00:00';
/** Ethernet minimum without FCS (IEEE 802.3 §3.2.8): NICs pad shorter frames with zeros. */
const MIN_FRAME = 60;
const MSS = 1460;
const SYN_OPTIONS = Uint8Array.of(0x02, 0x04, MSS >> 8, MSS & 0xff, 0x01, 0x01, 0x04, 0x02);
const LEASE_S = 86400;

interface Ev {
  t: number;
  seq: number;
  bytes: Bytes | null;
  dev: number;
  beh: number;
}

/** One direction of a conversation as seen on the client's segment. */
interface Leg {
  srcMac: string;
  dstMac: string;
  seg: number;
  ttl: number;
  srcIp: string;
  dstIp: string;
}

interface DevState {
  active: boolean;
  ipId: number;
  port: number;
  v6Booted: boolean;
  streamSeq: number;
}

export class WardSim {
  readonly plan: WardPlan;
  private readonly rng: Prng;
  private readonly heap: Ev[] = [];
  private seq = 0;
  /** Capture time (Unix seconds) at which the late devices joined; set once frames() got there. */
  lateJoinSec: number | undefined;
  private readonly state: DevState[];
  private readonly byIp = new Map<string, WardDevice>();
  private readonly names: { name: string; dev: WardDevice }[] = [];
  private readonly addr = new AddrCache();

  constructor(readonly opts: WardOptions) {
    this.plan = planWard(opts.seed, opts.devices);
    this.rng = new Prng(opts.seed);
    this.state = this.plan.devices.map((d) => ({
      active: !d.late, ipId: this.rng.int(1, 0xffff), port: this.rng.int(49152, 60000), v6Booted: false, streamSeq: 0,
    }));
    for (const d of this.plan.devices) {
      this.byIp.set(d.ip, d);
      if (d.profile.dhcp === false) this.names.push({ name: `${d.host.toLowerCase()}.${DOMAIN}`, dev: d });
    }
    for (const d of this.plan.devices) if (!d.late) this.boot(d, 0, 3e6, 0.25);
  }

  /** The frames in time order; exactly `opts.frames` of them. */
  *frames(): Generator<WardFrame> {
    const lateAt = Math.floor(this.opts.frames * 0.75);
    let emitted = 0;
    let last = -1;
    while (emitted < this.opts.frames) {
      const ev = this.pop();
      if (ev === undefined) throw new Error('ward simulation ran dry');
      if (ev.bytes === null) {
        const d = this.plan.devices[ev.dev]!;
        const b = d.profile.behaviours[ev.beh]!;
        this.run(d, b, ev.t);
        this.push(ev.t + Math.max(1000, this.rng.exp(b.everyS * 1e6)), null, ev.dev, ev.beh);
        continue;
      }
      // Strictly increasing, whole microseconds (the file's resolution).
      const t = Math.max(ev.t, last + 1);
      last = t;
      emitted++;
      yield { tsSec: this.opts.startSec + Math.floor(t / 1e6), tsNsec: (t % 1e6) * 1000, bytes: ev.bytes };
      if (emitted === lateAt) {
        this.lateJoinSec = this.opts.startSec + t / 1e6;
        for (const d of this.plan.devices) {
          if (!d.late) continue;
          this.state[d.idx]!.active = true;
          this.boot(d, t, 2e6, 1);
        }
      }
    }
  }

  // ------------------------------------------------------------ scheduling

  private boot(d: WardDevice, t0: number, spread: number, doraP: number): void {
    const r = this.rng;
    const t = t0 + r.next() * spread;
    if (d.profile.dhcp && r.chance(doraP)) this.dora(d, t);
    else this.arpFor(d, t, this.plan.gateway, gatewayIp(d.segment));
    if (d.ip6 !== undefined && d.late) this.nd6(d, t + 5e5);
    d.profile.behaviours.forEach((b, i) => {
      const first = b.everyS <= 2 ? r.next() * b.everyS : r.exp(b.everyS);
      this.push(t + 1e5 + first * 1e6, null, d.idx, i);
    });
  }

  private push(t: number, bytes: Bytes | null, dev = 0, beh = 0): void {
    const h = this.heap;
    const ev: Ev = { t: Math.round(t), seq: this.seq++, bytes, dev, beh };
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(ev, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = ev;
  }

  private pop(): Ev | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && less(h[l + 1]!, h[l]!) ? l + 1 : l;
      if (!less(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }

  // ------------------------------------------------------------ layer 2/3 helpers

  private eth(src: string, dst: string, seg: number, type: number, payload: Bytes): Bytes {
    const f = ethernet(seg === 1 ? { src, dst, type, vlan: { vid: VLAN_ID } } : { src, dst, type }, payload);
    if (f.length >= MIN_FRAME) return f;
    const out = new Uint8Array(MIN_FRAME);
    out.set(f);
    return out;
  }

  private live(cls: WardDevice['cls']): WardDevice[] {
    return (this.plan.byClass.get(cls) ?? []).filter((d) => this.state[d.idx]!.active);
  }

  /** Client c talking to server s: both legs as seen on c's segment (through the gateway when apart). */
  private legs(c: WardDevice, s: WardDevice): [Leg, Leg] {
    const gw = this.plan.gateway;
    const seg = c.segment;
    const sIp = s === gw ? gatewayIp(seg) : s.ip;
    const cIp = c === gw ? gatewayIp(s.segment) : c.ip;
    const direct = s === gw || c === gw || s.segment === seg;
    const lseg = c === gw ? s.segment : seg;
    return [
      { srcMac: c.mac, dstMac: direct ? s.mac : gw.mac, seg: lseg, ttl: c.profile.ttl, srcIp: cIp, dstIp: sIp },
      {
        srcMac: direct ? s.mac : gw.mac, dstMac: c.mac, seg: lseg, srcIp: sIp, dstIp: cIp,
        ttl: s.segment === -1 ? 52 : direct ? s.profile.ttl : s.profile.ttl - 1,
      },
    ];
  }

  private rtt(c: WardDevice, s: WardDevice): number {
    if (s.segment === -1) return 8000 + this.rng.next() * 22000;
    return (s.segment === c.segment ? 150 : 260) + this.rng.next() * 250;
  }

  /** An IPv4 TCP (tcpf given) or UDP datagram along a leg; the IP id comes from the sender's counter. */
  private l4(t: number, leg: Leg, from: WardDevice, sport: number, dport: number, tcpf: TcpFields | undefined, payload: Bytes): void {
    const st = from.idx < 0 ? undefined : this.state[from.idx];
    const id = st === undefined ? this.rng.int(0, 0xffff) : (st.ipId = (st.ipId + 1) & 0xffff);
    const a = this.addr;
    this.push(t, ipv4Frame({
      srcMac: a.mac(leg.srcMac), dstMac: a.mac(leg.dstMac), vid: leg.seg === 1 ? VLAN_ID : 0,
      src: a.ip4(leg.srcIp), dst: a.ip4(leg.dstIp), ttl: leg.ttl, id, df: tcpf !== undefined, sport, dport,
    }, tcpf, payload));
  }

  private udpOut(t: number, leg: Leg, sport: number, dport: number, payload: Bytes, from: WardDevice): void {
    this.l4(t, leg, from, sport, dport, undefined, payload);
  }

  private ephemeral(d: WardDevice): number {
    const st = this.state[d.idx]!;
    st.port = st.port >= 65000 ? 49152 : st.port + 1 + this.rng.int(0, 3);
    return st.port;
  }

  /** A request/response over UDP between c and s; returns the time of the response. */
  private udpExchange(t: number, c: WardDevice, s: WardDevice, sport: number, dport: number, req: Bytes, rsp: Bytes | null, think = 0): number {
    const [out, back] = this.legs(c, s);
    this.udpOut(t, out, sport, dport, req, c);
    if (rsp === null) return t;
    const tr = t + this.rtt(c, s) + think;
    this.udpOut(tr, back, dport, sport, rsp, s);
    return tr;
  }

  // ------------------------------------------------------------ TCP

  /**
   * One TCP connection: handshake, the messages in order (each segmented at
   * the MSS, the receiver acking every second segment as delayed ACK does),
   * then FIN from the client. Sequence and acknowledgement numbers follow
   * RFC 9293 §3.4 throughout.
   */
  private tcpSession(t0: number, c: WardDevice, s: WardDevice, dport: number, msgs: readonly { fromClient: boolean; data: Bytes; think: number }[]): number {
    const r = this.rng;
    const [out, back] = this.legs(c, s);
    const sport = this.ephemeral(c);
    const rtt = this.rtt(c, s);
    let cs = r.u32();
    let ss = r.u32();
    let t = t0;
    const send = (fromClient: boolean, flags: number, payload: Bytes, options?: Bytes): void => {
      this.l4(t, fromClient ? out : back, fromClient ? c : s, fromClient ? sport : dport, fromClient ? dport : sport, {
        flags, seq: fromClient ? cs : ss, ack: flags & TCP_FLAGS.ACK ? (fromClient ? ss : cs) : 0,
        window: fromClient ? 64240 : 65160, options,
      }, payload);
      const adv = payload.length + (flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN) ? 1 : 0);
      if (fromClient) cs = (cs + adv) >>> 0;
      else ss = (ss + adv) >>> 0;
    };
    send(true, TCP_FLAGS.SYN, new Uint8Array(0), SYN_OPTIONS);
    t += rtt / 2;
    send(false, TCP_FLAGS.SYN | TCP_FLAGS.ACK, new Uint8Array(0), SYN_OPTIONS);
    t += rtt / 2;
    send(true, TCP_FLAGS.ACK, new Uint8Array(0));
    for (const m of msgs) {
      t += m.think + 20;
      let unacked = 0;
      for (let o = 0; o < m.data.length; o += MSS) {
        const chunk = m.data.subarray(o, Math.min(m.data.length, o + MSS));
        const lastSeg = o + MSS >= m.data.length;
        send(m.fromClient, TCP_FLAGS.ACK | (lastSeg ? TCP_FLAGS.PSH : 0), chunk);
        unacked++;
        // Wire time at 1 Gbit/s plus a little host jitter.
        t += (chunk.length + 78) * 0.008 + r.next() * 6;
        if (unacked === 2 || lastSeg) {
          const ta = t;
          t += rtt / 2;
          send(!m.fromClient, TCP_FLAGS.ACK, new Uint8Array(0));
          t = ta + 2;
          unacked = 0;
        }
      }
      t += rtt / 2;
    }
    t += 200 + r.next() * 2000;
    send(true, TCP_FLAGS.FIN | TCP_FLAGS.ACK, new Uint8Array(0));
    t += rtt / 2;
    send(false, TCP_FLAGS.FIN | TCP_FLAGS.ACK, new Uint8Array(0));
    t += rtt / 2;
    send(true, TCP_FLAGS.ACK, new Uint8Array(0));
    return t;
  }

  // ------------------------------------------------------------ behaviours

  private run(d: WardDevice, b: Behaviour, t: number): void {
    const r = this.rng;
    const size = (): number => (b.bytes === undefined ? 256 : r.int(b.bytes[0], b.bytes[1]));
    const target = (): WardDevice | undefined => {
      if (b.target === undefined) return undefined;
      if (b.target === 'external') return r.pick(this.plan.external);
      const xs = this.live(b.target).filter((x) => x !== d);
      return xs.length === 0 ? undefined : r.pick(xs);
    };
    switch (b.kind) {
      case 'arp': {
        if (d === this.plan.gateway) {
          const xs = this.plan.devices.filter((x) => x !== d && this.state[x.idx]!.active);
          const x = r.pick(xs);
          this.arpFor(d, t, x, x.ip);
          return;
        }
        const peers = this.plan.devices.filter((x) => x !== d && x.segment === d.segment && this.state[x.idx]!.active);
        if (r.chance(0.6) || peers.length === 0) this.arpFor(d, t, this.plan.gateway, gatewayIp(d.segment));
        else {
          const x = r.pick(peers);
          this.arpFor(d, t, x, x.ip);
        }
        return;
      }
      case 'arp-sweep': {
        const base = r.int(0, 240);
        for (let i = 0; i < 12; i++) {
          const ip = `10.30.1.${base + i}`;
          const x = this.byIp.get(ip);
          const tt = t + i * 15000;
          if (x !== undefined && x.segment === d.segment && this.state[x.idx]!.active && x !== d) this.arpFor(d, tt, x, ip);
          else this.push(tt, this.eth(d.mac, BROADCAST, d.segment, 0x0806,
            arp({ op: 1, senderMac: d.mac, senderIp: d.ip, targetMac: ZERO_MAC, targetIp: ip })));
        }
        return;
      }
      case 'dhcp-renew':
        return this.renew(d, t);
      case 'dns': {
        const s = target();
        if (s === undefined) return;
        const q = d.profile.cls === 'rogue-laptop' || d.profile.cls === 'unknown-sbc' ? r.pick(this.plan.external) : r.pick(this.names).dev;
        const name = q.segment === -1 ? q.host : `${q.host.toLowerCase()}.${DOMAIN}`;
        const id = r.int(0, 0xffff);
        this.udpExchange(t, d, s, this.ephemeral(d), 53, P.dnsQuery(id, name), P.dnsResponse(id, name, q.ip, 300), 300 + r.next() * 2500);
        return;
      }
      case 'ntp': {
        const s = target();
        if (s === undefined) return;
        const unixUs = this.opts.startSec * 1e6 + t;
        const rt = this.rtt(d, s);
        this.udpExchange(t, d, s, 123, 123, P.ntpRequest(unixUs), P.ntpReply(unixUs, unixUs + rt / 2, unixUs + rt / 2 + 30, '192.0.2.123'), 30);
        return;
      }
      case 'nd6':
        return this.nd6(d, t);
      case 'syslog': {
        const s = target();
        if (s === undefined) return;
        const unix = this.opts.startSec + Math.floor(t / 1e6);
        const msg = r.pick(SYSLOG_MESSAGES).replace('%d', String(r.int(20, 100)));
        this.udpExchange(t, d, s, 514, 514, P.syslogLine(r.pick([134, 133, 131]), unix, d.host, d.vendor.host.toLowerCase(), msg), null);
        return;
      }
      case 'snmp-poll': {
        const s = target();
        if (s === undefined) return;
        const oids = [P.SNMP_OIDS.sysDescr, P.SNMP_OIDS.sysUpTime, P.SNMP_OIDS.sysName] as const;
        let tt = t;
        for (const oid of oids) {
          const id = r.int(1, 0x7fffffff);
          const value = oid === P.SNMP_OIDS.sysUpTime ? Math.floor(t / 1e4) + 8_640_000 : oid === P.SNMP_OIDS.sysName ? s.host : F.fingerprintOf(s.vendor).sysDescr ?? `${s.vendor.name} ${s.vendor.model}`;
          tt = this.udpExchange(tt, d, s, this.ephemeral(d), 161, P.snmpGet(id, oid), P.snmpResponse(id, oid, value), 400 + r.next() * 1500) + 200;
        }
        return;
      }
      case 'stream': {
        const s = target();
        if (s === undefined) return;
        const st = this.state[d.idx]!;
        st.streamSeq = (st.streamSeq + 1) >>> 0;
        const ack = r.chance(0.1) ? P.monitorDatagram(r, 0x81, st.streamSeq, r.int(16, 48)) : null;
        this.udpExchange(t, d, s, 24105, 24105, P.monitorDatagram(r, 1, st.streamSeq, size()), ack);
        return;
      }
      case 'hl7': {
        const s = target();
        if (s === undefined) return;
        const msgs = [];
        for (let i = r.int(1, 3); i > 0; i--) {
          msgs.push({ fromClient: true, data: P.mllpOpaque(r, size()), think: 500 + r.next() * 3000 });
          msgs.push({ fromClient: false, data: P.mllpOpaque(r, r.int(60, 140)), think: 2000 + r.next() * 20000 });
        }
        this.tcpSession(t, d, s, 2575, msgs);
        return;
      }
      case 'dicom': {
        const s = target();
        if (s === undefined) return;
        const called = 'WARD_PACS';
        const calling = d.host.replace(/-/g, '_').slice(0, 16);
        const inst = `1.2.826.0.1.3680043.10.999.${d.idx}.${Math.floor(t / 1000)}`;
        const cls = P.US_IMAGE_STORAGE;
        this.tcpSession(t, d, s, 104, [
          { fromClient: true, data: P.dicomAssociateRq(called, calling, cls), think: 1000 },
          { fromClient: false, data: P.dicomAssociateAc(called, calling), think: 3000 + r.next() * 5000 },
          { fromClient: true, data: concat(P.pData(P.cStoreRq(1, cls, inst), true), P.pData(P.imageDataset(r, cls, inst, size()), false)), think: 500 },
          { fromClient: false, data: P.pData(P.cStoreRsp(1, cls, inst), true), think: 20000 + r.next() * 80000 },
          { fromClient: true, data: P.DICOM_RELEASE_RQ, think: 500 },
          { fromClient: false, data: P.DICOM_RELEASE_RP, think: 1000 },
        ]);
        return;
      }
      case 'https': {
        const s = target();
        if (s === undefined) return;
        const sni = s.segment === -1 ? s.host : `${s.host.toLowerCase()}.${DOMAIN}`;
        this.tcpSession(t, d, s, 443, [
          { fromClient: true, data: P.tlsClientHello(r, sni), think: 200 },
          { fromClient: false, data: P.tlsServerFlight(r, r.int(1800, 4200)), think: 800 + r.next() * 3000 },
          { fromClient: true, data: concat(P.tlsClientFinish(r), P.tlsAppData(r, r.int(200, 900))), think: 300 },
          { fromClient: false, data: P.tlsAppData(r, size()), think: 2000 + r.next() * 30000 },
        ]);
        return;
      }
      case 'mdns': {
        const m = F.fingerprintOf(d.vendor).mdns;
        if (m === undefined) return;
        const instance = m.service === '_workstation._tcp' ? `${d.host.toLowerCase()} [${d.mac}]` : `${d.vendor.name} ${d.vendor.model} ${d.host}`;
        const port = m.service === '_pdl-datastream._tcp' ? 9100 : m.service === '_ipp._tcp' ? 631 : 9;
        this.multicast(t, d, '224.0.0.251', 5353, 5353, 255, F.mdnsAnnounce(d.host.toLowerCase(), instance, m.service, port, m.txt, d.ip));
        return;
      }
      case 'ssdp': {
        const m = F.fingerprintOf(d.vendor).ssdp;
        if (m === undefined) return;
        // UPnP Device Architecture 2.0 §1.1.2: multicast TTL 2 by default.
        if (m.method === 'NOTIFY') this.multicast(t, d, '239.255.255.250', 1900, 1900, 2, F.ssdpNotify(d.ip, `4d696e69-5550-6e50-${d.mac.replace(/:/g, '')}`, m.agent, m.type));
        else this.multicast(t, d, '239.255.255.250', this.ephemeral(d), 1900, 2, F.ssdpSearch(m.agent, m.type));
        return;
      }
      case 'http': {
        const s = target();
        const ua = F.fingerprintOf(d.vendor).userAgent;
        if (s === undefined || ua === undefined) return;
        const host = s.segment === -1 ? s.host : `${s.host.toLowerCase()}.${DOMAIN}`;
        const server = F.fingerprintOf(s.vendor).httpServer ?? 'nginx/1.22.1';
        this.tcpSession(t, d, s, 80, [
          { fromClient: true, data: F.httpGet(host, r.pick(['/status', '/api/v1/state', '/index.html']), ua), think: 100 },
          { fromClient: false, data: F.httpOk(server, size()), think: 500 + r.next() * 4000 },
        ]);
        return;
      }
      case 'ssh': {
        const s = target();
        const server = s === undefined ? undefined : F.fingerprintOf(s.vendor).sshServer;
        if (s === undefined || server === undefined) return;
        this.tcpSession(t, d, s, 22, [
          { fromClient: false, data: F.sshIdent(server), think: 300 },
          { fromClient: true, data: F.sshIdent(F.fingerprintOf(d.vendor).sshServer ?? 'SSH-2.0-OpenSSH_9.2p1'), think: 200 },
        ]);
        return;
      }
      case 'print': {
        const s = target();
        if (s === undefined) return;
        this.tcpSession(t, d, s, 9100, [{ fromClient: true, data: P.zplLabel(size()), think: 200 }]);
        return;
      }
    }
  }

  /** A UDP datagram from d to an IPv4 multicast group (MAC per RFC 1112 §6.4). */
  private multicast(t: number, d: WardDevice, group: string, sport: number, dport: number, ttl: number, payload: Bytes): void {
    const g = group.split('.').map(Number);
    const mac = `01:00:5e:${[g[1]! & 0x7f, g[2]!, g[3]!].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    const st = this.state[d.idx]!;
    st.ipId = (st.ipId + 1) & 0xffff;
    this.push(t, this.eth(d.mac, mac, d.segment, 0x0800,
      ipv4({ src: d.ip, dst: group, proto: 17, ttl, id: st.ipId }, udp({ sport, dport, checksumWith: { src: d.ip, dst: group } }, payload))));
  }

  /** ARP request from d for ip (owned by x) and x's reply (RFC 826). */
  private arpFor(d: WardDevice, t: number, x: WardDevice, ip: string): void {
    const seg = d === this.plan.gateway ? x.segment : d.segment;
    const myIp = d === this.plan.gateway ? gatewayIp(seg) : d.ip;
    this.push(t, this.eth(d.mac, BROADCAST, seg, 0x0806, arp({ op: 1, senderMac: d.mac, senderIp: myIp, targetMac: ZERO_MAC, targetIp: ip })));
    this.push(t + 80 + this.rng.next() * 400, this.eth(x.mac, d.mac, seg, 0x0806, arp({ op: 2, senderMac: x.mac, senderIp: ip, targetMac: d.mac, targetIp: myIp })));
  }

  /** DHCP DORA (RFC 2131 §3.1), answered by the gateway, then a gratuitous ARP announcing the lease. */
  private dora(d: WardDevice, t: number): void {
    const r = this.rng;
    const gw = this.plan.gateway;
    const seg = d.segment;
    const srv = gatewayIp(seg);
    const xid = r.u32();
    const client = { clientMac: d.mac, xid, hostName: d.host, paramList: d.profile.paramList, vendorClass: d.vendor.vendorClass };
    const lease = { mask: '255.255.0.0', router: srv, dns: srv, seconds: LEASE_S, domain: DOMAIN };
    const bcast = (tt: number, payload: Bytes): void => this.push(tt, this.eth(d.mac, BROADCAST, seg, 0x0800,
      ipv4({ src: '0.0.0.0', dst: '255.255.255.255', proto: 17, ttl: d.profile.ttl, id: r.int(0, 0xffff) },
        udp({ sport: 68, dport: 67, checksumWith: { src: '0.0.0.0', dst: '255.255.255.255' } }, payload))));
    const reply = (tt: number, payload: Bytes): void => this.push(tt, this.eth(gw.mac, d.mac, seg, 0x0800,
      ipv4({ src: srv, dst: d.ip, proto: 17, ttl: 255, id: r.int(0, 0xffff) },
        udp({ sport: 67, dport: 68, checksumWith: { src: srv, dst: d.ip } }, payload))));
    bcast(t, P.dhcp({ op: 1, type: P.DHCP.DISCOVER, ...client }));
    const t1 = t + 1500 + r.next() * 3000;
    reply(t1, P.dhcp({ op: 2, type: P.DHCP.OFFER, xid, clientMac: d.mac, yiaddr: d.ip, siaddr: srv, serverId: srv, lease }));
    const t2 = t1 + 200 + r.next() * 800;
    bcast(t2, P.dhcp({ op: 1, type: P.DHCP.REQUEST, ...client, requestedIp: d.ip, serverId: srv }));
    const t3 = t2 + 1500 + r.next() * 3000;
    reply(t3, P.dhcp({ op: 2, type: P.DHCP.ACK, xid, clientMac: d.mac, yiaddr: d.ip, siaddr: srv, serverId: srv, lease }));
    // The announcement RFC 5227 §2.3 asks for once the address is in use.
    this.push(t3 + 3000 + r.next() * 5000, this.eth(d.mac, BROADCAST, seg, 0x0806,
      arp({ op: 1, senderMac: d.mac, senderIp: d.ip, targetMac: ZERO_MAC, targetIp: d.ip })));
  }

  /** Renewal in RENEWING state (RFC 2131 §4.3.2): unicast REQUEST with ciaddr, no option 50/54. */
  private renew(d: WardDevice, t: number): void {
    const gw = this.plan.gateway;
    const xid = this.rng.u32();
    const srv = gatewayIp(d.segment);
    this.udpExchange(t, d, gw, 68, 67,
      P.dhcp({ op: 1, type: P.DHCP.REQUEST, xid, clientMac: d.mac, ciaddr: d.ip, hostName: d.host, paramList: d.profile.paramList, vendorClass: d.vendor.vendorClass }),
      P.dhcp({ op: 2, type: P.DHCP.ACK, xid, clientMac: d.mac, ciaddr: d.ip, yiaddr: d.ip, siaddr: srv, serverId: srv, lease: { mask: '255.255.0.0', router: srv, dns: srv, seconds: LEASE_S, domain: DOMAIN } }),
      1000 + this.rng.next() * 2000);
  }

  /**
   * IPv6 link-local neighbour discovery (RFC 4861): on first use duplicate
   * address detection (RFC 4862 §5.4) and a router solicitation; later a
   * neighbour solicitation for a peer and its advertisement.
   */
  private nd6(d: WardDevice, t: number): void {
    if (d.ip6 === undefined) return;
    const st = this.state[d.idx]!;
    const r = this.rng;
    if (!st.v6Booted) {
      st.v6Booted = true;
      this.icmp6(t, d.mac, '::', solicitedNode(d.ip6), d.segment, 135, 0, concat(parseIpv6(d.ip6)));
      this.icmp6(t + 1e6 + r.next() * 2e5, d.mac, d.ip6, 'ff02::2', d.segment, 133, 0, lla(1, d.mac));
      return;
    }
    const peers = this.plan.devices.filter((x) => x !== d && x.ip6 !== undefined && x.segment === d.segment && this.state[x.idx]!.active);
    if (peers.length === 0) return;
    const x = r.pick(peers);
    this.icmp6(t, d.mac, d.ip6, solicitedNode(x.ip6!), d.segment, 135, 0, concat(parseIpv6(x.ip6!), lla(1, d.mac)));
    this.icmp6(t + 100 + r.next() * 300, x.mac, x.ip6!, d.ip6, d.segment, 136, 0x60000000, concat(parseIpv6(x.ip6!), lla(2, x.mac)), d.mac);
  }

  private icmp6(t: number, srcMac: string, src: string, dst: string, seg: number, type: number, rest: number, body: Bytes, dstMac?: string): void {
    const m = new Uint8Array(8 + body.length);
    m[0] = type;
    m[4] = rest >>> 24;
    m[5] = (rest >>> 16) & 0xff;
    m.set(body, 8);
    // Checksum over the RFC 8200 §8.1 pseudo-header: addresses, length, next header 58.
    let sum = m.length + 58;
    for (const a of [parseIpv6(src), parseIpv6(dst)]) for (let i = 0; i < 16; i += 2) sum += (a[i]! << 8) | a[i + 1]!;
    const ck = internetChecksum(m, sum);
    m[2] = ck >> 8;
    m[3] = ck & 0xff;
    const d = parseIpv6(dst);
    const mac = dstMac ?? `33:33:${[d[12]!, d[13]!, d[14]!, d[15]!].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    this.push(t, this.eth(srcMac, mac, seg, 0x86dd, ipv6({ src, dst, next: 58, hopLimit: 255 }, m)));
  }
}

const SYSLOG_MESSAGES = [
  'link up, 100Mb/s full duplex', 'battery %d%%, on mains', 'self test passed', 'configuration check ok',
  'time synchronised with server', 'certificate expires in %d days', 'service session closed', 'alarm volume set to %d',
] as const;

function less(a: Ev, b: Ev): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}


/** Source/target link-layer address option (RFC 4861 §4.6.1). */
function lla(type: 1 | 2, mac: string): Bytes {
  const o = new Uint8Array(8);
  o[0] = type;
  o[1] = 1;
  mac.split(':').forEach((h, i) => { o[2 + i] = parseInt(h, 16); });
  return o;
}

/** Solicited-node multicast address (RFC 4291 §2.7.1). */
function solicitedNode(ip6: string): string {
  const a = parseIpv6(ip6);
  const h = (x: number, y: number): string => ((x << 8) | y).toString(16);
  return `ff02::1:ff${a[13]!.toString(16).padStart(2, '0')}:${h(a[14]!, a[15]!)}`;
}
