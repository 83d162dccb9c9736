/**
 * The medical analyzer (issue 11 §7, §8): alerts from the events of the
 * medical streams (context.ts), which it shares with the sighting source.
 *
 * - `phi.cleartext_transport`: an HL7 message with a patient segment, a
 *   DICOM dataset, a POCT1-A patient topic, in cleartext. Only what the
 *   privacy guard lets through is ever in hand here (booleans, AE titles,
 *   application names), and the alert carries devices, protocol and port.
 * - DICOM: a requestor address or an AE title never seen before, rejection
 *   bursts, a user identity item outside TLS, a C-STORE off the site.
 * - HL7: a sending application (MSH-3, MSH-4) never seen before.
 *
 * "Never seen" sets are bounded (medical.max_known, oldest forgotten,
 * counted) and learnt quietly during medical.learning_s after the first frame.
 */
import type { Config } from '../../config/index.js';
import type { DecodedFrame } from '../../decode/types.js';
import type { TlsView } from '../../decode/tls/index.js';
import { identifierKey, type Identifier } from '../../telemetry/ident.js';
import { SiteNetworks } from '../inventory/sites.js';
import type { Analyzer, Sink } from '../types.js';
import { MedicalContext, type Conn, type MedicalEvent } from './context.js';
import { isLocal } from './sighting.js';
import { SdcTracker, type SdcObservation } from './sdc.js';
import { endpoints } from '../wired-app/frame.js';

export const PHI_CLEARTEXT = 'phi.cleartext_transport';
export const DICOM_NEW_PEER = 'medical.dicom_new_peer';
export const DICOM_NEW_AE = 'medical.dicom_new_ae_title';
export const HL7_UNKNOWN_APP = 'medical.hl7_unknown_application';
export const DICOM_REJECT_BURST = 'medical.dicom_reject_burst';
export const CLEARTEXT_IDENTITY = 'medical.cleartext_user_identity';
export const DICOM_STORE_OFFSITE = 'medical.dicom_store_offsite';

export interface MedicalOptions {
  readonly rejectBurst: number;
  readonly rejectWindowS: number;
  readonly maxKnown: number;
  readonly learningS: number;
  readonly siteNetworks: readonly string[] | undefined;
}

export function medicalOptions(config: Config): MedicalOptions {
  const m = config.medical;
  return { rejectBurst: m.reject_burst, rejectWindowS: m.reject_window_s, maxKnown: m.max_known, learningS: m.learning_s, siteNetworks: config.inventory.site_networks };
}

/** A bounded "seen before" set: insertion-ordered, the oldest forgotten first. */
class Known {
  private readonly set = new Set<string>();
  evicted = 0;
  constructor(private readonly cap: number) {}
  /** True when `k` is new (and remembers it). */
  add(k: string): boolean {
    if (this.set.has(k)) return false;
    if (this.set.size >= this.cap) {
      const [oldest] = this.set;
      this.set.delete(oldest!);
      this.evicted++;
    }
    this.set.add(k);
    return true;
  }
  get size(): number {
    return this.set.size;
  }
}

/**
 * TLS forms of the medical protocols, counted as protected (issue 11 §7) by
 * the ClientHello's destination port: DICOM TLS on 2762 (PS3.15 Annex B.1,
 * IANA dicom-tls) or on the DICOM ports 104/11112, HL7 MLLP over TLS on
 * 2575 (IHE ITI TF-2a §3.19 ATNA secure node). Nothing inside is read.
 */
export const MEDICAL_TLS_PORTS: ReadonlyMap<number, 'dicom' | 'hl7'> = new Map([[2762, 'dicom'], [104, 'dicom'], [11112, 'dicom'], [2575, 'hl7']]);

function protectedProto(frame: DecodedFrame): 'dicom' | 'hl7' | undefined {
  for (const l of frame.layers) {
    if (l.name !== 'tls') continue;
    if (!(l as TlsView).isClientHello) return undefined;
    const e = endpoints(frame);
    return e === undefined ? undefined : MEDICAL_TLS_PORTS.get(e.dstPort);
  }
  return undefined;
}

/** The service port of a connection: the lower of the two (the ephemeral side is the high one). */
const servicePort = (c: Conn): number => Math.min(c.srcPort, c.dstPort);

export class MedicalAnalyzer implements Analyzer {
  readonly name = 'medical';
  private readonly sites: SiteNetworks;
  private readonly peers: Known;
  private readonly aeTitles: Known;
  private readonly apps: Known;
  /** A-ASSOCIATE-RJ times per rejecting node (bounded like the known sets). */
  private readonly rejects = new Map<string, number[]>();
  private learnUntil = -1;
  /** IEEE 11073 SDC providers and their transports (sdc.ts). */
  readonly sdc = new SdcTracker();

  constructor(private readonly opts: MedicalOptions, readonly ctx: MedicalContext) {
    this.sites = new SiteNetworks(opts.siteNetworks);
    this.peers = new Known(opts.maxKnown);
    this.aeTitles = new Known(opts.maxKnown);
    this.apps = new Known(opts.maxKnown);
  }

