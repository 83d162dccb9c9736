import t from 'tap';
import { describeError } from './mqtt-session.js';

const err = (code: string | number, message = ''): Error => Object.assign(new Error(message), { code });

// [what happened, error as mqtt.js or Node reports it, reason the agent logs]
const cases: Array<[string, Error, 4 | 5, RegExp]> = [
  ['broker refuses our certificate (wrong CA)', err('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', '...:tlsv1 alert unknown ca:...'), 5, /^TLS: certificate rejected by broker \(alert unknown ca\)$/],
  ['no client certificate sent', err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 5, /^TLS: certificate rejected by broker \(alert certificate required\)$/],
  ['our certificate expired', err('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED'), 5, /^TLS: certificate rejected by broker \(alert certificate expired\)$/],
  ['broker certificate from another CA', err('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 5, /^TLS: broker certificate is not trusted; the sensor refuses the broker \(SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain\)$/],
  ['broker certificate for another name', err('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: Host: x. is not in the cert's altnames: DNS:y"), 5, /^TLS: broker certificate does not match the host name; the sensor refuses the broker \(ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match certificate's altnames\)$/],
  ['TLS to a plain port', err('ERR_SSL_WRONG_VERSION_NUMBER'), 5, /^TLS: handshake failed \(ERR_SSL_WRONG_VERSION_NUMBER\)$/],
  ['socket error', err('ECONNREFUSED'), 5, /^ECONNREFUSED$/],
  ['bad password (v5)', err(0x86, 'Connection refused: Bad User Name or Password'), 5, /^bad user name or password \(CONNACK 134\)$/],
  ['not authorised (3.1.1)', err(5, 'Connection refused: Not authorized'), 4, /^not authorised \(CONNACK 5\)$/],
];

t.test('connection failures become readable reasons', async (t) => {
  for (const [name, e, pv, re] of cases) t.match(describeError(e, pv), re, name);
});
