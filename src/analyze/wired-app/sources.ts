/**
 * Sighting sources of the application protocols (issue 7 part B): what a
 * device says about itself in HTTP, TLS, SNMP, SSH, FTP and Telnet. Each
 * fact goes to the frame's sender, which is the device the field describes:
 * a client's User-Agent, SNI and JA4; a server's Server header, banner,
 * certificate and JA4S; an SNMP agent's system group in its response.
 * Keys are the shared vocabulary of src/analyze/inventory/sighting.ts.
 *
 * Nothing here reads a credential: the views cannot return one (HTTP keeps
 * the Authorization scheme, SNMP a verdict on the community), and the
 * Telnet source reads only what the server sends.
 */
import type { FtpView } from '../../decode/ftp/index.js';
import type { HttpView } from '../../decode/http/index.js';
import type { SnmpView } from '../../decode/snmp/index.js';
import type { SshView } from '../../decode/ssh/index.js';
import type { TelnetView } from '../../decode/telnet/index.js';
import type { TlsView } from '../../decode/tls/index.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import { Confidence } from '../inventory/identity.js';
import type { Fact, Sighting, SightingSource } from '../inventory/sighting.js';
import { endpoints } from './frame.js';
import { osHint, SSH_OS_HINTS, SYSDESCR_OS_HINTS } from './hints.js';

type Attr = readonly [AttributeName, Observation];

function obs(frame: DecodedFrame, proto: string, field: string, value: string, confidence: number): Observation {
  return { value, proto, field, time: frame.raw.tsSec, confidence, source: frame.raw.source };
}

function emitFacts(emit: (s: Sighting) => void, facts: Fact[], attrs: Attr[] = []): void {
  if (facts.length === 0 && attrs.length === 0) return;
  emit(attrs.length === 0 ? { subject: 'sender', facts } : { subject: 'sender', facts, attrs });
}

/** HTTP/1.x: a request's User-Agent and Host (the client's), a response's Server (the server's). */
export const httpSource: SightingSource = {
  name: 'http',
  layers: ['http'],
  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const v = layer as HttpView;
    const facts: Fact[] = [];
    const attrs: Attr[] = [];
    if (v.isRequest) {
      const ua = v.userAgent;
      if (ua) facts.push({ key: 'http.user_agent', value: ua });
      const host = v.host;
      if (host) facts.push({ key: 'http.host', value: host });
    } else {
      const server = v.server;
      if (server) {
        facts.push({ key: 'http.server', value: server });
        attrs.push(['software', obs(frame, 'http', 'Server', server, Confidence.medium)]);
      }
    }
    emitFacts(emit, facts, attrs);
  },
};

/** TLS: SNI, ALPN and JA4 of a ClientHello; JA4S of a ServerHello; names of the server's certificate. */
export const tlsSource: SightingSource = {
  name: 'tls',
  layers: ['tls'],
  extract(layer: Layer, _frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const v = layer as TlsView;
    const facts: Fact[] = [];
    if (v.isClientHello) {
      const sni = v.sni;
      if (sni) facts.push({ key: 'tls.sni', value: sni });
      const alpn = v.alpn;
      if (alpn.length > 0) facts.push({ key: 'tls.alpn', value: alpn.join(',') });
      facts.push({ key: 'tls.ja4', value: v.ja4! });
    } else if (v.isServerHello) {
      facts.push({ key: 'tls.ja4s', value: v.ja4s! });
    }
    const cert = v.certificate;
    if (cert?.subject) facts.push({ key: 'tls.cert_subject', value: cert.subject });
    if (cert?.issuer) facts.push({ key: 'tls.cert_issuer', value: cert.issuer });
    emitFacts(emit, facts);
  },
};

