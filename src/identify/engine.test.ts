/**
 * The engine's mechanics on small rule sets: each condition kind, `none`,
 * how agreeing and conflicting rules combine, extraction templates, and
 * rule-file errors caught at construction.
 */
import t from 'tap';
import { ClassEngine, MAX_EXTRACT_LENGTH, RuleError } from './engine.js';
import type { ClassRule } from './rules/types.js';

const f = (key: string, value: string) => ({ key, value });
const rule = (r: Partial<ClassRule> & Pick<ClassRule, 'name' | 'all'>): ClassRule => ({ confidence: 2, class: 'iot', source: 'test', ...r });

t.test('condition kinds', async (t) => {
  const e = new ClassEngine([
    rule({ name: 'eq', all: [{ key: 'a', equals: 'X,Y' }] }),
    rule({ name: 'pre', all: [{ key: 'b', prefix: 'msft' }] }),
    rule({ name: 're', all: [{ key: 'c', regex: '^v(\\d)$' }] }),
    rule({ name: 're.cs', all: [{ key: 'c', regex: '^V', flags: '' }] }),
    rule({ name: 'one', all: [{ key: 'd', oneOf: ['_ipp._tcp', '_ipps._tcp'] }] }),
    rule({ name: 'has', all: [{ key: 'e', contains: ['bridge', 'router'] }] }),
  ]);
  const fired = (facts: { key: string; value: string }[]) => e.classify({ facts }).fired.map((x) => x.name);
  t.same(fired([f('a', 'X,Y')]), ['eq']);
  t.same(fired([f('a', 'x,y')]), [], 'equals is exact');
  t.same(fired([f('a', 'X,Y,Z')]), [], 'equals is the whole value');
  t.same(fired([f('b', 'MSFT 5.0')]), ['pre'], 'prefix ignores case');
  t.same(fired([f('b', 'xMSFT')]), [], 'prefix anchors at the start');
  t.same(fired([f('c', 'v7')]), ['re'], 'regex ignores case by default');
  t.same(fired([f('c', 'V7')]), ['re', 're.cs'], 'flags given replace the default');
  t.same(fired([f('d', '_IPP._tcp')]), ['one']);
  t.same(fired([f('d', '_ipp._tcp.local')]), [], 'oneOf is the whole value');
  t.same(fired([f('e', 'Router, bridge')]), ['has'], 'contains reads a comma list, any order and case');
  t.same(fired([f('e', 'bridge')]), [], 'contains needs every item');
  t.same(fired([f('c', 'x'), f('c', 'v3')]), ['re'], 'any value of a multi-valued key may match');
});

t.test('all conditions must hold; none must not', async (t) => {
  const e = new ClassEngine([rule({ name: 'sw', all: [{ key: 'caps', contains: ['bridge'] }, { key: 'vendor', regex: 'cisco' }], none: [{ key: 'caps', contains: ['telephone'] }] })]);
  t.equal(e.classify({ vendor: 'Cisco', facts: [f('caps', 'bridge')] }).class, 'iot');
  t.equal(e.classify({ facts: [f('caps', 'bridge')] }).class, 'unknown', 'a missing key fails the rule');
  t.equal(e.classify({ vendor: 'Dell', facts: [f('caps', 'bridge')] }).class, 'unknown');
  t.equal(e.classify({ vendor: 'Cisco', facts: [f('caps', 'bridge,telephone')] }).class, 'unknown', 'an excluded value vetoes');
  const cites = e.classify({ vendor: 'Cisco', facts: [f('caps', 'bridge')] }).fired[0]!.cites;
  t.same(cites, [f('caps', 'bridge'), f('vendor', 'Cisco')], 'one cite per condition, in order');
});

t.test('combining: agreement raises, weak stays unknown, conflicts lower and stay visible', async (t) => {
  const e = new ClassEngine([
    rule({ name: 'weak', class: 'printer', confidence: 1, all: [{ key: 'w', equals: '1' }] }),
    rule({ name: 'weak2', class: 'printer', confidence: 1, all: [{ key: 'w2', equals: '1' }] }),
    rule({ name: 'mid', class: 'printer', confidence: 2, all: [{ key: 'm', equals: '1' }] }),
    rule({ name: 'strong', class: 'printer', confidence: 3, all: [{ key: 's', equals: '1' }] }),
    rule({ name: 'other', class: 'mobile', confidence: 2, all: [{ key: 'o', equals: '1' }] }),
    rule({ name: 'certain', class: 'mobile', confidence: 4, all: [{ key: 'c', equals: '1' }] }),
  ]);
  const c = (...keys: string[]) => e.classify({ facts: keys.map((k) => f(k, '1')) });
  t.match(c('w'), { class: 'unknown', confidence: 0, rules: [] }, 'one weak rule is a guess');
  t.match(c('w', 'w2'), { class: 'printer', confidence: 2 }, 'two agreeing weak rules make medium');
  t.match(c('m'), { class: 'printer', confidence: 2, rules: ['mid'] });
  t.match(c('m', 's', 'w'), { class: 'printer', confidence: 4, rules: ['weak', 'mid', 'strong'] }, 'agreement adds one to the best');
  t.match(c('s', 'c'), { class: 'mobile', confidence: 4 }, 'the stronger class wins');
  t.same(c('s', 'c').candidates.map((x) => [x.class, x.score]), [['mobile', 4], ['printer', 3]], 'the loser stays visible');
  t.match(c('m', 'o'), { class: 'unknown', confidence: 0 }, 'a tie at medium drops to unknown');
  t.match(c('s', 'w', 'c'), { class: 'printer', confidence: 3 }, 'a tie at 4 drops the winner to 3 (first rule order wins)');
  t.equal(c('m', 'o').candidates.length, 2);
  t.match(c('w', 'w2', 'w', 's', 'm', 'c'), { confidence: 3 }, 'scores cap at 4 before the tie penalty');
});

