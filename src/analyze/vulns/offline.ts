/**
 * The patch priority list from a state directory, for `iomt-sensor vulns`:
 * the inventory the agent stored, matched afresh against a feed directory
 * when one is given, else the results the agent stored in its `vulns` area.
 */
import { Store, StoreVersionError } from '../../store/store.js';
import { isDeviceRecord } from '../inventory/record.js';
import { CsafValidator, readFeedDir, DEFAULT_FEED_LIMITS } from '../../identify/advisories/index.js';
import { VulnsAnalyzer } from './index.js';
import { BatchSink } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import type { DeviceVulnsBody } from '../../telemetry/kinds.js';
import { priorityList, type PriorityList } from './render.js';

export interface OfflineVulnsConfig {
  readonly max_advisories: number;
  readonly max_file_bytes: number;
  readonly max_matches_per_device: number;
}

export async function vulnsFromState(dir: string, feedDir: string | undefined, cfg?: OfflineVulnsConfig): Promise<PriorityList> {
  let store: Store;
  try {
    store = await Store.open(dir);
  } catch (err) {
    if (err instanceof StoreVersionError) throw err;
    const cause = String((err as { cause?: unknown }).cause ?? (err as Error).message);
    if (/lock/i.test(cause)) throw new Error(`state in ${dir} is locked: the agent is running (stop it, or watch the vulns stream instead)`);
    throw new Error(`cannot open the state in ${dir}: ${cause}`);
  }
  try {
    if (feedDir === undefined) {
      const stored = (await store.all('vulns')).map(([, v]) => v as DeviceVulnsBody).filter((b) => typeof b === 'object' && b !== null && typeof b.device === 'string' && typeof b.score === 'number');
      return priorityList(stored, 'results stored by the agent');
    }
    const devices = (await store.all('devices')).map(([, v]) => v).filter(isDeviceRecord);
    const feed = await readFeedDir(feedDir, new CsafValidator(), cfg === undefined ? DEFAULT_FEED_LIMITS : { maxAdvisories: cfg.max_advisories, maxFileBytes: cfg.max_file_bytes });
    for (const r of feed.rejected) process.stderr.write(`iomt-sensor: feed file ${r.file} rejected: ${r.reason}\n`);
    const a = new VulnsAnalyzer({ maxDevices: Math.max(1, devices.length), rankingSize: 1, maxMatchesPerDevice: cfg?.max_matches_per_device ?? 16 }, { records: () => devices, watch: () => undefined });
    a.setFeed(feed);
    a.onTick(0, new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 1 })));
    return priorityList(a.ranked(), feed.versions.csaf ?? feed.digest);
  } finally {
    await store.close();
  }
}
