/**
 * Vendor and product aliases as data. Advisories carry no CPE (the CISA
 * ICSMA CSAF files have no `product_identification_helper`), so a device's
 * vendor and model, as DHCP, HTTP, SNMP, DICOM, BLE Device Information or
 * the IEEE OUI registry spell them, are matched to the advisory's names
 * through these tables.
 *
 * Sources: the vendor names of the 14 ICSMA advisories on the shared feed
 * (cisagov/CSAF @6960219f), the IEEE MA-L registrant names of the same
 * companies (/usr/share/ieee-data, Wireshark's manuf), and the product
 * names the vendors' own advisories use (B. Braun PSA 2021-10, Philips
 * ICSMA-20-254-01 model lists). Written by hand; add a row when a device
 * names itself differently.
 */

/** Canonical vendor id → every spelling seen for it (compared after `vendorKey`). */
export const VENDOR_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'b-braun': ['B. Braun Medical', 'B. Braun', 'B.Braun', 'B. Braun Melsungen AG', 'B. Braun Medical Inc.', 'BBraun', 'Braun Melsungen'],
  'baxter': ['Baxter', 'Baxter Healthcare', 'Baxter International', 'Baxter Healthcare Corporation', 'Sigma International'],
  'bd': ['Becton, Dickinson and Company (BD)', 'BD', 'Becton Dickinson', 'Becton, Dickinson and Company', 'CareFusion', 'Alaris'],
  'contec': ['Contec', 'Contec Health', 'Contec Medical Systems', 'Contec Medical Systems Co., Ltd.'],
  'ge-healthcare': ['GE Healthcare', 'GE', 'General Electric', 'GE Medical Systems', 'GE Medical Systems Information Technologies', 'GE HealthCare Technologies'],
  'innokas': ['Innokas Yhtymä Oy', 'Innokas', 'Innokas Medical'],
  'medtronic': ['Medtronic', 'Medtronic plc', 'Medtronic MiniMed', 'Medtronic Inc.'],
  'microdicom': ['MicroDicom'],
  'orthanc': ['Orthanc', 'Osimis', 'Orthanc Team'],
  'philips': ['Philips', 'Koninklijke Philips', 'Philips Medical Systems', 'Philips Healthcare', 'Philips Medizin Systeme Boeblingen GmbH', 'Koninklijke Philips N.V.'],
  'smiths-medical': ['Smiths Medical', 'Smiths Medical ASD', 'Smiths Group', 'ICU Medical'],
};

/**
 * More names of a product, under its canonical vendor: what a device calls
 * itself where the advisory's product name differs, and model ranges the
 * advisory writes as "MX400-MX850".
 */
export interface ProductAlias {
  readonly vendor: string;
  /** The advisory's product name, compared after `productKey`. */
  readonly product: string;
  readonly aliases: readonly string[];
}

const range = (prefix: string, family: string, models: readonly (string | number)[]): string[] => models.map((m) => `${family} ${prefix}${m}`);

export const PRODUCT_ALIASES: readonly ProductAlias[] = [
  { vendor: 'b-braun', product: 'SpaceStation with SpaceCom 2', aliases: ['SpaceCom2', 'SpaceCom 2', 'SpaceCom'] },
  { vendor: 'b-braun', product: 'Battery Pack SP with Wi-Fi', aliases: ['Battery Pack SP WiFi', 'Infusomat Space', 'Perfusor Space', 'Infusomat Space P'] },
  { vendor: 'b-braun', product: 'Battery pack SP with WiFi', aliases: ['Battery Pack SP WiFi', 'Infusomat Space', 'Perfusor Space'] },
  { vendor: 'b-braun', product: 'Data module compactPlus', aliases: ['Perfusor compactPlus', 'Infusomat compactPlus', 'Infusomat P compactPlus'] },
  { vendor: 'medtronic', product: '24950 MyCareLink Monitor', aliases: ['MyCareLink 24950', 'MyCareLink'] },
  { vendor: 'medtronic', product: '24952 MyCareLink Monitor', aliases: ['MyCareLink 24952', 'MyCareLink'] },
  { vendor: 'philips', product: 'IntelliVue patient monitor MX400-MX850', aliases: range('MX', 'IntelliVue', [400, 430, 450, 500, 550, 700, 750, 800, 850]) },
  { vendor: 'philips', product: 'IntelliVue patient monitor MP2-MP90', aliases: range('MP', 'IntelliVue', [2, 5, 20, 30, 40, 50, 60, 70, 80, 90]) },
  { vendor: 'philips', product: 'Patient Information Center iX (PICiX)', aliases: ['PIC iX', 'PICiX', 'Patient Information Center iX'] },
  { vendor: 'philips', product: 'Patient Information Center iX (PIC iX)', aliases: ['PIC iX', 'PICiX', 'Patient Information Center iX'] },
  { vendor: 'baxter', product: 'Sigma Spectrum LVP', aliases: ['Sigma Spectrum'] },
  { vendor: 'baxter', product: 'Baxter Spectrum LVP', aliases: ['Spectrum'] },
  { vendor: 'philips', product: 'Gemini PET/CT Family', aliases: ['Gemini', 'TruFlight Select'] },
  { vendor: 'bd', product: 'Alaris Infusion Central software', aliases: ['Alaris Infusion Central'] },
  { vendor: 'smiths-medical', product: 'Medfusion 4000 Wireless Syringe Infusion Pump', aliases: ['Medfusion 4000'] },
];

/** Words that say what kind of thing a product is, not which one: left out when comparing names. */
export const PRODUCT_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'the', 'of', 'for', 'with', 'only', 'models', 'model', 'series', 'family', 'software', 'firmware',
  'system', 'systems', 'device', 'devices', 'pump', 'pumps', 'monitor', 'monitors', 'patient', 'infusion', 'syringe',
  'wireless', 'large', 'volume', 'vital', 'signs', 'viewer', 'all', 'versions', 'version',
]);

/** Corporate suffixes dropped from vendor names before comparing. */
export const VENDOR_SUFFIXES: ReadonlySet<string> = new Set(['inc', 'ltd', 'llc', 'gmbh', 'ag', 'oy', 'co', 'corp', 'corporation', 'company', 'plc', 'sa', 'nv', 'bv', 'kg', 'spa', 'limited']);
