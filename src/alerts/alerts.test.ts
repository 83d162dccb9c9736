import t from 'tap';
import { AlertCatalogue, catalogue, type AlertDefinition } from './catalogue.js';
import { AlertGate } from './gate.js';

t.test('the catalogue rejects duplicates, bad codes and unknown lookups', async (t) => {
  const def: AlertDefinition = catalogue[0]!;
  t.throws(() => new AlertCatalogue([def, def]), /defined twice/);
  t.throws(() => new AlertCatalogue([def, { ...def, code: 'inventory.other' }]), /used twice/);
  t.throws(() => new AlertCatalogue([{ ...def, code: 'NoDot' }]), /expected <prefix>\.<name>/);
  t.throws(() => new AlertCatalogue().get('nope.nope'), /unknown alert code nope\.nope; known codes: inventory\.new_device/);
  for (const d of catalogue) {
    t.ok(d.title.length > 10 && d.trigger.length > 20 && d.guidance.length > 20, `${d.code} is documented`);
  }
});

t.test('repeats within the window are folded into the next count', async (t) => {
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 100, maxPerMinute: 1000 });
  const a = (time: number, device = 'mac:00:00:00:00:00:01') => gate.offer({ code: 'inventory.new_device', device, time });
  const first = a(1000);
  t.equal(first?.count, 1);
  t.equal(first?.severity, 1, 'low');
  t.equal(a(1050), undefined, 'suppressed');
  t.equal(a(1099), undefined, 'suppressed');
  t.equal(a(1010, 'mac:00:00:00:00:00:02')?.count, 1, 'another device is not suppressed');
  const after = a(1100);
  t.equal(after?.count, 3, 'carries the two folded repeats');
  t.equal(gate.counters.suppressed, 2);
});

t.test('the per-minute budget counts what it drops', async (t) => {
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 3 });
  let passed = 0;
  for (let i = 0; i < 10; i++) if (gate.offer({ code: 'inventory.new_device', device: `d${i}`, time: 600 + i })) passed++;
  t.equal(passed, 3);
  t.equal(gate.counters.rate_limited, 7);
  t.ok(gate.offer({ code: 'inventory.new_device', device: 'late', time: 660 }), 'a new minute has a new budget');
});

t.test('remembered pairs are bounded', async (t) => {
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 1000, maxPerMinute: 1e6, maxKeys: 4 });
  for (let i = 0; i < 6; i++) gate.offer({ code: 'inventory.new_device', device: `d${i}`, time: 5 });
  t.equal(gate.counters.forgotten, 2);
  t.ok(gate.offer({ code: 'inventory.new_device', device: 'd0', time: 6 }), 'forgotten pair alerts again');
  t.equal(gate.offer({ code: 'inventory.new_device', device: 'd5', time: 6 }), undefined, 'recent pair still suppressed');
});

t.test('docs/alerts.md is generated from the catalogue and current', async (t) => {
  const { readFileSync } = await import('node:fs');
  const { renderAlertDocs } = await import('../../scripts/gen-alert-docs.js');
  const path = new URL('../../../docs/alerts.md', import.meta.url);
  t.equal(readFileSync(path, 'utf8'), renderAlertDocs(), 'regenerate with: npm run build && node dist/scripts/gen-alert-docs.js');
});