  onFrame(frame: DecodedFrame, out: Sink): void {
    const sdc = this.sdc.observe(frame);
    if (sdc !== undefined) this.onSdc(sdc, frame, out);
    const tls = protectedProto(frame);
    if (tls !== undefined) out.count(`medical.${tls}.protected`);
    const events = this.ctx.events(frame);
    if (events.length === 0) return;
    const now = frame.raw.tsSec;
    if (this.learnUntil < 0) this.learnUntil = now + this.opts.learningS;
    const learning = now < this.learnUntil;
    for (const e of events) this.one(e, now, learning, out);
  }

  private one(e: MedicalEvent, now: number, learning: boolean, out: Sink): void {
    const c = e.conn;
    out.count(`medical.${e.proto}.${e.ev.kind}`);
    if (e.ev.kind === 'anomaly') {
      out.count(e.ev.code);
      return;
    }
    if (e.proto === 'hl7') {
      const m = e.ev;
      if (m.carriesPhi) this.raise(out, PHI_CLEARTEXT, c.src, c, now, { protocol: 'hl7', segments: m.segmentCount });
      const app = `${m.sendingApplication}^${m.sendingFacility}`;
      if (this.apps.add(app) && !learning) {
        this.raise(out, HL7_UNKNOWN_APP, c.src, c, now, { protocol: 'hl7', application: m.sendingApplication, facility: m.sendingFacility, message: `${m.messageType}^${m.triggerEvent}` });
      }
      return;
    }
    if (e.proto === 'poct1') {
      if (e.ev.carriesPhi) this.raise(out, PHI_CLEARTEXT, c.src, c, now, { protocol: 'poct1', message: e.ev.root });
      return;
    }
    const d = e.ev;
    switch (d.kind) {
      case 'dataset':
        this.raise(out, PHI_CLEARTEXT, c.src, c, now, { protocol: 'dicom' });
        return;
      case 'associate-rq': {
        const newPeer = this.peers.add(identifierKey(c.src));
        const newAe = [this.aeTitles.add(`calling:${d.callingAe}`), this.aeTitles.add(`called:${d.calledAe}`)].some((x) => x);
        const ae = { calling_ae: d.callingAe, called_ae: d.calledAe };
        if (!learning && newPeer) this.raise(out, DICOM_NEW_PEER, c.src, c, now, { protocol: 'dicom', ...ae });
        if (!learning && newAe) this.raise(out, DICOM_NEW_AE, c.src, c, now, { protocol: 'dicom', ...ae });
        // The acceptor is the device whose login crossed in clear (as credentials.cleartext names the server).
        if (d.userIdentity !== '') this.raise(out, CLEARTEXT_IDENTITY, c.dst, c, now, { protocol: 'dicom', identity_type: d.userIdentity, ...ae });
        return;
      }
      case 'associate-rj': {
        const k = identifierKey(c.src);
        const times = (this.rejects.get(k) ?? []).filter((t) => t > now - this.opts.rejectWindowS);
        times.push(now);
        if (!this.rejects.has(k) && this.rejects.size >= this.opts.maxKnown) this.rejects.delete(this.rejects.keys().next().value!);
        this.rejects.set(k, times.length >= this.opts.rejectBurst ? [] : times);
        if (times.length >= this.opts.rejectBurst) this.raise(out, DICOM_REJECT_BURST, c.src, c, now, { protocol: 'dicom', rejects: times.length, window_s: this.opts.rejectWindowS });
        return;
      }
      case 'command':
        if (d.command === 0x0001 && !isLocal(this.sites, c.dst)) this.raise(out, DICOM_STORE_OFFSITE, c.src, c, now, { protocol: 'dicom', command: d.name });
        return;
      default:
        return;
    }
  }

  /** SDC: connections to providers counted as protected (TLS) or cleartext; a patient context in clear is PHI (IEEE 11073-20701 §9.3.2). */
  private onSdc(o: SdcObservation, frame: DecodedFrame, out: Sink): void {
    if (o.kind !== 'patient-context') {
      out.count(`medical.sdc.${o.kind}`);
      return;
    }
    const ep = endpoints(frame);
    if (ep?.src === undefined || ep.dst === undefined) return;
    const c: Conn = { src: ep.src, dst: ep.dst, srcPort: ep.srcPort, dstPort: ep.dstPort };
    const device = ep.src.value === o.server ? ep.src : ep.dst;
    this.raise(out, PHI_CLEARTEXT, device, c, frame.raw.tsSec, { protocol: 'sdc', context: 'patient' });
  }

  onTick(_nowSec: number, _out: Sink): void {}

  gauges(): Readonly<Record<string, number>> {
    const r = this.ctx.streams;
    return {
      streams: r.size, stream_bytes: r.bytes, known_peers: this.peers.size, known_ae_titles: this.aeTitles.size, known_hl7_apps: this.apps.size,
      known_evicted: this.peers.evicted + this.aeTitles.evicted + this.apps.evicted, sdc_providers: this.sdc.size, sdc_providers_evicted: this.sdc.evicted, pending_associations_evicted: this.ctx.pendingEvicted,
      ...Object.fromEntries(Object.entries(r.counters).map(([k, v]) => [k.replace(/\./g, '_'), v])),
    };
  }

  private raise(out: Sink, code: string, device: Identifier, c: Conn, now: number, extra: Readonly<Record<string, string | number | boolean>>): void {
    const peer = device === c.src ? c.dst : c.src;
    out.count(code);
    out.alert({ code, device: identifierKey(device), time: now, facts: { transport: 'tcp', port: servicePort(c), peer: peer.value, ...extra } });
  }
}
