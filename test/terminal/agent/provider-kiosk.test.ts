/** Pieces of the provider-kiosk role that the real-stack test (test/e2e/emoney-kiosk.test.ts) does not pin one by one. */
import { describe, expect, it } from 'vitest';
import { resultCodeName as centerResultCodeName, resultCodeOf } from '../../../center/emoney/result-codes.js';
import { formatOperatorError } from '../../../core/errors.js';
import { builtinRoles } from '../../../terminal/agent/roles/builtin.js';
import { decodeCharge, encodeCharge } from '../../../terminal/agent/roles/emoney/provider-kiosk/charge-entry.js';
import { KIOSK_RESULT_CODES, resultCodeName } from '../../../terminal/agent/roles/emoney/provider-kiosk/result-codes.js';
import { parseKioskSettings } from '../../../terminal/agent/roles/emoney/provider-kiosk/settings.js';
import { parseTerminalConfig } from '../../../terminal/config/load.js';
import { KIOSK_LIMITS } from '../../../terminal/limits.js';

const account = { bankCode: '0001', branchCode: '001', accountNumber: '1000001' };

describe('provider-kiosk role', () => {
  it('is a builtin role; bad roleSettings stop it at creation with TERM_CONFIG_INVALID naming the field', () => {
    const config = (roleSettings: Record<string, unknown>) =>
      parseTerminalConfig({ terminalId: 'KIOSK-1', keyFile: 'k', role: 'provider-kiosk', centers: [{ host: 'h', port: 1 }], devices: { reader: { namePattern: 'x' } }, journal: 'j', roleSettings });
    expect(builtinRoles().create(config({})).name).toBe('provider-kiosk');
    expect(() => builtinRoles().create(config({ awaitCardMs: -1 }))).toThrow(expect.objectContaining({ code: 'TERM_CONFIG_INVALID', details: { problems: [expect.stringContaining('roleSettings.awaitCardMs')] } }));
    expect(() => parseKioskSettings({ currency: 'yen' })).toThrow(expect.objectContaining({ code: 'TERM_CONFIG_INVALID' }));
    expect(parseKioskSettings({})).toEqual({
      currency: 'JPY',
      amountMinorMax: KIOSK_LIMITS.chargeAmountMinorMaxDefault,
      awaitCardMs: KIOSK_LIMITS.awaitCardMsDefault,
      boundKeepMs: KIOSK_LIMITS.boundKeepMsDefault,
    });
  });

  it('names every RESULT_CODE exactly as the center does', () => {
    for (const [n, name] of Object.entries(KIOSK_RESULT_CODES)) {
      expect(centerResultCodeName(Number(n))).toBe(name);
      expect(resultCodeOf(name as Parameters<typeof resultCodeOf>[0])).toBe(Number(n));
    }
    // ...and the center has no code the kiosk would not name.
    for (let n = 0; n <= 0x03ff; n++) expect(resultCodeName(n)).toBe(centerResultCodeName(n));
  });

  it('refuses the removed chargeRepeatWindowMs (charges are never repeated) with TERM_CONFIG_INVALID naming the field and the remedy, beside any other bad field', () => {
    const config = (roleSettings: Record<string, unknown>) =>
      parseTerminalConfig({ terminalId: 'KIOSK-1', keyFile: 'k', role: 'provider-kiosk', centers: [{ host: 'h', port: 1 }], devices: { reader: { namePattern: 'x' } }, journal: 'j', roleSettings });
    const removed = 'roleSettings.chargeRepeatWindowMs: no longer used: an unanswered charge is given up (CHARGE_ABANDON), never repeated; remove this field';
    let thrown: unknown;
    try {
      builtinRoles().create(config({ chargeRepeatWindowMs: 120_000 }));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'TERM_CONFIG_INVALID', details: { problems: [removed] } });
    const shown = formatOperatorError(thrown);
    expect(shown).toContain(`TERM_CONFIG_INVALID: role provider-kiosk: ${removed}`);
    expect(shown).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
    // Refused whatever its value, and listed with the other problems (not hidden behind an "unrecognized key").
    expect(() => parseKioskSettings({ chargeRepeatWindowMs: 0 })).toThrow(expect.objectContaining({ details: { problems: [removed] } }));
    expect(() => parseKioskSettings({ chargeRepeatWindowMs: 1, awaitCardMs: -1 })).toThrow(
      expect.objectContaining({ code: 'TERM_CONFIG_INVALID', details: { problems: [removed, expect.stringContaining('roleSettings.awaitCardMs')] } }),
    );
    expect(parseKioskSettings({ awaitCardMs: 1_000 })).not.toHaveProperty('chargeRepeatWindowMs');
  });

  it('journals an unanswered charge with no PIN block in any form: a row of the old build (sealed PIN, `pinSealed`) still reads, the field dropped; writing it is refused', () => {
    const requested = { stage: 'requested' as const, account, amountMinor: 3_000, currency: 'JPY', requestedAtMs: 1_764_590_000_000 };
    expect(decodeCharge(encodeCharge(requested))).toEqual(requested);
    expect(() => encodeCharge({ ...requested, pinSealed: 'ab' } as never)).toThrow();
    // A `requested` row exactly as the previous build wrote it (PIN 1111 sealed by its pin-vault.ts).
    const oldRow = Buffer.from(
      '{"stage":"requested","account":{"bankCode":"0001","branchCode":"001","accountNumber":"1000001"},"amountMinor":3000,"currency":"JPY","requestedAtMs":1764590000000,' +
        '"pinSealed":"afbeda737d26efd59e7a9dc57944a8c552b410c60415bfd28891d77489bf41a396a320b3"}',
    );
    const read = decodeCharge(oldRow);
    expect(read).toEqual(requested);
    expect(read).not.toHaveProperty('pinSealed');
    // Re-encoded (as every step change does), nothing of it is written back.
    expect(encodeCharge(read!).toString()).not.toContain('pinSealed');
    // Only that shape is forgiven: on another stage, or not the old hex, the row is not ours.
    expect(decodeCharge(Buffer.from(JSON.stringify({ stage: 'approved', account, amountMinor: 3_000, currency: 'JPY', approvedAtMs: 5, pinSealed: 'ab' })))).toBeNull();
    expect(decodeCharge(Buffer.from(JSON.stringify({ ...requested, pinSealed: 'PIN 1111' })))).toBeNull();
  });

  it('journals charge steps as validated JSON; anything else decodes to null', () => {
    const approved = { stage: 'approved' as const, account, amountMinor: 3_000, currency: 'JPY', approvedAtMs: 5 };
    expect(decodeCharge(encodeCharge(approved))).toEqual(approved);
    expect(() => encodeCharge({ ...approved, amountMinor: 0 })).toThrow();
    expect(decodeCharge(Buffer.from('{"stage":"approved"}'))).toBeNull();
    expect(decodeCharge(Buffer.from('not json'))).toBeNull();
    expect(decodeCharge(Buffer.from(JSON.stringify({ ...approved, pin: '1111' })))).toBeNull(); // strict: no stray fields
  });
});
