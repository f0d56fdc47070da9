/** `tessera client --config F`: the user's PC (seed 000). */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';

export const clientConfigSchema = z
  .object({
    mountDir: z.string().min(1).describe('The removable medium\'s mount directory (present while the medium is inserted).'),
    provider: z
      .object({
        url: z.string().regex(/^https:\/\/[^/]+\/?$/, 'an https:// origin').describe('The provider center\'s HTTPS origin.'),
        spkiPin: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex chars').describe('SHA-256 of the provider certificate\'s SPKI: any other key is refused before a byte is sent.'),
      })
      .strict(),
  })
  .strict();

export type ClientConfig = z.infer<typeof clientConfigSchema>;

export function loadClientConfig(path: string): ClientConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TesseraError('PPCLIENT_CONFIG_INVALID', `cannot read ${path} as JSON`, { path }, { cause: e });
  }
  const r = clientConfigSchema.safeParse(json);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new TesseraError('PPCLIENT_CONFIG_INVALID', problems.join('; '), { path, problems });
}
