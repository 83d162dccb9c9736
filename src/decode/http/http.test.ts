import t from 'tap';
import { tcpFrame, text } from '../../../test/builders/app.js';
import { runCases, type Case } from '../testing.js';

const req = (s: string, dport = 80): Uint8Array => tcpFrame(50000, dport, text(s));
const rsp = (s: string, sport = 80): Uint8Array => tcpFrame(50000, sport, text(s), true);
const L = ['ethernet', 'ipv4', 'tcp'];

const cases: Case[] = [
  ['GET with Host, User-Agent and Basic credentials', req('GET /patients/123456?mrn=987 HTTP/1.1\r\nHost: pump.ward\r\nUser-Agent: Alaris/9.19 (Linux)\r\nAuthorization: Basic YWRtaW46c2VjcmV0\r\n\r\n'), {
    layers: [...L, 'http'],
    fields: { isRequest: true, method: 'GET', status: 0, host: 'pump.ward', userAgent: 'Alaris/9.19 (Linux)', authScheme: 'basic', targetLength: 24, server: undefined },
  }],
  ['header names are case-insensitive, values trimmed', req('POST /x HTTP/1.0\r\nHOST:   a.b  \r\nuser-agent:curl/8.0\r\nauthorization: Digest username="u"\r\n\r\n'), {
    layers: [...L, 'http'], fields: { method: 'POST', host: 'a.b', userAgent: 'curl/8.0', authScheme: 'digest' },
  }],
  ['Bearer, NTLM, Negotiate and other schemes', req('GET / HTTP/1.1\r\nAuthorization: Bearer abc.def\r\n\r\n'), { layers: [...L, 'http'], fields: { authScheme: 'bearer' } }],
  ['NTLM', req('GET / HTTP/1.1\r\nAuthorization: NTLM TlRMTVNTUAAB\r\n\r\n'), { layers: [...L, 'http'], fields: { authScheme: 'ntlm' } }],
  ['a scheme that only starts like Basic is other', req('GET / HTTP/1.1\r\nAuthorization: BasicX y\r\n\r\n'), { layers: [...L, 'http'], fields: { authScheme: 'other' } }],
  ['no Authorization', req('GET / HTTP/1.1\r\nHost: h\r\n\r\n'), { layers: [...L, 'http'], fields: { authScheme: undefined, userAgent: undefined } }],
  ['headers after the empty line are body, not headers', req('POST / HTTP/1.1\r\nHost: h\r\n\r\nUser-Agent: not-a-header\r\n'), { layers: [...L, 'http'], fields: { userAgent: undefined, host: 'h' } }],
  ['bare LF line ends', req('GET / HTTP/1.1\nHost: h\n\nServer: body\n'), { layers: [...L, 'http'], fields: { host: 'h', server: undefined, targetLength: 1 } }],
  ['response with Server', rsp('HTTP/1.1 401 Unauthorized\r\nServer: GoAhead-Webs\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n'), {
    layers: [...L, 'http'], fields: { isRequest: false, method: undefined, status: 401, server: 'GoAhead-Webs' },
  }],
  ['status line without reason phrase', rsp('HTTP/1.0 204\r\n\r\n'), { layers: [...L, 'http'], fields: { status: 204 } }],
  ['control bytes in a value are neutralised', rsp('HTTP/1.1 200 OK\r\nServer: a\x1b[31mb\r\n\r\n'), { layers: [...L, 'http'], fields: { server: 'a?[31mb' } }],
  ['a long value is bounded', req(`GET / HTTP/1.1\r\nUser-Agent: ${'x'.repeat(400)}\r\n\r\n`), { layers: [...L, 'http'], fields: { userAgent: 'x'.repeat(256) } }],
  ['a request line longer than the segment keeps the method', req('GET /aaaaaaaaaaaaaaaaaaaaa'), { layers: [...L, 'http'], fields: { method: 'GET', host: undefined, targetLength: 22 } }],
  ['a short status line without its end', rsp('HTTP/1.1 2'), { layers: [...L, 'http'], fields: { status: 0, server: undefined } }],
  ['request line without a version', req('GET /index.html\r\n\r\n'), { layers: L, anomaly: 'http.bad_request_line' }],
  ['request line with a bad version', req('GET / HTTP/2.0\r\n\r\n'), { layers: L, anomaly: 'http.bad_request_line' }],
  ['status code that is not three digits', rsp('HTTP/1.1 20x OK\r\n\r\n'), { layers: L, anomaly: 'http.bad_status_line' }],
  ['status code followed by a letter', rsp('HTTP/1.1 2000\r\n\r\n'), { layers: L, anomaly: 'http.bad_status_line' }],
  ['body bytes on port 80: not mine', req('{"spo2": 97}'), { layers: L }],
  ['lower-case method: not HTTP', req('get / HTTP/1.1\r\n\r\n'), { layers: L }],
  ['method without space: not HTTP', req('GETX / HTTP/1.1\r\n\r\n'), { layers: L }],
  ['an empty ACK on port 80', tcpFrame(50000, 80, new Uint8Array(0)), { layers: L }],
  ['HTTP found by content on port 8080, both directions', req('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 8080), { layers: [...L, 'http'], fields: { method: 'OPTIONS', targetLength: 1 } }],
  ['a response on port 8080', rsp('HTTP/1.1 200 OK\r\nServer: Jetty(9.4)\r\n\r\n', 8080), { layers: [...L, 'http'], fields: { server: 'Jetty(9.4)' } }],
];

runCases(t, 'http', cases);

t.test('the view has no getter that returns the credential or the target', async (t) => {
  const { decodeBytes } = await import('../testing.js');
  const f = decodeBytes(req('GET /mrn/424242 HTTP/1.1\r\nAuthorization: Basic c2VjcmV0LXZhbHVl\r\n\r\n'));
  const v = f.layers[3]!;
  const proto = Object.getPrototypeOf(v) as object;
  const values = Object.getOwnPropertyNames(proto).map((k) => {
    try {
      return JSON.stringify((v as unknown as Record<string, unknown>)[k]) ?? '';
    } catch {
      return '';
    }
  });
  const own = Object.entries(v).filter(([k]) => k !== 'bytes').map(([, x]) => JSON.stringify(x));
  for (const s of [...values, ...own]) {
    t.notMatch(s, /c2VjcmV0|424242/, 'no getter or field yields the secret or the path');
  }
});
