/**
 * Advisory feed files from the central side over MQTT (issue 12): a retained
 * message on `iomt/v1/<site>/feeds/<file>` (telemetry/topics.ts) carries one
 * feed file as it would lie in the feed directory, a CSAF advisory
 * (`*.json`), the KEV catalogue, EPSS scores (`*.csv`) or a `.sha512`
 * sidecar. Retained, so a sensor that connects later, or restarts, gets the
 * current set from the broker; an empty retained message (MQTT 3.3.1.3)
 * withdraws a file.
 *
 * The inbox only files what arrives into its directory (in the state
 * directory, so it survives a restart with no broker); the FeedWatcher reads
 * it after the installed bundle and validates every advisory as it does a
 * dropped-in file. What is refused here is counted as
 * `vulns.feed_inbox.rejected.<reason>` and never written:
 *
 *   - a name that is not a plain file name of the accepted kinds, so no
 *     topic can write outside the directory;
 *   - a file larger than `vulns.max_file_bytes`;
 *   - more than `maxFiles` files in the inbox.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A feed file name: letters, digits, dot, dash and underscore, one of the kinds the feed reads. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const FILE_KIND = /\.(json|csv|json\.sha512|csv\.sha512)$/i;

export type InboxRejectReason = 'topic' | 'name' | 'oversize' | 'full' | 'write';

export interface FeedInboxOptions {
  /** Where the files go: `<state.dir>/feed-inbox`. Created if missing. */
  readonly dir: string;
  /** The topic prefix, `iomt/v1/<site>/feeds/` (with the slash). */
  readonly prefix: string;
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  /** Called after a file was written or removed (the agent re-reads the feed). */
  readonly changed: () => void;
  readonly count: (code: string) => void;
}

export class FeedInbox {
  readonly counters = { written: 0, removed: 0, rejected: 0 };

  constructor(private readonly opts: FeedInboxOptions) {
    mkdirSync(opts.dir, { recursive: true });
  }

  /** The subscription filter: one level below the prefix. */
  get filter(): string {
    return `${this.opts.prefix}+`;
  }

  /** One message from the broker; never throws. Retained or not alike: the central side decides. */
  handle(topic: string, payload: Uint8Array, _retained: boolean): InboxRejectReason | 'written' | 'removed' | 'unchanged' {
    if (!topic.startsWith(this.opts.prefix)) return this.reject('topic');
    const name = topic.slice(this.opts.prefix.length);
    if (!FILE_NAME.test(name) || !FILE_KIND.test(name) || name.includes('..')) return this.reject('name');
    const path = join(this.opts.dir, name);
    try {
      if (payload.length === 0) {
        rmSync(path, { force: true });
        this.counters.removed++;
        this.opts.count('vulns.feed_inbox.removed');
        this.opts.changed();
        return 'removed';
      }
      if (payload.length > this.opts.maxFileBytes) return this.reject('oversize');
      const present = readdirSync(this.opts.dir);
      if (!present.includes(name) && present.filter((n) => !n.endsWith('.tmp')).length >= this.opts.maxFiles) return this.reject('full');
      // Written aside and renamed, so the watcher never reads half a file.
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, payload);
      renameSync(tmp, path);
    } catch {
      return this.reject('write');
    }
    this.counters.written++;
    this.opts.count('vulns.feed_inbox.written');
    this.opts.changed();
    return 'written';
  }

  private reject(reason: InboxRejectReason): InboxRejectReason {
    this.counters.rejected++;
    this.opts.count(`vulns.feed_inbox.rejected.${reason}`);
    return reason;
  }
}
