/**
 * Test data shared by the matching tests: the matching table (devices with
 * realistic identities and what they must match in the shared ICSMA
 * advisories). Not product code.
 */
import type { MatchConfidence } from './match.js';
import type { AttrRow } from '../../../test/support/feeds.js';

export interface Row {
  readonly name: string;
  readonly attrs: readonly AttrRow[];
  /** advisory id → confidence; {} for no match. */
  readonly want: Readonly<Record<string, MatchConfidence>>;
  /** CVEs the first wanted advisory must list, when the row checks them. */
  readonly cves?: readonly string[];
}

const BRAUN_CVES = ['CVE-2021-33882', 'CVE-2021-33883', 'CVE-2021-33884', 'CVE-2021-33885', 'CVE-2021-33886'];

export const ROWS: readonly Row[] = [
  // B. Braun (ICSMA-21-294-01): US "U" builds, rest-of-world "L" builds, fixed 012U000093 / 011L000093.
  { name: 'SpaceCom2 012U000061 (last affected US build)', attrs: [['vendor', 'B. Braun Melsungen AG', 'oui', 'mac'], ['model', 'SpaceCom2'], ['firmware', '012U000061']], want: { 'ICSMA-21-294-01': 'range' }, cves: BRAUN_CVES },
  { name: 'SpaceCom2 012U000040', attrs: [['vendor', 'B. Braun'], ['model', 'SpaceStation SpaceCom 2'], ['firmware', '012U000040']], want: { 'ICSMA-21-294-01': 'range' } },
  { name: 'SpaceCom2 012U000093 (the US fix): near miss', attrs: [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', '012U000093']], want: {} },
  { name: 'SpaceCom2 011L000093 (the rest-of-world fix): near miss', attrs: [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', '011L000093']], want: {} },
  { name: 'SpaceCom2 011L000081 ("L81 and earlier")', attrs: [['vendor', 'B. Braun'], ['model', 'SpaceCom2'], ['firmware', '011L000081']], want: { 'ICSMA-21-294-01': 'range' } },
  { name: 'Infusomat Space battery pack 028U000061', attrs: [['vendor', 'B. Braun Medical'], ['model', 'Infusomat Space', 'http', 'server'], ['firmware', '028U000061']], want: { 'ICSMA-21-294-01': 'range' } },
  { name: 'Infusomat Space battery pack 028U000093 (fixed): near miss', attrs: [['vendor', 'B. Braun Medical'], ['model', 'Infusomat Space'], ['firmware', '028U000093']], want: {} },
  { name: 'Perfusor compactPlus data module A10', attrs: [['vendor', 'B. Braun'], ['model', 'Perfusor compactPlus'], ['software', 'A10']], want: { 'ICSMA-21-294-01': 'range' } },
  { name: 'Perfusor compactPlus data module A12: near miss', attrs: [['vendor', 'B. Braun'], ['model', 'Perfusor compactPlus'], ['software', 'A12']], want: {} },
  { name: 'SpaceCom2 with no firmware heard', attrs: [['vendor', 'B. Braun'], ['model', 'SpaceCom2']], want: { 'ICSMA-21-294-01': 'product' } },
  // Medtronic.
  { name: 'MyCareLink 24950 (all versions)', attrs: [['vendor', 'Medtronic'], ['model', 'MyCareLink 24950', 'dhcp', 'option 60']], want: { 'ICSMA-18-219-01': 'range' }, cves: ['CVE-2018-10622', 'CVE-2018-10626'] },
  { name: 'MyCareLink Monitor, no model number', attrs: [['vendor', 'Medtronic plc'], ['model', 'MyCareLink Monitor']], want: { 'ICSMA-18-219-01': 'range' } },
  { name: 'MiniMed Paradigm Veo 554 software 2.6A', attrs: [['vendor', 'Medtronic'], ['model', 'MiniMed Paradigm Veo 554', 'ble', 'dis.model'], ['firmware', '2.6A', 'ble', 'dis.firmware']], want: { 'ICSMA-19-178-01': 'range' }, cves: ['CVE-2019-10964'] },
  { name: 'MiniMed Paradigm Veo 554 software 2.7A: near miss', attrs: [['vendor', 'Medtronic'], ['model', 'MiniMed Paradigm Veo 554'], ['firmware', '2.7A']], want: {} },
  { name: 'MiniMed 670G MMT-1780 (a listed variant)', attrs: [['vendor', 'Medtronic'], ['model', 'MiniMed 670G MMT-1780']], want: { 'ICSMA-22-263-01': 'exact' }, cves: ['CVE-2022-32537'] },
  { name: 'MiniMed 670G, variant unknown', attrs: [['vendor', 'Medtronic'], ['model', 'MiniMed 670G']], want: { 'ICSMA-22-263-01': 'product' } },
  { name: 'Medtronic by OUI only: vendor-only matches', attrs: [['vendor', 'Medtronic', 'oui', 'mac']], want: { 'ICSMA-18-219-01': 'vendor', 'ICSMA-19-178-01': 'vendor', 'ICSMA-22-263-01': 'vendor' } },
  // Baxter (ICSMA-20-170-04).
  { name: 'Sigma Spectrum v6.05', attrs: [['vendor', 'Baxter Healthcare'], ['model', 'Sigma Spectrum'], ['firmware', 'v6.05']], want: { 'ICSMA-20-170-04': 'range' } },
  { name: 'Baxter Spectrum v8.01', attrs: [['vendor', 'Baxter'], ['model', 'Spectrum'], ['firmware', '8.01.00']], want: { 'ICSMA-20-170-04': 'range' } },
  { name: 'Baxter Spectrum IQ v10.1: near miss', attrs: [['vendor', 'Baxter'], ['model', 'Spectrum IQ'], ['firmware', '10.1']], want: {} },
  // Philips.
  { name: 'IntelliVue MX450 software M.00', attrs: [['vendor', 'Philips Medizin Systeme Boeblingen GmbH', 'oui', 'mac'], ['model', 'IntelliVue MX450'], ['software', 'M.00']], want: { 'ICSMA-20-254-01': 'range' } },
  { name: 'IntelliVue MX450 software P.01: near miss', attrs: [['vendor', 'Philips'], ['model', 'IntelliVue MX450'], ['software', 'P.01']], want: {} },
  { name: 'IntelliVue MP70 software N.0', attrs: [['vendor', 'Philips'], ['model', 'IntelliVue MP70'], ['software', 'N.0']], want: { 'ICSMA-20-254-01': 'range' } },
  { name: 'IntelliVue MX450, software not heard', attrs: [['vendor', 'Philips'], ['model', 'IntelliVue MX450']], want: { 'ICSMA-20-254-01': 'product' } },
  { name: 'PIC iX C.03 (two advisories)', attrs: [['vendor', 'Philips'], ['model', 'PIC iX', 'http', 'server'], ['software', 'C.03']], want: { 'ICSMA-20-254-01': 'exact', 'ICSMA-21-322-02': 'exact' } },
  { name: 'PIC iX D.01: near miss', attrs: [['vendor', 'Philips'], ['model', 'PIC iX'], ['software', 'D.01']], want: {} },
  { name: 'Efficia CM10 revision C.02 ("A.01 <= C.0x")', attrs: [['vendor', 'Philips'], ['model', 'Efficia CM10 Series'], ['firmware', 'C.02']], want: { 'ICSMA-21-322-02': 'range' } },
  { name: 'MRI 1.5T 5.7.1 ("5.x.x")', attrs: [['vendor', 'Philips'], ['model', 'MRI 1.5T', 'dicom', 'implementation version'], ['software', '5.7.1']], want: { 'ICSMA-21-313-01': 'range' } },
  { name: 'MRI 3T 6.1: near miss', attrs: [['vendor', 'Philips'], ['model', 'MRI 3T'], ['software', '6.1']], want: {} },
  { name: 'Gemini TF Big Bore 882476 (a listed variant)', attrs: [['vendor', 'Philips'], ['model', 'Gemini TF Big Bore 882476']], want: { 'ICSMA-21-084-01': 'exact' } },
  // GE: no advisory in the shared feed names GE, so a CARESCAPE monitor matches nothing.
  { name: 'GE CARESCAPE B450: no GE advisory in the feed', attrs: [['vendor', 'GE Healthcare'], ['model', 'CARESCAPE Monitor B450'], ['firmware', '2.0.4']], want: {} },
  // The rest of the feed, with its oddities.
  { name: 'Innokas VC150 1.7.14 (double-UTF-8 vendor upstream)', attrs: [['vendor', 'Innokas Yhtymä Oy'], ['model', 'VC150'], ['firmware', '1.7.14']], want: { 'ICSMA-21-007-01': 'range' } },
  { name: 'Innokas VC150 1.7.15 (the fix): near miss', attrs: [['vendor', 'Innokas'], ['model', 'VC150'], ['firmware', '1.7.15']], want: {} },
  { name: 'BD Alaris Infusion Central 1.3.2', attrs: [['vendor', 'BD'], ['model', 'Alaris Infusion Central'], ['software', '1.3.2']], want: { 'ICSMA-23-047-01': 'range' } },
  { name: 'BD Alaris Infusion Central 1.4: near miss', attrs: [['vendor', 'Becton Dickinson'], ['model', 'Alaris Infusion Central'], ['software', '1.4']], want: {} },
  { name: 'Medfusion 4000 1.6 (listed exactly)', attrs: [['vendor', 'Smiths Medical ASD'], ['model', 'Medfusion 4000'], ['firmware', '1.6']], want: { 'ICSMA-17-250-02A': 'exact' } },
  { name: 'Medfusion 4000 1.7: near miss', attrs: [['vendor', 'Smiths Medical'], ['model', 'Medfusion 4000'], ['firmware', '1.7']], want: {} },
  { name: 'Orthanc Osimis WebViewer 1.4.2.0-9d9eff4', attrs: [['vendor', 'Orthanc'], ['model', 'Osimis WebViewer', 'http', 'server'], ['software', '1.4.2.0-9d9eff4', 'http', 'server']], want: { 'ICSMA-24-023-01': 'exact' } },
  { name: 'MicroDicom viewer 2023.3 build 9342', attrs: [['vendor', 'MicroDicom'], ['model', 'DICOM Viewer'], ['software', '2023.3_Build_9342']], want: { 'ICSMA-24-060-01': 'range' } },
  { name: 'MicroDicom viewer 2024.1: near miss', attrs: [['vendor', 'MicroDicom'], ['model', 'DICOM Viewer'], ['software', '2024.1']], want: {} },
  { name: 'a label printer: no vendor in the feed', attrs: [['vendor', 'Zebra Technologies'], ['model', 'ZD421']], want: {} },
];

