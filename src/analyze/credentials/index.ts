/**
 * Credentials seen on the wire, judged and dropped (DESIGN.md
 * non-negotiable 2): `credentials.default` when an SNMP v1/v2c message uses
 * a well-known community (src/decode/snmp/consts.ts), `credentials.cleartext`
 * when a login crosses the network unencrypted — an FTP PASS (RFC 959
 * §4.1.1), a Telnet password prompt answered in clear (RFC 854), an HTTP
 * Authorization with the Basic scheme (RFC 7617 §2: base64 is not
 * encryption) or a Bearer token (RFC 6750 §5.3) outside TLS.
 *
 * The alert names the device that accepts the credential (the server or
 * SNMP agent), the protocol and the port, and never the secret: the views
 * this analyzer reads cannot return one. It keeps no state of its own; the
 * Telnet banner source's bounded session table reports through its gauges.
 */
import type { FtpView } from '../../decode/ftp/index.js';
import type { HttpView } from '../../decode/http/index.js';
import type { SnmpView } from '../../decode/snmp/index.js';
import type { TelnetView } from '../../decode/telnet/index.js';
import type { DecodedFrame } from '../../decode/types.js';
import { identifierKey, type Identifier } from '../../telemetry/ident.js';
import type { Analyzer, Sink } from '../types.js';
import { endpoints, type Endpoints } from '../wired-app/frame.js';
import type { TelnetBannerSource } from '../wired-app/sources.js';

export const CREDENTIALS_DEFAULT = 'credentials.default';
export const CREDENTIALS_CLEARTEXT = 'credentials.cleartext';

export class CredentialsAnalyzer implements Analyzer {
  readonly name = 'credentials';

  constructor(private readonly telnet?: TelnetBannerSource) {}

  onFrame(frame: DecodedFrame, out: Sink): void {
    const layers = frame.layers;
    const l = layers[layers.length - 1];
    if (l === undefined) return;
    switch (l.name) {
      case 'http': {
        const scheme = (l as HttpView).authScheme;
        if (scheme !== 'basic' && scheme !== 'bearer') return;
        const e = endpoints(frame);
        if (e !== undefined) this.raise(out, frame, CREDENTIALS_CLEARTEXT, e.dst, e, 'http', e.dstPort, { scheme });
        return;
      }
      case 'ftp': {
        const v = l as FtpView;
        if (v.verb !== 'PASS' || !v.hasArgument) return;
        const e = endpoints(frame);
        if (e !== undefined) this.raise(out, frame, CREDENTIALS_CLEARTEXT, e.dst, e, 'ftp', e.dstPort, {});
        return;
      }
      case 'telnet': {
        const e = endpoints(frame);
        if (e === undefined || e.srcPort !== 23 || !(l as TelnetView).passwordPrompt) return;
        this.raise(out, frame, CREDENTIALS_CLEARTEXT, e.src, e, 'telnet', e.srcPort, {});
        return;
      }
      case 'snmp': {
        const v = l as SnmpView;
        const c = v.community;
        if (c.kind !== 'default') return;
        const e = endpoints(frame);
        if (e === undefined) return;
        // A response proves the agent (its sender) accepts the community; a request names the agent it was sent to.
        const agent = v.isResponse ? e.src : e.dst;
        const port = v.isResponse ? e.srcPort : e.dstPort;
        this.raise(out, frame, CREDENTIALS_DEFAULT, agent, e, 'snmp', port, { community: 'default', list: c.id, version: v.version === 0 ? 'v1' : 'v2c', answered: v.isResponse });
        return;
      }
    }
  }

  onTick(_nowSec: number, _out: Sink): void {}

  gauges(): Readonly<Record<string, number>> {
    const t = this.telnet;
    return t === undefined ? {} : { telnet_sessions: t.sessions, telnet_sessions_evicted: t.evicted };
  }

  private raise(out: Sink, frame: DecodedFrame, code: string, device: Identifier | undefined, e: Endpoints, protocol: string, port: number,
    extra: Readonly<Record<string, string | number | boolean>>): void {
    if (device === undefined) return;
    const peer = device === e.src ? e.dst : e.src;
    out.count(`${code}.${protocol}`);
    out.alert({
      code,
      device: identifierKey(device),
      time: frame.raw.tsSec,
      facts: { protocol, transport: e.transport, port, ...(peer === undefined ? {} : { peer: peer.value }), ...extra },
    });
  }
}