t.test('extraction templates', async (t) => {
  const e = new ClassEngine([
    rule({ name: 'm', class: 'printer', confidence: 2, model: 'Acme $1 $2', firmware: '$3', all: [{ key: 'x', regex: '^(\\w+)(?:-(\\w+))?$' }, { key: 'fw', regex: '^v(.*)$' }] }),
    rule({ name: 'm2', class: 'printer', confidence: 3, model: 'Better $1', all: [{ key: 'y', regex: '^(\\w+)$' }] }),
    rule({ name: 'os.only', class: undefined, os: 'OS $1', confidence: 1, all: [{ key: 'o', regex: '^(.*)$' }] }),
    rule({ name: 'os.other', class: 'mobile', os: 'Other', confidence: 2, all: [{ key: 'q', equals: '1' }] }),
    rule({ name: 'empty', class: 'printer', confidence: 1, model: '$1', all: [{ key: 'z', regex: '^a(b)?$' }] }),
  ]);
  const r = e.classify({ facts: [f('x', 'ZD621'), f('fw', 'v1.2')] });
  t.equal(r.model?.value, 'Acme ZD621', 'a missing group leaves no trailing space');
  t.equal(r.firmware?.value, '1.2', 'groups number across conditions in order');
  t.equal(e.classify({ facts: [f('x', 'A-B'), f('fw', 'v'), f('y', 'Q')] }).model?.value, 'Better Q', 'the more confident rule gives the model');
  t.equal(e.classify({ facts: [f('x', 'A'), f('fw', 'v')] }).firmware, undefined, 'an empty result is no value');
  t.equal(e.classify({ facts: [f('o', 'x'.repeat(200))] }).os?.value.length, MAX_EXTRACT_LENGTH, 'extracted text is bounded');
  t.equal(e.classify({ facts: [f('o', 'Linux')] }).os?.value, 'OS Linux', 'a rule without a class still gives an OS');
  t.equal(e.classify({ facts: [f('o', 'Linux')] }).class, 'unknown');
  t.equal(e.classify({ facts: [f('o', 'L'), f('q', '1'), f('x', 'A'), f('fw', 'v1')] }).os?.value, 'Other', 'OS from any class, the most confident');
  const u = e.classify({ facts: [f('q', '1'), f('x', 'P'), f('fw', 'v1')] });
  t.equal(u.class, 'unknown', 'printer 2 and mobile 2 tie');
  t.equal(u.model, undefined, 'no model or firmware without a class');
  t.equal(u.os?.value, 'Other');
});

t.test('hostname reads the attribute and hostname-like facts', async (t) => {
  const e = new ClassEngine([rule({ name: 'h', all: [{ key: 'hostname', regex: '^pump-\\d+$' }] })]);
  t.equal(e.classify({ hostname: 'pump-1', facts: [] }).class, 'iot');
  t.equal(e.classify({ facts: [f('dhcp.hostname', 'pump-2')] }).class, 'iot');
  t.equal(e.classify({ facts: [f('mdns.hostname', 'pump-3.local')] }).class, 'iot', 'the first label of an mDNS name');
  t.equal(e.classify({ facts: [f('dhcp.fqdn', 'pump-4.ward.example')] }).class, 'iot');
  t.equal(e.classify({ facts: [f('http.host', 'pump-5')] }).class, 'unknown', 'other facts are not hostnames');
});

t.test('rule-file errors are caught when the engine is built', async (t) => {
  t.throws(() => new ClassEngine([rule({ name: 'bad', all: [{ key: 'a', regex: '(' }] })]), RuleError);
  t.throws(() => new ClassEngine([rule({ name: 'bad', all: [{ key: 'a', regex: '(' }] })]), /rule bad: condition on a: bad regex/);
  t.throws(() => new ClassEngine([rule({ name: 'x', all: [{ key: 'a', equals: '1' }] }), rule({ name: 'x', all: [{ key: 'b', equals: '1' }] })]), /rule x is defined twice/);
  t.throws(() => new ClassEngine([rule({ name: 'x', all: [] })]), /needs at least one condition/);
  t.throws(() => new ClassEngine([rule({ name: 'x', class: undefined, all: [{ key: 'a', equals: '1' }] })]), /neither a class/);
  t.equal(new ClassEngine().size > 90, true, 'the shipped rules compile');
  t.equal(new ClassEngine().rule('bd.oui')?.class, 'infusion-pump');
  t.equal(new ClassEngine().rule('nope'), undefined);
});
