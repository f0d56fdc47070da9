/** Pieces of the provider-kiosk role that the real-stack test (test/e2e/emoney-kiosk.test.ts) does not pin one by one. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultCodeName as centerResultCodeName, resultCodeOf } from '../../../center/emoney/result-codes.js';
import { SeededRandom } from '../../../core/random.js';
import { pinBlockFormat2 } from '../../../protocol/crypto/seal.js';
import { builtinRoles } from '../../../terminal/agent/roles/builtin.js';
import { decodeCharge, encodeCharge } from '../../../terminal/agent/roles/provider-kiosk/charge-entry.js';
import { PinVault } from '../../../terminal/agent/roles/provider-kiosk/pin-vault.js';
import { KIOSK_RESULT_CODES, resultCodeName } from '../../../terminal/agent/roles/provider-kiosk/result-codes.js';
import { parseKioskSettings } from '../../../terminal/agent/roles/provider-kiosk/settings.js';
import { parseTerminalConfig } from '../../../terminal/config/load.js';
import { KIOSK_LIMITS } from '../../../terminal/limits.js';

const CHARGE_ID = '0f'.repeat(16);
const account = { bankCode: '0001', branchCode: '001', accountNumber: '1000001' };

describe('provider-kiosk role', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-kiosk-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = (byte: number): string => {
    const f = join(dir, `k${byte}.key`);
    writeFileSync(f, Buffer.alloc(32, byte).toString('hex'), { mode: 0o600 });
    return f;
  };

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
      chargeRepeatWindowMs: KIOSK_LIMITS.chargeRepeatWindowMsDefault,
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

  it('seals the bank PIN block per charge under the terminal key: opens only with that key and that charge id, never holds the PIN in clear', () => {
    const block = pinBlockFormat2('1111');
    const vault = new PinVault(keyFile(1));
    const sealed = vault.seal(CHARGE_ID, block, new SeededRandom(3));
    expect(sealed).not.toContain(block.toString('hex'));
    expect(sealed).not.toContain(Buffer.from('1111').toString('hex'));
    expect(vault.open(CHARGE_ID, sealed)).toEqual(block);
    expect(new PinVault(keyFile(1)).open(CHARGE_ID, sealed)).toEqual(block); // after a restart: same key file
    expect(new PinVault(keyFile(2)).open(CHARGE_ID, sealed)).toBeNull(); // another terminal key
    expect(vault.open('1e'.repeat(16), sealed)).toBeNull(); // another charge
    expect(vault.open(CHARGE_ID, sealed.slice(0, -2) + (sealed.endsWith('00') ? '01' : '00'))).toBeNull(); // altered
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
