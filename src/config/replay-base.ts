/**
 * What a replay without --config needs besides the schema's defaults: a
 * placeholder sensor identity and source (replay reads the files it is given).
 */
export const REPLAY_BASE = {
  sensor: { id: 'replay', site: 'offline', ward: 'offline' },
  sources: [{ type: 'pcap-file', name: 'replay', path: '-' }],
} as const;
