/**
 * Infusion pumps and their communication stations: BD/CareFusion/Alaris,
 * Baxter, B. Braun, Fresenius Kabi, ICU Medical/Hospira/Smiths Medical.
 *
 * Evidence values (DHCP option 60, hostnames) are what these devices are
 * configured or built to send; where no public capture or manual shows the
 * exact string, the `source` says `assumption:` and the rule either needs
 * the vendor's OUI beside it or stays at confidence 2, so it classifies
 * only together with an agreeing rule or on its own at medium confidence.
 * Vendor names in `vendor(...)` are the IEEE registry's (ieee-data oui.csv,
 * mam.csv, oui36.csv), as the inventory's `vendor` attribute carries them.
 */
import { fact, hostname, port, vendor, type ClassRule } from './types.js';

export const INFUSION_RULES: readonly ClassRule[] = [
  // BD / CareFusion / Alaris (registry names: "Becton Dickinson", "Carefusion", "ALARIS MEDICAL SYSTEMS", "Cardinal Health").
  {
    name: 'bd.oui', class: 'infusion-pump', confidence: 1, all: [vendor('^(Carefusion|ALARIS MEDICAL|Alaris)')],
    source: 'IEEE registry: the CareFusion and Alaris Medical Systems prefixes are on Alaris PC units and pump modules; an OUI alone is weak (confidence 1).',
  },
  {
    name: 'bd.alaris.vendor_class', class: 'infusion-pump', confidence: 2, all: [fact('dhcp.vendor_class', '^(?:BD|CareFusion|Cardinal)?[ _-]?Alaris(?:[ _-](.+))?$')],
    model: 'Alaris $1',
    source: 'assumption: product name in DHCP option 60 as the ward generator (scripts/ward/profiles.ts) emits it; BD Alaris System DFU (PC unit model 8015) documents the wireless PC unit but not the option 60 string.',
  },
  {
    name: 'bd.alaris.hostname', class: 'infusion-pump', confidence: 2, all: [vendor('^(Carefusion|ALARIS|Becton|Cardinal Health)'), hostname('^(ALARIS|PCU|8015)')],
    model: 'Alaris PC unit',
    source: 'assumption: hospital naming of Alaris PC units (model 8015, BD Alaris System with Guardrails Suite MX user manual) together with the vendor OUI.',
  },
  // Baxter (registry: "Baxter International Inc"; Hillrom/Welch Allyn are Baxter too but keep their own prefixes).
  {
    name: 'baxter.oui', class: 'infusion-pump', confidence: 1, all: [vendor('^Baxter')],
    source: 'IEEE registry: Baxter International prefixes; Baxter networks its Sigma Spectrum and Novum IQ pumps. OUI alone is weak.',
  },
  {
    name: 'baxter.pump.vendor_class', class: 'infusion-pump', confidence: 2, all: [fact('dhcp.vendor_class', '^(?:Baxter[ _-]?)?(Sigma[ _-]?Spectrum|Spectrum IQ|Novum(?:[ _-]?IQ)?)')],
    model: 'Baxter $1',
    source: 'assumption: product name in option 60. Baxter SIGMA Spectrum operator manual 41018 (software 8.00) describes the wireless battery module; FDA 510(k) K251640 / K133801 name the pump.',
  },
  {
    name: 'baxter.pump.hostname', class: 'infusion-pump', confidence: 2, all: [vendor('^Baxter'), hostname('^(SIGMA|SPECTRUM|WBM|NOVUM)')],
    source: 'assumption: hostname patterns for Sigma Spectrum wireless battery modules and Novum IQ, with the Baxter OUI.',
  },
  // B. Braun (registry: "B.Braun Melsungen AG").
  {
    name: 'bbraun.oui', class: 'infusion-pump', confidence: 1, all: [vendor('^B\\.? ?Braun')],
    source: 'IEEE registry: B.Braun Melsungen AG; its networked products on a ward are Space pumps and SpaceStation/SpaceCom. OUI alone is weak.',
  },
  {
    name: 'bbraun.space.vendor_class', class: 'infusion-pump', confidence: 2, all: [fact('dhcp.vendor_class', '^B\\.? ?Braun[ _-]?(Space ?Station|SpaceCom|Space|Infusomat|Perfusor)')],
    model: 'B. Braun $1',
    source: 'assumption: product name in option 60; products from B. Braun security advisory 05/2021 (Perfusor Space, Infusomat Space, SpaceCom, Battery Pack SP with WiFi).',
  },
  {
    name: 'bbraun.spacecom.web', class: 'infusion-pump', confidence: 2, all: [vendor('^B\\.? ?Braun'), port('tcp/80', 'tcp/443')],
    model: 'SpaceStation/SpaceCom',
    source: 'CISA ICSMA-17-082-02 and B. Braun advisory 05/2021: SpaceCom (embedded Linux in the SpaceStation or the WiFi battery pack) serves a web interface; OUI + service pattern.',
  },
  // Fresenius Kabi (registry: "FRESENIUS-VIAL" for the Agilia/Vial pump line; dialysis prefixes are Fresenius Medical Care).
  {
    name: 'fresenius.oui', class: 'infusion-pump', confidence: 1, all: [vendor('^FRESENIUS-VIAL')],
    source: 'IEEE registry: FRESENIUS-VIAL, the Agilia infusion pump maker. OUI alone is weak.',
  },
  {
    name: 'fresenius.agilia.vendor_class', class: 'infusion-pump', confidence: 2, all: [fact('dhcp.vendor_class', '^(?:Fresenius(?: Kabi)?[ _-]?)?(Agilia(?:[ _-]?(?:Connect|VP|SP|Link\\+?))?)')],
    model: 'Fresenius Kabi $1',
    source: 'assumption: product name in option 60; product names from CISA ICSMA-21-174-01 (Fresenius Kabi Agilia Connect infusion system, Agilia Link+).',
  },
  {
    name: 'fresenius.dialysis.oui', class: 'medical-device', confidence: 1, all: [vendor('^Fresenius Medical Care')],
    source: 'IEEE registry: Fresenius Medical Care prefixes are on dialysis machines (no class of their own in the taxonomy).',
  },
  // ICU Medical / Hospira / Smiths Medical (registry: "ICU Medical, Inc.", "Smiths Medical").
  {
    name: 'icumedical.oui', class: 'infusion-pump', confidence: 1, all: [vendor('^(ICU Medical|Smiths Medical|Hospira)')],
    source: 'IEEE registry: ICU Medical and Smiths Medical (now ICU Medical) prefixes, on Plum 360, LifeCare PCA, Medfusion and CADD pumps. OUI alone is weak.',
  },
  {
    name: 'icumedical.pump.vendor_class', class: 'infusion-pump', confidence: 2, all: [fact('dhcp.vendor_class', '^(?:ICU ?Medical|Hospira|Smiths(?: Medical)?)?[ _-]?(Plum(?:[ _-]?(?:360|A\\+|Duo))?|LifeCare ?PCA|Medfusion ?\\d*|CADD[ _-]?Solis)')],
    model: '$1',
    source: 'assumption: product name in option 60; product names from CISA ICSA-15-125-01B (Hospira LifeCare PCA) and ICU Medical product documentation.',
  },
  {
    name: 'icumedical.hospira.telnet', class: 'infusion-pump', confidence: 2, all: [vendor('^(ICU Medical|Hospira)'), port('tcp/23')],
    source: 'CISA ICSA-15-125-01B: Hospira LifeCare PCA infusion pumps answer Telnet (port 23); OUI + service pattern.',
  },
  {
    name: 'icumedical.mednet.http_server', class: 'medical-gateway', confidence: 2, all: [fact('http.server', 'MedNet')],
    model: 'ICU Medical MedNet',
    source: 'assumption: the ICU Medical MedNet safety software server names itself in its HTTP Server header.',
  },
];
