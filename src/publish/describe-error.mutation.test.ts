/**
 * Every row of describeError's tables, written to kill the mutants that
 * describe-error.test.ts let live (npm run mutation -- publish): each CONNACK
 * reason (MQTT 3.1.1 §3.2.2.3, MQTT 5 §3.2.2.2), each certificate error code,
 * the regex anchors, and inputs with no message or no object at all.
 */
import t from 'tap';
import { describeError } from './mqtt-session.js';

// [what happened, error as mqtt.js or Node reports it, protocol version, reason logged]
type Row = readonly [name: string, err: unknown, pv: 4 | 5, want: string];

const connack: Row[] = [
  [1, 'unacceptable protocol version'],
  [2, 'client identifier rejected'],
  [3, 'server unavailable'],
  [4, 'bad user name or password'],
  [5, 'not authorised'],
].map(([code, text]) => [`v4 CONNACK ${code}`, { code, message: 'm' }, 4, `${text} (CONNACK ${code})`] as const);

const connack5: Row[] = [
  [0x80, 'unspecified error'],
  [0x81, 'malformed packet'],
  [0x82, 'protocol error'],
  [0x84, 'unsupported protocol version'],
  [0x85, 'client identifier not valid'],
  [0x86, 'bad user name or password'],
  [0x87, 'not authorised'],
  [0x88, 'server unavailable'],
  [0x89, 'server busy'],
  [0x8a, 'banned'],
  [0x8c, 'bad authentication method'],
].map(([code, text]) => [`v5 CONNACK ${code}`, { code, message: 'm' }, 5, `${text} (CONNACK ${code})`] as const);

const untrusted = [
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
  'CERT_REJECTED', 'CERT_REVOKED', 'INVALID_CA', 'INVALID_PURPOSE',
];
const serverCert: Row[] = [
  ...untrusted.map((code) => [code, { code, message: 'why: detail' }, 5, `TLS: broker certificate is not trusted; the sensor refuses the broker (${code}: why)`] as const),
  ...['HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID'].map(
    (code) => [code, { code, message: 'why' }, 5, `TLS: broker certificate does not match the host name; the sensor refuses the broker (${code}: why)`] as const,
  ),
];

const edges: Row[] = [
  ['certificate error with no message', { code: 'CERT_HAS_EXPIRED' }, 5, 'TLS: broker certificate is not trusted; the sensor refuses the broker (CERT_HAS_EXPIRED: )'],
  ['client alert with text before it is not an alert', { code: 'XERR_SSL_TLSV1_ALERT_UNKNOWN_CA' }, 5, 'XERR_SSL_TLSV1_ALERT_UNKNOWN_CA'],
  ['client alert with text after it is only a failed handshake', { code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA_X' }, 5, 'TLS: handshake failed (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA_X)'],
  ['alert in lower case, spaces for underscores', { code: 'ERR_SSL_TLSV13_ALERT_ACCESS_DENIED' }, 5, 'TLS: certificate rejected by broker (alert access denied)'],
  ['v3.1.1 code under v5 is not in the v5 table', { code: 5, message: 'Connection refused' }, 5, 'Connection refused (code 5)'],
  ['v5 code under v3.1.1 is not in the v4 table', { code: 0x87, message: 'Not authorized' }, 4, 'Not authorized (code 135)'],
  ['unknown numeric code without a message', { code: 9 }, 4, 'error (code 9)'],
  ['a string thrown', 'boom', 5, 'boom'],
  ['undefined', undefined, 5, 'undefined'],
  ['null', null, 5, 'null'],
  ['an object with neither code nor message', {}, 5, '[object Object]'],
];

t.test('describeError: every table row and the edges', async (t) => {
  for (const [name, err, pv, want] of [...connack, ...connack5, ...serverCert, ...edges]) {
    t.equal(describeError(err, pv), want, name);
  }
});
