/**
 * OS hints as data: patterns in an SSH identification's comments or
 * software (RFC 4253 §4.2) and in SNMP sysDescr (RFC 3418 §2) that name an
 * operating system strongly enough for the `os` attribute. Sources: the
 * identification strings Debian, Ubuntu, Raspberry Pi OS and FreeBSD
 * package builds of OpenSSH send (their openssh packaging's version
 * patch), Microsoft's "OpenSSH_for_Windows" build, and the sysDescr
 * formats of net-snmp on Linux ("Linux <host> <kernel> ..."), Windows SNMP
 * service ("Hardware: ... Software: Windows ..."), Cisco IOS and VxWorks.
 * Anything else sets no attribute; the fact is still kept for the class engine.
 */
export interface OsHint {
  readonly pattern: RegExp;
  readonly os: string;
}

export const SSH_OS_HINTS: readonly OsHint[] = [
  { pattern: /\bDebian\b/i, os: 'Debian' },
  { pattern: /\bUbuntu\b/i, os: 'Ubuntu' },
  { pattern: /\bRaspbian\b/i, os: 'Raspbian' },
  { pattern: /\bFreeBSD\b/i, os: 'FreeBSD' },
  { pattern: /^OpenSSH_for_Windows/, os: 'Windows' },
];

export const SYSDESCR_OS_HINTS: readonly OsHint[] = [
  { pattern: /^Linux\b/, os: 'Linux' },
  { pattern: /Software: Windows/, os: 'Windows' },
  { pattern: /Cisco IOS/, os: 'Cisco IOS' },
  { pattern: /VxWorks/, os: 'VxWorks' },
];

export function osHint(hints: readonly OsHint[], ...texts: ReadonlyArray<string | undefined>): string | undefined {
  for (const h of hints) for (const t of texts) if (t !== undefined && h.pattern.test(t)) return h.os;
  return undefined;
}
