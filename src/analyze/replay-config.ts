/**
 * A replay configuration with overrides, validated by the schema (loads
 * zod): for tests and for callers that change the defaults. Without
 * overrides, `replayDefaults()` (src/config/defaults.ts) gives the same
 * configuration without the schema library.
 */
import { validateConfig, type Config } from '../config/index.js';
import { REPLAY_BASE } from '../config/replay-base.js';

export function replayConfig(overrides: Record<string, unknown> = {}): Config {
  return validateConfig({ ...REPLAY_BASE, ...overrides });
}
