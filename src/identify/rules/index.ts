/**
 * Every device-class rule the sensor ships, one file per area. The order is
 * the tie-break order of the engine (earlier wins among equals), so medical
 * vendors come first. A new area: its file, and one spread here.
 */
import type { ClassRule } from './types.js';
import { INFUSION_RULES } from './infusion.js';
import { MONITORING_RULES } from './monitoring.js';
import { IMAGING_RULES } from './imaging.js';
import { COMMUNICATION_RULES } from './communication.js';
import { GENERIC_RULES } from './generic.js';
import { MEDICAL_PROTOCOL_RULES } from './medical-protocols.js'; // medical: issue 11

export type { ClassRule, Condition, RuleConfidence } from './types.js';

export const CLASS_RULES: readonly ClassRule[] = [
  ...INFUSION_RULES,
  ...MONITORING_RULES,
  ...IMAGING_RULES,
  ...COMMUNICATION_RULES,
  ...MEDICAL_PROTOCOL_RULES,
  ...GENERIC_RULES,
];
