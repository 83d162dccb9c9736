/**
 * 802.11 frames as a table (raw 802.11, LINKTYPE 105): addressing by To/From
 * DS (IEEE 802.11-2020 Table 9-5), header lengths of control, QoS and
 * four-address data frames, element scan (SSID, hidden SSID, DS channel,
 * RSN with SAE/OWE and MFP, WPA, WPS), element length checks, LLC/SNAP into
 * IPv4 and EAPOL-Key messages. Every prefix decodes without a bug.
 */
import t from 'tap';
import { rawFrame, ipv4, udp } from '../../../test/builders/frames.js';
import {
  ack, assocRequest, beacon, cat, dataFromDs, dataToDs, deauth, eapolKey, element, probeRequest, rsnElement, snap, ssidElement, wpsElement,
} from '../../../scripts/ward/wifi-frames.js';
import { macString } from '../bytes.js';
import { defaultFrameDecoder } from '../index.js';
import type { EapolView } from '../eapol/index.js';
import type { LlcView } from '../llc/index.js';
import { LLC_KEY_CDP } from '../llc/consts.js';
import { ELEMENT_MEMO, securityOf, ssidOf, vendorOuis, wpsOf } from './elements.js';
import { BytesMemo } from './memo.js';
import type { Ieee80211View } from './index.js';

const AP = '00:11:22:33:44:55';
const STA = '02:aa:bb:cc:dd:01';
const dec = (b: Uint8Array, origLen = b.length) => defaultFrameDecoder().decode(rawFrame(b, 105, origLen));
const view = (b: Uint8Array): Ieee80211View => dec(b).layers[0] as Ieee80211View;
const m = (n: number): string => (n < 0 ? '' : macString(n));

t.test('addressing by To DS / From DS', async (t) => {
  const up = view(dataToDs(STA, AP, '00:00:5e:00:01:01', 1, [1, 2, 3], true));
  t.same([m(up.bssid), m(up.sa), m(up.da), up.protected, up.nextKey], [AP, STA, '00:00:5e:00:01:01', true, -1], 'to DS, protected: no LLC');
  const down = view(dataFromDs(AP, STA, 2, snap(0x0800, [])));
  t.same([m(down.bssid), m(down.sa), m(down.da)], [AP, AP, STA], 'from DS');
  const c = view(ack(STA));
  t.same([c.isCtrl, c.typeSubtype, m(c.addr1), c.addr2, c.bssid, c.seq], [true, 0x1d, STA, -1, -1, -1], 'ACK: one address');
  const wds = Uint8Array.from([0x08, 0x03, 0, 0, ...Array(20).fill(1), 9, 9, 9, 9, 9, 9, 0xaa, 0xaa, 3, 0, 0, 0, 0x08, 0x00]);
  const w = view(wds);
  t.same([w.payloadOffset, w.bssid, m(w.sa)], [30, -1, '09:09:09:09:09:09'], 'four addresses');
});

