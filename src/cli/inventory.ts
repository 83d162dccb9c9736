/**
 * How `iomt-sensor inventory` and `replay` print devices: the table with
 * its class column, and `--explain DEVICE`, which says why a device has its
 * class: the rules that fire on the facts kept in its record (the engine is
 * run again on them, so the explanation is the current rule set's), the
 * values each rule cites, where each rule's evidence comes from, and the
 * classes that lost.
 */
import { deviceAddresses, deviceAttr, deviceId } from '../telemetry/device.js';
import type { DeviceAttribute, InventoryDevice } from '../telemetry/kinds.js';
import { ClassEngine, type Classification } from '../identify/engine.js';

const CONFIDENCE = ['', 'weak', 'medium', 'strong', 'certain'];

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function attr(d: InventoryDevice, name: DeviceAttribute['name']): DeviceAttribute | undefined {
  return d.attrs.find((a) => a.name === name);
}

/** The class column: the class and its confidence (`infusion-pump/3`), or a router's role. */
export function classCell(d: InventoryDevice): string {
  const c = attr(d, 'class');
  if (c !== undefined) return `${c.value}/${c.confidence}`;
  return deviceAttr(d, 'role') ?? '-';
}

export function renderDevices(devices: readonly InventoryDevice[]): string {
  const rows = [['DEVICE', 'VENDOR', 'CLASS', 'MODEL', 'IPS', 'PEERS', 'FRAMES', 'BYTES', 'FIRST SEEN', 'LAST SEEN']];
  for (const d of [...devices].sort((a, b) => b.frames - a.frames)) {
    const ips = deviceAddresses(d);
    rows.push([
      deviceId(d),
      (deviceAttr(d, 'vendor') ?? '-').slice(0, 32),
      classCell(d),
      (deviceAttr(d, 'model') ?? '-').slice(0, 32),
      ips.slice(0, 3).join(',') + (ips.length > 3 ? ',...' : '') || '-',
      String(d.peers?.length ?? 0),
      String(d.frames),
      String(d.bytes),
      iso(d.firstSeen),
      iso(d.lastSeen),
    ]);
  }
  return table(rows);
}

function iso(t: number): string {
  return new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The device `--explain` names: its id (`mac:00:1b:..`), a bare MAC or IP
 * address, or its hostname (case-insensitive). Several matches: none is
 * picked, and the caller lists them.
 */
export function findDevices(devices: readonly InventoryDevice[], name: string): InventoryDevice[] {
  const n = name.toLowerCase();
  const byId = devices.filter((d) => deviceId(d) === n || d.ids.some((i) => i.value.toLowerCase() === n));
  if (byId.length > 0) return byId;
  return devices.filter((d) => deviceAttr(d, 'hostname')?.toLowerCase() === n);
}

/** The engine's reading of a stored device. */
export function explainDevice(d: InventoryDevice, engine: ClassEngine = new ClassEngine()): Classification {
  const vendor = deviceAttr(d, 'vendor');
  const hostname = deviceAttr(d, 'hostname');
  return engine.classify({ ...(vendor !== undefined ? { vendor } : {}), ...(hostname !== undefined ? { hostname } : {}), facts: d.facts ?? [] });
}

function evidence(a: DeviceAttribute | undefined): string {
  if (a === undefined) return '-';
  const c = a.conflict !== undefined ? `; disagrees: ${a.conflict.value} (${a.conflict.proto} ${a.conflict.field}, confidence ${a.conflict.confidence})` : '';
  return `${a.value}  [${a.proto} ${a.field}, confidence ${a.confidence} ${CONFIDENCE[a.confidence] ?? ''}, ${iso(a.time)}${c}]`;
}

export function renderExplain(d: InventoryDevice, engine: ClassEngine = new ClassEngine()): string {
  const c = explainDevice(d, engine);
  let out = `device ${deviceId(d)}\n`;
  const addrs = deviceAddresses(d);
  if (addrs.length > 0) out += `  addresses ${addrs.join(', ')}\n`;
  for (const name of ['vendor', 'hostname', 'class', 'model', 'os', 'firmware'] as const) out += `  ${name.padEnd(9)} ${evidence(attr(d, name))}\n`;
  out += `\nclass from the ${d.facts?.length ?? 0} stored facts: ${c.class}${c.class === 'unknown' ? '' : `, confidence ${c.confidence} (${CONFIDENCE[c.confidence]})`}\n`;
  if (c.fired.length === 0) out += '  no rule fires: the evidence is too thin to name a class\n';
  for (const f of c.fired) {
    const role = f.class === undefined ? 'extracts only' : f.class === c.class ? `-> ${f.class}` : `-> ${f.class} (lost)`;
    out += `\n  rule ${f.name}  ${role}, confidence ${f.confidence}\n`;
    for (const cite of f.cites) out += `    cites ${cite.key} = ${JSON.stringify(cite.value)}\n`;
    out += `    evidence: ${f.source}\n`;
  }
  if (c.candidates.length > 1) out += `\nconflicting classes: ${c.candidates.map((x) => `${x.class} ${x.score} (${x.rules.join(', ')})`).join('; ')}\n`;
  if (c.class === 'unknown' && c.candidates.length > 0) out += `\nunknown: no class reaches medium confidence without a tie (weak hints are not guesses)\n`;
  const extra = (['model', 'os', 'firmware'] as const).filter((k) => c[k] !== undefined).map((k) => `${k} ${c[k]!.value} (rule ${c[k]!.rule})`);
  if (extra.length > 0) out += `\nextracted: ${extra.join('; ')}\n`;
  if ((d.facts?.length ?? 0) > 0) out += `\nfacts:\n${table(d.facts!.map((f) => ['  ' + f.key, f.value]))}`;
  return out;
}
