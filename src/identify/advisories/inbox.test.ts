/**
 * The MQTT feed inbox (inbox.ts): what a topic may write, and where.
 */
import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeedInbox } from './inbox.js';

const PREFIX = 'iomt/v1/site-a/feeds/';

function harness(maxFiles = 3, maxFileBytes = 64) {
  const root = mkdtempSync(join(tmpdir(), 'iomt-inbox-'));
  const dir = join(root, 'feed-inbox');
  const counts = new Map<string, number>();
  let changes = 0;
  const inbox = new FeedInbox({ dir, prefix: PREFIX, maxFileBytes, maxFiles, changed: () => changes++, count: (c) => counts.set(c, (counts.get(c) ?? 0) + 1) });
  return { root, dir, inbox, counts, changes: () => changes };
}

const bytes = (s: string) => new TextEncoder().encode(s);

t.test('a feed file is written whole into the inbox, replaced, and withdrawn by an empty message', async (t) => {
  const h = harness();
  t.teardown(() => rmSync(h.root, { recursive: true, force: true }));
  t.equal(h.inbox.filter, 'iomt/v1/site-a/feeds/+');
  t.equal(h.inbox.handle(`${PREFIX}icsma-18-219-01.json`, bytes('{"a":1}'), true), 'written');
  t.equal(readFileSync(join(h.dir, 'icsma-18-219-01.json'), 'utf8'), '{"a":1}');
  t.equal(h.inbox.handle(`${PREFIX}icsma-18-219-01.json`, bytes('{"a":2}'), false), 'written', 'a live update replaces it');
  t.equal(readFileSync(join(h.dir, 'icsma-18-219-01.json'), 'utf8'), '{"a":2}');
  t.equal(h.inbox.handle(`${PREFIX}icsma-18-219-01.json.sha512`, bytes('ab'), true), 'written', 'a sidecar');
  t.equal(h.inbox.handle(`${PREFIX}epss.csv`, bytes('cve,epss'), true), 'written');
  t.same(readdirSync(h.dir).sort(), ['epss.csv', 'icsma-18-219-01.json', 'icsma-18-219-01.json.sha512'], 'no temporary file left');
  t.equal(h.inbox.handle(`${PREFIX}epss.csv`, new Uint8Array(0), true), 'removed');
  t.notOk(existsSync(join(h.dir, 'epss.csv')));
  t.equal(h.changes(), 5, 'every write and removal asks for a re-read');
  t.equal(h.counts.get('vulns.feed_inbox.written'), 4);
  t.equal(h.counts.get('vulns.feed_inbox.removed'), 1);
});

t.test('names that could leave the directory, other kinds, other topics, oversize and a full inbox are refused and counted', async (t) => {
  const h = harness(2, 16);
  t.teardown(() => rmSync(h.root, { recursive: true, force: true }));
  for (const [topic, why] of [
    [`${PREFIX}..`, 'name'],
    [`${PREFIX}.hidden.json`, 'name'],
    [`${PREFIX}a..json`, 'name'],
    [`${PREFIX}config.yaml`, 'name'],
    [`${PREFIX}a.json.tmp`, 'name'],
    [`${PREFIX}${'x'.repeat(130)}.json`, 'name'],
    [`${PREFIX}sub/dir.json`, 'name'],
    ['iomt/v1/site-b/feeds/a.json', 'topic'],
  ] as const) {
    t.equal(h.inbox.handle(topic, bytes('{}'), true), why, topic);
  }
  t.equal(h.inbox.handle(`${PREFIX}big.json`, new Uint8Array(17), true), 'oversize');
  t.equal(h.inbox.handle(`${PREFIX}a.json`, bytes('{}'), true), 'written');
  t.equal(h.inbox.handle(`${PREFIX}b.json`, bytes('{}'), true), 'written');
  t.equal(h.inbox.handle(`${PREFIX}c.json`, bytes('{}'), true), 'full', 'a third file is beyond the cap');
  t.equal(h.inbox.handle(`${PREFIX}a.json`, bytes('{"x":1}'), true), 'written', 'replacing one that is there is fine');
  t.same(readdirSync(h.dir).sort(), ['a.json', 'b.json']);
  t.equal(h.counts.get('vulns.feed_inbox.rejected.name'), 7);
  t.equal(h.counts.get('vulns.feed_inbox.rejected.topic'), 1);
  t.equal(h.counts.get('vulns.feed_inbox.rejected.oversize'), 1);
  t.equal(h.counts.get('vulns.feed_inbox.rejected.full'), 1);
  t.equal(h.changes(), 3);
  t.same(readdirSync(h.root), ['feed-inbox'], 'nothing was written outside the inbox');
});
