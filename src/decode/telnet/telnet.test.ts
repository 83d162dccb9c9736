import t from 'tap';
import { tcpFrame, text } from '../../../test/builders/app.js';
import { concat } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';

const L = ['ethernet', 'ipv4', 'tcp'];
const server = (b: Uint8Array): Uint8Array => tcpFrame(50000, 23, b, true);
// IAC DO TERMINAL-TYPE, IAC WILL ECHO, IAC SB NAWS 0 80 0 24 IAC SE, IAC GA (RFC 854, 857, 1073, 1091).
const NEG = Uint8Array.of(255, 253, 24, 255, 251, 1, 255, 250, 31, 0, 80, 0, 24, 255, 240, 255, 249);

const cases: Case[] = [
  ['banner after negotiation', server(concat(NEG, text('\r\n\r\nOpenBSD/i386 (oof) (ttyp1)\r\n\r\nlogin: '))), {
    layers: [...L, 'telnet'], fields: { startsWithCommand: true, firstLine: 'OpenBSD/i386 (oof) (ttyp1)', loginPrompt: true, passwordPrompt: false },
  }],
  ['negotiation only', server(NEG), { layers: [...L, 'telnet'], fields: { firstLine: undefined, text: '' } }],
  ['password prompt', server(text('Password:')), { layers: [...L, 'telnet'], fields: { passwordPrompt: true, loginPrompt: false, startsWithCommand: false } }],
  ['Username prompt', server(text('\r\nUser Access Verification\r\n\r\nUsername: ')), { layers: [...L, 'telnet'], fields: { loginPrompt: true, firstLine: 'User Access Verification' } }],
  ['IAC IAC is a data byte 255; escapes are neutralised', server(Uint8Array.of(0x41, 255, 255, 0x1b, 0x42, 0x0d, 0x0a)), { layers: [...L, 'telnet'], fields: { firstLine: 'A??B' } }],
  ['an unterminated subnegotiation ends the text', server(Uint8Array.of(0x41, 255, 250, 24, 1, 2)), { layers: [...L, 'telnet'], fields: { firstLine: 'A' } }],
  ['a long line is bounded', server(text('x'.repeat(300))), { layers: [...L, 'telnet'], fields: { firstLine: 'x'.repeat(128) } }],
  ['an empty segment', server(new Uint8Array(0)), { layers: L }],
];

runCases(t, 'telnet', cases);