t.test('management elements', async (t) => {
  const b = view(beacon(AP, 1, 0, [...ssidElement('HOSPITAL'), ...element(3, [11]), ...element(5, [0, 1, 0, 0]), ...rsnElement([8, 2], 'required'), ...wpsElement({ manufacturer: 'ACME, Inc.', model: 'P1', number: '2', name: 'pump' })], true));
  t.equal(ssidOf(b), 'HOSPITAL');
  t.equal(b.dsChannel, 11);
  t.ok(b.hasTim);
  t.same(securityOf(b), { name: 'WPA2/WPA3-SAE', mfp: 'required', akms: ['SAE', 'PSK'], pairwise: ['CCMP-128'] });
  t.same(wpsOf(b), { manufacturer: 'ACME, Inc.', modelName: 'P1', modelNumber: '2', deviceName: 'pump' });
  t.same(vendorOuis(b), ['00:50:f2']);
  const owe = view(beacon(AP, 1, 0, [...ssidElement('x'), ...rsnElement([18], 'required')], true));
  t.equal(securityOf(owe).name, 'OWE');
  const ent = view(beacon(AP, 1, 0, [...ssidElement('x'), ...rsnElement([1], 'capable')], true));
  t.same([securityOf(ent).name, securityOf(ent).mfp], ['WPA2-Enterprise', 'capable']);
  const open = view(beacon(AP, 1, 0, ssidElement('guest'), false));
  t.equal(securityOf(open).name, 'open');
  const wep = view(beacon(AP, 1, 0, ssidElement('old'), true));
  t.equal(securityOf(wep).name, 'WEP');
  const hidden = view(beacon(AP, 1, 0, element(0, [0, 0, 0]), true));
  t.same([hidden.hiddenSsid, ssidOf(hidden)], [true, '']);
  const pr = view(probeRequest(STA, 3, ''));
  t.same([pr.subtype, pr.ssidLength, pr.hiddenSsid], [4, 0, true]);
  const as = view(assocRequest(STA, AP, 4, 'MED', rsnElement([2], 'off')));
  t.same([as.subtype, ssidOf(as), securityOf(as).name], [0, 'MED', 'WPA2-PSK']);
  const d = view(deauth(AP, STA, AP, 5, 7));
  t.same([d.reason, d.elementsOffset], [7, 26]);
});

t.test('element length checks (the Kismet checks)', async (t) => {
  const long = dec(beacon(AP, 1, 0, element(0, Array(33).fill(0x41)), false));
  t.same([long.layers[0]!.warning?.code, (long.layers[0] as Ieee80211View).badElement, (long.layers[0] as Ieee80211View).badElementLength], ['ieee80211.element_bad_length', 0, 33], 'SSID over 32');
  const ds = dec(beacon(AP, 1, 0, element(3, [1, 2]), false));
  t.equal((ds.layers[0] as Ieee80211View).badElement, 3, 'DS Parameter Set of 2');
  const over = cat(beacon(AP, 1, 0, [], false), [0, 10, 1, 2]);
  t.equal(dec(over).layers[0]!.warning?.code, 'ieee80211.element_overrun');
  t.equal(dec(over, over.length + 100).layers[0]!.warning, undefined, 'snapped: truncated, not malformed');
  const fixed = Uint8Array.from([0x80, 0, 0, 0, ...Array(20).fill(1), 0, 0, 0]);
  t.equal(dec(fixed).layers[0]!.warning?.code, 'ieee80211.truncated_fixed');
  t.equal(dec(Uint8Array.from([0x80, 0, 0, 0])).anomaly?.code, 'ieee80211.truncated_header');
  t.equal(dec(Uint8Array.from([0x81, 0, 0, 0, 1, 2, 3, 4, 5, 6])).anomaly?.code, 'ieee80211.bad_version');
});

t.test('LLC/SNAP into IPv4 and EAPOL', async (t) => {
  const ip = ipv4({ src: '10.0.0.9', dst: '10.0.0.1', proto: 17 }, udp({ sport: 68, dport: 67 }, new Uint8Array(4)));
  const f = dec(dataToDs(STA, AP, '00:00:5e:00:01:01', 1, snap(0x0800, ip), false));
  t.same(f.layers.map((l) => l.name), ['ieee80211', 'llc', 'ipv4', 'udp']);
  t.same([(f.layers[1] as LlcView).oui, (f.layers[1] as LlcView).pid], [0, 0x0800]);
  for (const n of [1, 2, 3, 4] as const) {
    const e = dec(dataFromDs(AP, STA, n, snap(0x888e, eapolKey(n, 7, n === 1)))).layers[2] as EapolView;
    t.same([e.name, e.isKey, e.message, e.hasPmkid], ['eapol', true, n, n === 1], `message ${n}`);
  }
  const cdp = dec(dataFromDs(AP, STA, 9, [0xaa, 0xaa, 3, 0, 0, 0x0c, 0x20, 0, 1, 2]));
  t.same([(cdp.layers[1] as LlcView).oui, cdp.layers[1]!.nextKey], [0x0c, LLC_KEY_CDP], 'a vendor OUI routes on OUI and protocol id (CDP under Cisco\'s)');
  t.equal(dec(dataFromDs(AP, STA, 9, [0xaa, 0xaa])).anomaly?.code, 'llc.truncated_header');
  t.equal(dec(dataFromDs(AP, STA, 9, snap(0x888e, [2, 3, 0, 95, 2]))).anomaly?.code, 'eapol.truncated_key');
});