/** SNMP: an agent's system group, from its response (the sender); requests say nothing about the manager. */
export const snmpSource: SightingSource = {
  name: 'snmp',
  layers: ['snmp'],
  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const v = layer as SnmpView;
    if (!v.isResponse) return;
    const facts: Fact[] = [];
    const attrs: Attr[] = [];
    const descr = v.sysDescr;
    if (descr) {
      facts.push({ key: 'snmp.sys_descr', value: descr });
      const os = osHint(SYSDESCR_OS_HINTS, descr);
      if (os) attrs.push(['os', obs(frame, 'snmp', 'sysDescr', os, Confidence.medium)]);
    }
    const oid = v.sysObjectId;
    if (oid) facts.push({ key: 'snmp.sys_object_id', value: oid });
    const name = v.sysName;
    if (name) {
      facts.push({ key: 'snmp.sys_name', value: name });
      attrs.push(['hostname', obs(frame, 'snmp', 'sysName', name, Confidence.strong)]);
    }
    emitFacts(emit, facts, attrs);
  },
};

/** SSH: each side's identification names its own software (RFC 4253 §4.2). */
export const sshSource: SightingSource = {
  name: 'ssh',
  layers: ['ssh'],
  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const v = layer as SshView;
    const sw = v.software;
    const comments = v.comments;
    const attrs: Attr[] = [['software', obs(frame, 'ssh', 'softwareversion', sw, Confidence.strong)]];
    const os = osHint(SSH_OS_HINTS, comments, sw);
    if (os) attrs.push(['os', obs(frame, 'ssh', 'comments', os, Confidence.medium)]);
    emitFacts(emit, [{ key: 'banner.ssh', value: comments === undefined ? sw : `${sw} ${comments}` }], attrs);
  },
};

/** FTP: the server's 220 greeting (RFC 959 §4.2). Commands (USER, PASS) are never read here. */
export const ftpSource: SightingSource = {
  name: 'ftp',
  layers: ['ftp'],
  extract(layer: Layer, _frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const v = layer as FtpView;
    if (v.replyCode !== 220) return;
    const text = v.replyText;
    if (text) emitFacts(emit, [{ key: 'banner.ftp', value: text }]);
  },
};

/**
 * Telnet: the first printable line the server sends after option
 * negotiation (RFC 854), once per connection. Which connections already
 * gave theirs is a bounded table (`maxSessions`, oldest evicted and
 * counted): without it, every later server line (shell output, which may
 * show anything) would look like a first line. Client bytes are never read.
 */
export class TelnetBannerSource implements SightingSource {
  readonly name = 'telnet';
  readonly layers = ['telnet'] as const;
  /** Connections whose banner was taken, oldest first (Map insertion order). */
  private readonly done = new Map<string, true>();
  /** Connections forgotten to stay under the cap. */
  evicted = 0;

  constructor(private readonly maxSessions: number) {}

  get sessions(): number {
    return this.done.size;
  }

  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    const e = endpoints(frame);
    if (e === undefined || e.transport !== 'tcp' || e.srcPort !== 23) return;
    const v = layer as TelnetView;
    const key = `${e.src?.value}|${e.dst?.value}|${e.dstPort}`;
    if (this.done.has(key)) return;
    const line = v.firstLine;
    if (line === undefined) return; // negotiation only: the banner is still to come
    if (this.done.size >= this.maxSessions) {
      const oldest = this.done.keys().next().value as string;
      this.done.delete(oldest);
      this.evicted++;
    }
    this.done.set(key, true);
    // A prompt is not a banner: the server went straight to "login:".
    if (v.loginPrompt && line.replace(/\s+/g, '').toLowerCase().endsWith(':') && line.length < 16) return;
    emitFacts(emit, [{ key: 'banner.telnet', value: line }]);
  }
}

/** The sources of this area, for analyzers.ts `sightingSources`. */
export function wiredAppSources(maxTelnetSessions: number): SightingSource[] {
  return [httpSource, tlsSource, snmpSource, sshSource, ftpSource, new TelnetBannerSource(maxTelnetSessions)];
}
