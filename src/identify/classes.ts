/**
 * The one device-class taxonomy. Every analyzer that classifies a device
 * picks from this list, so that a SOC rule or a biomed dashboard can key on
 * a class whatever medium or fingerprint produced it. Ids are stable and go
 * on the wire; a class is never renamed or reused, only added.
 *
 * The clinical classes follow the groupings IEC 80001 / FDA product codes
 * use for networked medical devices; the rest are what a ward network also
 * carries.
 */
export interface DeviceClass {
  readonly id: number;
  readonly name: string;
  readonly medical: boolean;
  readonly description: string;
}

export const DEVICE_CLASSES: readonly DeviceClass[] = [
  { id: 0, name: 'unknown', medical: false, description: 'Not classified yet.' },
  { id: 1, name: 'infusion-pump', medical: true, description: 'Infusion and syringe pumps, and their gateways or servers.' },
  { id: 2, name: 'patient-monitor', medical: true, description: 'Bedside and central patient monitors, telemetry receivers.' },
  { id: 3, name: 'imaging', medical: true, description: 'Modalities (CT, MR, X-ray, ultrasound) and PACS nodes.' },
  { id: 4, name: 'wearable', medical: true, description: 'Body-worn sensors: pulse oximeters, thermometers, ECG patches, CGMs.' },
  { id: 5, name: 'lab-analyzer', medical: true, description: 'Point-of-care and laboratory analyzers.' },
  { id: 6, name: 'ventilator', medical: true, description: 'Ventilators and anaesthesia workstations.' },
  { id: 7, name: 'insulin-pump', medical: true, description: 'Insulin pumps and pens.' },
  { id: 8, name: 'nurse-call', medical: false, description: 'Nurse call, bed-exit and room sensors.' },
  { id: 9, name: 'clinical-system', medical: false, description: 'HL7 interface engines, EMR, pharmacy and lab systems.' },
  { id: 10, name: 'workstation', medical: false, description: 'PCs, laptops, thin clients.' },
  { id: 11, name: 'mobile', medical: false, description: 'Phones and tablets.' },
  { id: 12, name: 'printer', medical: false, description: 'Printers and label printers.' },
  { id: 13, name: 'network-infrastructure', medical: false, description: 'Routers, switches, access points, gateways.' },
  { id: 14, name: 'server', medical: false, description: 'Servers and appliances.' },
  { id: 15, name: 'iot', medical: false, description: 'Building and facility IoT: sensors, cameras, asset tags.' },
  { id: 16, name: 'single-board-computer', medical: false, description: 'Raspberry Pi and similar boards.' },
  // Added for issue 7 (device-class engine): classes the list names that none above covers.
  { id: 17, name: 'medical-gateway', medical: true, description: 'Medical device gateways and servers: infusion management servers, pump docking and communication stations, device integration gateways.' },
  { id: 18, name: 'medical-device', medical: true, description: 'A networked medical device whose kind the evidence does not tell (an IEEE 11073 SDC provider announcing only mdpws:MedicalDevice).' },
];

export type DeviceClassName = (typeof DEVICE_CLASSES)[number]['name'];

export function deviceClass(name: string): DeviceClass | undefined {
  return DEVICE_CLASSES.find((c) => c.name === name);
}