t.test('every prefix of every frame decodes without a bug', async (t) => {
  const frames = [
    beacon(AP, 1, 0, [...ssidElement('HOSPITAL'), ...rsnElement([1], 'capable'), ...wpsElement({ manufacturer: 'a', model: 'b', number: 'c', name: 'd' })], true),
    dataFromDs(AP, STA, 2, snap(0x888e, eapolKey(1, 1, true))), ack(STA), deauth(AP, STA, AP, 3, 3),
  ];
  for (const b of frames) {
    for (let n = 0; n <= b.length; n++) {
      const d = defaultFrameDecoder();
      for (const l of d.decode(rawFrame(b.subarray(0, n), 105, b.length)).layers) {
        if (l.name === 'ieee80211') void [ssidOf(l as Ieee80211View), securityOf(l as Ieee80211View), wpsOf(l as Ieee80211View), vendorOuis(l as Ieee80211View)];
        if (l.name === 'eapol') void [(l as EapolView).message, (l as EapolView).hasPmkid];
      }
      if (d.counters.bugs !== 0) t.fail(`bug at prefix ${n}`);
    }
  }
  t.pass('no bug');
});

t.test('element memo: the same bytes give the same answer, other bytes their own, and the memo stays capped', async (t) => {
  const view = (b: Uint8Array): Ieee80211View => defaultFrameDecoder().decode(rawFrame(b, 105)).layers.find((l) => l.name === 'ieee80211') as Ieee80211View;
  const ssids = Array.from({ length: 40 }, (_, i) => `WARD-${i}`);
  for (const round of [0, 1]) {
    for (const s of ssids) {
      const v = view(beacon(AP, 1, 0, [...ssidElement(s), ...rsnElement([round === 0 ? 1 : 2], 'required')], true));
      t.equal(ssidOf(v), s, `round ${round}: ${s}`);
      t.equal(securityOf(v).name, round === 0 ? 'WPA2-Enterprise' : 'WPA2-PSK');
      t.equal(securityOf(v).mfp, 'required');
    }
  }
  // A malformed RSN element falls back on the Privacy bit: the same bytes with the bit set and clear differ.
  const bad = [...ssidElement('X'), ...element(48, [1])];
  t.equal(securityOf(view(beacon(AP, 1, 0, bad, true))).name, 'WEP');
  t.equal(securityOf(view(beacon(AP, 1, 0, bad, false))).name, 'open');
  t.ok(ELEMENT_MEMO.ssid.hits > 0, 'repeated SSIDs come from the memo');
  const m = new BytesMemo<number>(4);
  for (let i = 0; i < 10; i++) {
    const b = Uint8Array.of(i, i + 1);
    const h = BytesMemo.hash(b, 0, 2, 0);
    t.equal(m.lookup(h, b, 0, 2, 0) ?? m.store(h, b, 0, 2, 0, i), i);
    // Same hash slot, other bytes: never the stored answer.
    t.equal(m.lookup(h, Uint8Array.of(i, i + 2), 0, 2, 0), undefined);
    t.equal(m.lookup(h, b, 0, 2, 1), undefined, 'another tag');
  }
  t.equal(m.size, 4);
  t.equal(m.evicted, 6);
});
