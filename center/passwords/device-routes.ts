/**
 * The device-facing routes of the TTP (docs/PASSWORDS.md "Revoking and asking
 * from the device") on the merchant API's listener. No API key: the device
 * proves itself with its Ed25519 signature by the key the password is bound
 * to (protocol/password/token.ts), over (serial, time), fresh within the
 * presentation window; so only device-bound passwords are served here.
 *
 *   POST /v1/device/passwords/:serial/revoke   body {timeMs, signature}: TPR1 signature; the user revokes (idempotent)
 *   POST /v1/device/passwords/:serial/status   body {timeMs, signature}: TPS1 signature; state and value left (after each use)
 *
 * A revocation is kept in the password's event log (`revoked`, `by device`)
 * and its unused value goes back to the issuer as a return (the credit
 * company refunds its customer). `tessera phone revoke|balance` call these.
 */
import { z } from 'zod';
import { errorResponses } from '../http/app.js';
import type { MerchantApp, MerchantRouteContribution } from '../merchant-api/route-contributions.js';
import { PWTOKEN_ERRORS } from '../../protocol/password/errors.js';
import { PASSWORD_ERRORS } from './errors.js';
import type { Passwords } from './passwords.js';

const serialParam = z.object({ serial: z.string().regex(/^[0-9a-f]{32}$/, 'a serial (32 hex)') }).strict();
export const deviceSignedBody = z
  .object({
    timeMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe("the device's clock when it signed (ms since the epoch); within the presentation window of the TTP's"),
    signature: z.string().regex(/^[0-9a-f]{128}$/, "the device's Ed25519 signature, 128 hex").describe('Ed25519 over "TPR1" (revoke) or "TPS1" (status) ‖ serial 16 bytes ‖ timeMs u64 BE'),
  })
  .strict();
const view = z.object({
  serial: z.string(), state: z.string(), spendable: z.boolean(), amountMinor: z.number().int(), remainingMinor: z.number().int(), currency: z.string(), expiresAtMs: z.number().int(),
  partial: z.boolean(), binding: z.enum(['bearer', 'device', 'keypad']), payee: z.object({ kind: z.enum(['shop', 'category']), id: z.string() }).nullable(), goods: z.array(z.string()), userRestricted: z.boolean(),
});

const ANSWERS = Object.entries({ ...PASSWORD_ERRORS, ...PWTOKEN_ERRORS } as Record<string, { http?: number }>).filter(([, spec]) => spec.http !== undefined).map(([c]) => c);

export function passwordDeviceContribution(passwords: Passwords): MerchantRouteContribution {
  return { name: 'passwords-device', answers: ANSWERS, routes: (app) => passwordDeviceRoutes(app, passwords) };
}

export async function passwordDeviceRoutes(app: MerchantApp, pw: Passwords): Promise<void> {
  const tags = ['device'];
  const signed = (req: { params: unknown; body: unknown }): [string, number, Buffer] => {
    const b = req.body as z.infer<typeof deviceSignedBody>;
    return [(req.params as { serial: string }).serial, b.timeMs, Buffer.from(b.signature, 'hex')];
  };
  app.post(
    '/v1/device/passwords/:serial/revoke',
    { config: { public: true }, schema: { tags, summary: 'The user revokes a device-bound password from the device (its signature, no API key); idempotent', params: serialParam, body: deviceSignedBody, response: { 200: view, ...errorResponses } } },
    async (req) => pw.revokeFromDevice(...signed(req)),
  );
  app.post(
    '/v1/device/passwords/:serial/status',
    { config: { public: true }, schema: { tags, summary: 'The bound device asks its password\'s state and value left (its signature, no API key)', params: serialParam, body: deviceSignedBody, response: { 200: view, ...errorResponses } } },
    async (req) => pw.deviceStatus(...signed(req)),
  );
}
