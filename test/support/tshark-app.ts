/**
 * tshark's reading of the application fields this sensor's decoders
 * extract (issue 7 part B), one row per frame, for test/app-conformance.
 * TCP reassembly is off (`tcp.desegment_tcp_streams`), so tshark reads
 * each segment on its own, as these decoders do.
 */
import { execFileSync } from 'node:child_process';

export const APP_FIELDS = [
  'frame.protocols', 'tcp.srcport', 'tcp.dstport', 'udp.srcport',
  'http.request.method', 'http.response.code', 'http.user_agent', 'http.host', 'http.server', 'http.authorization',
  'tls.handshake.type', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str', 'tls.handshake.ciphersuite',
  'tls.handshake.extension.type', 'tls.handshake.sig_hash_alg', 'tls.handshake.extensions.supported_version', 'tls.handshake.version',
  'snmp.version', 'snmp.msgVersion', 'snmp.request_id', 'snmp.name', 'snmp.value.octets', 'snmp.value.oid', 'snmp.community',
  'ftp.response.code', 'ftp.response.arg', 'ftp.request.command',
  'ssh.protocol', 'telnet.data',
] as const;
export type AppField = (typeof APP_FIELDS)[number];
/** Each field's values in order (tshark repeats a field per occurrence). */
export type AppRow = Record<AppField, string[]>;

/** Repeated values are joined with this byte, which none of the compared values contains. */
const AGG = '\x1e';

export function tsharkAppRows(file: string): AppRow[] {
  const args = ['-r', file, '-n', '-o', 'tcp.desegment_tcp_streams:FALSE', '-o', 'ip.defragment:FALSE', '-T', 'fields', '-E', 'separator=\t', '-E', `aggregator=${AGG}`, '-E', 'occurrence=a'];
  for (const f of APP_FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'latin1', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l !== '').map((line) => {
    const v = line.split('\t');
    const row = {} as AppRow;
    APP_FIELDS.forEach((f, i) => {
      const s = v[i] ?? '';
      row[f] = s === '' ? [] : s.split(AGG);
    });
    return row;
  });
}

/** Every x509sat directory string of the file, with reassembly on (a certificate spans segments). */
export function tsharkCertStrings(file: string): Set<string> {
  const fields = ['x509sat.printableString', 'x509sat.uTF8String', 'x509sat.teletexString', 'x509sat.IA5String', 'x509sat.bmpString', 'x509sat.universalString'];
  const args = ['-r', file, '-n', '-T', 'fields', '-E', `aggregator=${AGG}`, '-E', 'occurrence=a', '-E', 'separator=\t'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Set(out.split(/[\t\n\x1e]/).filter((s) => s !== ''));
}
