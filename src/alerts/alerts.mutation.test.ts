/**
 * Tests written to kill mutants that alerts.test.ts let live (npm run
 * mutation -- alerts): the exact shape of an alert code, the list of known
 * codes in the error, reconfigure(), and that suppressS 0 keeps no windows.
 */
import t from 'tap';
import { AlertCatalogue, catalogue, type AlertDefinition } from './catalogue.js';
import { AlertGate } from './gate.js';

const base: AlertDefinition = catalogue[0]!;

t.test('alert code shape: <prefix>.<name>[.<name>...], lower case, anchored at both ends', async (t) => {
  const cases: ReadonlyArray<readonly [name: string, code: string, accepted: boolean]> = [
    ['two parts', 'inventory.new_device', true],
    ['three parts', 'zigbee-serial.key.transport_cleartext', true],
    ['digits', 'ble2.adv_1', true],
    ['upper case at the start', 'Inventory.new_device', false],
    ['upper case at the end', 'inventory.new_Device', false],
    ['no dot', 'inventory', false],
    ['empty name', 'inventory.', false],
    ['dash in the name', 'inventory.new-device', false],
    ['space at the end', 'inventory.new_device ', false],
  ];
  for (const [name, code, accepted] of cases) {
    const build = (): AlertCatalogue => new AlertCatalogue([{ ...base, code }]);
    if (accepted) t.doesNotThrow(build, name);
    else t.throws(build, /expected <prefix>\.<name> in lower case/, name);
  }
});

t.test('an unknown code lists every known code, comma separated', async (t) => {
  const c = new AlertCatalogue([base, { ...base, code: 'inventory.other', id: 1099 }]);
  t.throws(() => c.get('x.y'), { message: 'unknown alert code x.y; known codes: inventory.new_device, inventory.other' });
  t.equal(c.get('inventory.other').id, 1099);
});

t.test('reconfigure changes the budget of the current minute', async (t) => {
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 1 });
  const offer = (device: string): boolean => gate.offer({ code: 'inventory.new_device', device, time: 120 }) !== undefined;
  t.equal(offer('a'), true);
  t.equal(offer('b'), false, 'budget of 1 spent');
  gate.reconfigure({ suppressS: 0, maxPerMinute: 3 });
  t.equal(offer('c'), true, 'new budget applies at once');
  t.equal(offer('d'), true);
  t.equal(offer('e'), false);
  t.equal(gate.counters.rate_limited, 2);
});

t.test('suppressS 0 remembers no pairs, so nothing is ever forgotten', async (t) => {
  const gate = new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 1e6, maxKeys: 1 });
  for (const device of ['a', 'b', 'c', 'a']) {
    t.equal(gate.offer({ code: 'inventory.new_device', device, time: 7 })?.count, 1, `${device} published`);
  }
  t.equal(gate.counters.forgotten, 0);
  t.equal(gate.counters.suppressed, 0);
});
