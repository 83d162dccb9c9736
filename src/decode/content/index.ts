/**
 * Content detection for TCP payloads on ports without a route: the first
 * bytes say TLS (a record header, RFC 8446 §5.1), SSH (`SSH-`, RFC 4253
 * §4.2) or HTTP/1.x (a method and a space, or `HTTP/1.`, RFC 9112 §3/§4).
 * Reached through the one `CONTENT_KEY` row of routes.ts, tried only after
 * the destination and source ports found no row; the view it returns is the
 * protocol's own (`tls`, `ssh`, `http`), so sighting sources and analyzers
 * see the same layer whichever way it was found. Anything else is not
 * recognised (undefined): no anomaly, the walk just ends.
 */
import type { Anomaly, DecodeContext, Decoder, Layer } from '../types.js';
import { httpDecoder, looksLikeHttp } from '../http/index.js';
import { looksLikeTls, tlsDecoder } from '../tls/index.js';
import { sshDecoder } from '../ssh/index.js';

class ContentDecoder implements Decoder {
  readonly name = 'content';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): Layer | Anomaly | undefined {
    const c = bytes[offset];
    if (c === 0x16 && looksLikeTls(bytes, offset, end)) return tlsDecoder.decode(bytes, offset, end, ctx);
    if (c === 0x53) return sshDecoder.decode(bytes, offset, end, ctx);
    if (c !== undefined && c >= 0x41 && c <= 0x5a && looksLikeHttp(bytes, offset, end)) return httpDecoder.decode(bytes, offset, end, ctx);
    return undefined;
  }
}

export const contentDecoder: Decoder = new ContentDecoder();
