import t from 'tap';
import { Topics, TopicError, checkSegment } from './topics.js';

t.test('topic layout', async (t) => {
  const tp = new Topics({ site: 'st-olaf', ward: 'icu-2', sensor: 'pi-01' });
  t.equal(tp.stream('alerts'), 'iomt/v1/st-olaf/icu-2/pi-01/alerts');
  t.equal(tp.status, 'iomt/v1/st-olaf/icu-2/pi-01/status');
  t.equal(tp.cmd('snapshot'), 'iomt/v1/st-olaf/icu-2/pi-01/cmd/snapshot');
  t.equal(tp.cmdFilter, 'iomt/v1/st-olaf/icu-2/pi-01/cmd/+');
  t.equal(tp.parseCmd('iomt/v1/st-olaf/icu-2/pi-01/cmd/reload'), 'reload');
  t.equal(tp.parseCmd('iomt/v1/st-olaf/icu-2/pi-01/cmd/a/b'), undefined);
  t.equal(tp.parseCmd('iomt/v1/st-olaf/icu-2/pi-02/cmd/reload'), undefined);
  t.equal(tp.parseCmd('iomt/v1/st-olaf/icu-2/pi-01/cmd/'), undefined);
  t.throws(() => tp.stream('bogus'), /stream "bogus" is not a telemetry stream; valid: status, inventory/);
});

t.test('bad segments are refused with the field named', async (t) => {
  const table: Array<[string, Partial<{ site: string; ward: string; sensor: string }>, RegExp]> = [
    ['empty site', { site: '' }, /^site "" is empty/],
    ['plus', { ward: 'icu+2' }, /^ward "icu\+2" contains "\+"/],
    ['hash', { sensor: 'pi#1' }, /^sensor "pi#1" contains "#"/],
    ['slash', { site: 'a/b' }, /^site "a\/b" contains "\/"/],
    ['too long', { sensor: 'x'.repeat(65) }, /is 65 characters; at most 64/],
  ];
  for (const [name, over, re] of table) {
    t.throws(() => new Topics({ site: 's', ward: 'w', sensor: 'p', ...over }), re, name);
  }
  t.throws(() => new Topics({ site: 's', ward: 'w', sensor: 'p' }).cmd('a/b'), TopicError);
  t.equal(checkSegment('x', 'x'.repeat(64)), 'x'.repeat(64));
});
