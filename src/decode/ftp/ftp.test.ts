import t from 'tap';
import { tcpFrame, text } from '../../../test/builders/app.js';
import { decodeBytes, runCases, type Case } from '../testing.js';

const L = ['ethernet', 'ipv4', 'tcp'];
const server = (s: string): Uint8Array => tcpFrame(50000, 21, text(s), true);
const client = (s: string): Uint8Array => tcpFrame(50000, 21, text(s));

const cases: Case[] = [
  ['220 greeting (RFC 959 §4.2)', server('220 ProFTPD 1.3.5e Server (Debian) [10.0.0.2]\r\n'), {
    layers: [...L, 'ftp'], fields: { isReply: true, replyCode: 220, replyText: 'ProFTPD 1.3.5e Server (Debian) [10.0.0.2]', verb: undefined },
  }],
  ['multi-line greeting: the first line', server('220-Microsoft FTP Service\r\n220 ready\r\n'), { layers: [...L, 'ftp'], fields: { replyCode: 220, replyText: 'Microsoft FTP Service' } }],
  ['USER anonymous', client('USER anonymous\r\n'), { layers: [...L, 'ftp'], fields: { isReply: false, verb: 'USER', anonymousUser: true, hasArgument: true, replyText: undefined } }],
  ['user ftp, lower case', client('user FTP\r\n'), { layers: [...L, 'ftp'], fields: { verb: 'USER', anonymousUser: true } }],
  ['USER with a real name', client('USER nurse.jones\r\n'), { layers: [...L, 'ftp'], fields: { verb: 'USER', anonymousUser: false, hasArgument: true } }],
  ['USER anonymousX is not anonymous', client('USER anonymousX\r\n'), { layers: [...L, 'ftp'], fields: { anonymousUser: false } }],
  ['PASS with an argument', client('PASS s3cret\r\n'), { layers: [...L, 'ftp'], fields: { verb: 'PASS', hasArgument: true, anonymousUser: false } }],
  ['PASS without one', client('PASS\r\n'), { layers: [...L, 'ftp'], fields: { verb: 'PASS', hasArgument: false } }],
  ['AUTH TLS', client('AUTH TLS\r\n'), { layers: [...L, 'ftp'], fields: { verb: 'AUTH' } }],
  ['another verb', client('RETR robots.txt\r\n'), { layers: [...L, 'ftp'], fields: { verb: 'OTHER' } }],
  ['a reply code out of range', server('700 x\r\n'), { layers: L }],
  ['data that is neither', client('\x00\x01binary'), { layers: L }],
  ['a five-letter word', client('HELLO x\r\n'), { layers: L }],
  ['three bytes', client('220'), { layers: L }],
];

runCases(t, 'ftp', cases);

t.test('no getter returns what follows USER or PASS', async (t) => {
  for (const cmd of ['USER nurse.jones\r\n', 'PASS Zx81-secret\r\n']) {
    const v = decodeBytes(client(cmd)).layers[3]!;
    const names = Object.getOwnPropertyNames(Object.getPrototypeOf(v) as object).filter((k) => k !== 'constructor');
    for (const k of names) t.notMatch(JSON.stringify((v as unknown as Record<string, unknown>)[k]) ?? '', /jones|Zx81/, `${k} does not carry the argument`);
  }
});
