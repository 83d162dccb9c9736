/** Schema pieces shared by schema.ts and radio-sources.ts. */
import { z } from 'zod';

/** Topic segments and ids: what MQTT topic levels and file names can carry safely. */
export const segment = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected 1-64 characters from A-Z a-z 0-9 . _ - starting with a letter or digit');

export const backoff = z
  .strictObject({
    initial_ms: z.number().int().min(10).max(600_000).default(1000),
    max_ms: z.number().int().min(10).max(3_600_000).default(60_000),
  })
  .refine((b) => b.max_ms >= b.initial_ms, { message: 'max_ms must be >= initial_ms' });
