/**
 * Keeps the advisory feed current: reads the feed directories (the installed
 * bundle and the MQTT inbox, inbox.ts) at start, then re-reads them when
 * their listing (names, sizes, times) changes, checked every
 * `vulns.feed_check_s` and at once on `check()` (SIGHUP). A read that
 * yields the same digest changes nothing. Reading is I/O and may take
 * seconds (the validator loads once), so it runs beside the agent and
 * hands each new feed to `onFeed`.
 */
import { listingOf, readFeedDirs, type Feed, type FeedLimits } from './feed.js';
import { CsafValidator } from './validate.js';

export interface FeedWatcherOptions {
  /** Read in order; a file in a later one replaces the same name in an earlier one. */
  readonly dirs: readonly string[];
  readonly checkS: number;
  readonly limits: FeedLimits;
  readonly onFeed: (feed: Feed) => void;
  readonly onError: (err: unknown) => void;
}

export class FeedWatcher {
  private timer: NodeJS.Timeout | undefined;
  private listing: string | undefined;
  private digest: string | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly validator = new CsafValidator();
  /** The feed in use, once read. */
  current: Feed | undefined;
  readonly counters = { reads: 0, changes: 0, errors: 0 };

  constructor(private readonly opts: FeedWatcherOptions) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.opts.checkS * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Re-reads the directory if its listing changed (or `force`); one read at a time, a request during a read runs after it. */
  check(force = false): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const listing = await listingOf(...this.opts.dirs);
          if (!force && listing === this.listing) continue;
          this.counters.reads++;
          const feed = await readFeedDirs(this.opts.dirs, this.validator, this.opts.limits);
          this.listing = listing;
          if (feed.digest === this.digest && this.current !== undefined) continue;
          this.digest = feed.digest;
          this.current = feed;
          this.counters.changes++;
          this.opts.onFeed(feed);
        } while (this.again);
      } catch (err) {
        this.counters.errors++;
        this.opts.onError(err);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
