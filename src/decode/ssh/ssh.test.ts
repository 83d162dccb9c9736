import t from 'tap';
import { tcpFrame, text } from '../../../test/builders/app.js';
import { runCases, type Case } from '../testing.js';

const L = ['ethernet', 'ipv4', 'tcp'];
const server = (s: string, port = 22): Uint8Array => tcpFrame(50000, port, text(s), true);

const cases: Case[] = [
  ['OpenSSH on Debian (RFC 4253 §4.2)', server('SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3\r\n'), {
    layers: [...L, 'ssh'], fields: { protoVersion: '2.0', software: 'OpenSSH_8.4p1', comments: 'Debian-5+deb11u3', identification: 'SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u3' },
  }],
  ['no comments, LF only, key exchange after it', server('SSH-1.99-Cisco-1.25\n\x00\x00\x01\x2c'), {
    layers: [...L, 'ssh'], fields: { protoVersion: '1.99', software: 'Cisco-1.25', comments: undefined },
  }],
  ['found by content on port 2222', server('SSH-2.0-dropbear_2022.83\r\n', 2222), { layers: [...L, 'ssh'], fields: { software: 'dropbear_2022.83' } }],
  ['a line without its end in a short segment', server('SSH-2.0-libssh_0.9'), { layers: [...L, 'ssh'], fields: { software: 'libssh_0.9' } }],
  ['no softwareversion', server('SSH-2.0-\r\n'), { layers: L, anomaly: 'ssh.bad_identification' }],
  ['no dash after the protocol version', server('SSH-2.0\r\n'), { layers: L, anomaly: 'ssh.bad_identification' }],
  ['empty protocol version', server('SSH--x\r\n'), { layers: L, anomaly: 'ssh.bad_identification' }],
  ['longer than 255 bytes without a line end', server(`SSH-2.0-${'x'.repeat(300)}`), { layers: L, anomaly: 'ssh.bad_identification' }],
  ['a pre-banner line on 22: not mine', server('Welcome\r\nSSH-2.0-x\r\n'), { layers: L }],
];

runCases(t, 'ssh', cases);
