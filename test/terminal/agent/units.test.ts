/** Unit tests of the agent's small parts: role registry, scripted keypad, work queue, error registry. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { TERM_ERRORS } from '../../../terminal/agent/errors.js';
import { keypadUntil, ScriptedKeypad, type Keypad } from '../../../terminal/agent/keypad.js';
import { termError } from '../../../terminal/agent/errors.js';
import { errorOutcome } from '../../../terminal/agent/outcomes.js';
import { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import { builtinRoles } from '../../../terminal/agent/roles/builtin.js';
import { WorkQueue } from '../../../terminal/agent/work-queue.js';
import { parseTerminalConfig } from '../../../terminal/config/load.js';
import { devError } from '../../../terminal/devices/errors.js';

const config = (role: string) =>
  parseTerminalConfig({ terminalId: 'T-1', keyFile: 'k', role, centers: [{ host: 'h', port: 1 }], devices: { reader: { namePattern: 'x' } }, journal: 'j' });

describe('role registry', () => {
  it('builds the configured role; an unregistered one is TERM_UNKNOWN_ROLE naming the known roles', () => {
    expect(builtinRoles().create(config('validity-pos')).name).toBe('validity-pos');
    expect(() => new RoleRegistry().register('validity-pos', () => ({ name: 'validity-pos' })).create(config('vending'))).toThrow(
      expect.objectContaining({ code: 'TERM_UNKNOWN_ROLE', details: { role: 'vending', known: ['validity-pos'] } }),
    );
    const r = new RoleRegistry().register('shop', () => ({ name: 'shop' }));
    expect(() => r.register('shop', () => ({ name: 'shop' }))).toThrow();
  });
});

describe('scripted keypad', () => {
  it('hands out entries per prompt in order, waits for a push, times out with TERM_INPUT_TIMEOUT', async () => {
    const clock = new ManualClock();
    const k = new ScriptedKeypad(clock);
    k.push('amount', '1200');
    k.push('pin', '1234');
    k.push('amount', '300');
    expect(await k.read('pin')).toBe('1234');
    expect(await k.read('amount')).toBe('1200');
    expect(await k.read('amount')).toBe('300');
    const waiting = k.read('confirm');
    k.push('confirm', 'yes');
    expect(await waiting).toBe('yes');
    const late = k.read('pin', { timeoutMs: 50 });
    clock.advance(50);
    await expect(late).rejects.toThrow(expect.objectContaining({ code: 'TERM_INPUT_TIMEOUT' }));
    expect(k.pending).toBe(0);
  });

  it('a wait ends at once when its signal aborts (the card left), and the entry keyed later goes to the next read, not the ended one', async () => {
    const k = new ScriptedKeypad(new ManualClock());
    const card = new AbortController();
    const ended = k.read('amount', { signal: card.signal });
    expect(k.waiting).toEqual(['amount']);
    card.abort(termError('TERM_CARD_REMOVED', 'the card was removed during the flow'));
    await expect(ended).rejects.toThrow(expect.objectContaining({ code: 'TERM_CARD_REMOVED' }));
    expect(k.waiting).toEqual([]);
    const next = k.read('amount');
    k.push('amount', '300');
    expect(await next).toBe('300');
    await expect(k.read('pin', { signal: card.signal })).rejects.toThrow(expect.objectContaining({ code: 'TERM_CARD_REMOVED' }));
  });

  it('keypadUntil ends the waits of a keypad that ignores the signal', async () => {
    const deaf: Keypad = { read: () => new Promise<string>(() => undefined) };
    const card = new AbortController();
    const read = keypadUntil(deaf, card.signal).read('pin');
    card.abort(termError('TERM_CARD_REMOVED', 'the card was removed during the flow'));
    await expect(read).rejects.toThrow(expect.objectContaining({ code: 'TERM_CARD_REMOVED' }));
  });
});

describe('work queue', () => {
  it('runs jobs one at a time in order, a failure does not stop the next, and is bounded', async () => {
    const q = new WorkQueue(3);
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = q.push(async () => {
      log.push('a start');
      await gate;
      log.push('a end');
    });
    const b = q.push(async () => {
      log.push('b');
      throw new Error('b failed');
    });
    const c = q.push(async () => log.push('c'));
    expect(q.full).toBe(true);
    expect(() => q.push(async () => undefined)).toThrow();
    release();
    await a;
    await expect(b).rejects.toThrow('b failed');
    await c;
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
    await q.idle();
    expect(q.size).toBe(0);
  });
});

describe('outcomes and the TERM_ registry', () => {
  it('maps card device codes to TERM_ codes, keeps other codes, and uncoded errors are TERM_ROLE_FAILED', () => {
    expect(errorOutcome(devError('DEV_CARD_REMOVED', 'x'))).toEqual({ result: 'error', code: 'TERM_CARD_REMOVED', details: { deviceCode: 'DEV_CARD_REMOVED' } });
    expect(errorOutcome(devError('DEV_PIN_BLOCKED', 'x')).code).toBe('DEV_PIN_BLOCKED');
    expect(errorOutcome(new Error('boom'))).toMatchObject({ result: 'error', code: 'TERM_ROLE_FAILED' });
  });

  it('pins the registry codes (operators and roles depend on them)', () => {
    expect(Object.keys(TERM_ERRORS)).toMatchInlineSnapshot(`
      [
        "TERM_CONFIG_UNREADABLE",
        "TERM_CONFIG_INVALID",
        "TERM_KEY_FILE",
        "TERM_KEY_FILE_PERMISSIONS",
        "TERM_UNKNOWN_ROLE",
        "TERM_JOURNAL_OPEN",
        "TERM_JOURNAL_FULL",
        "TERM_JOURNAL_DUPLICATE",
        "TERM_JOURNAL_MISMATCH",
        "TERM_JOURNAL_UNKNOWN_ENTRY",
        "TERM_FOREIGN_CARD",
        "TERM_CARD_REMOVED",
        "TERM_CARD_UNREADABLE",
        "TERM_CARD_NAK",
        "TERM_CENTER_UNREACHABLE",
        "TERM_CENTER_REFUSED",
        "TERM_TX_UNANSWERED",
        "TERM_TX_DECLINED",
        "TERM_FLOW_TIMEOUT",
        "TERM_INPUT_TIMEOUT",
        "TERM_ROLE_FAILED",
        "TERM_NOT_SUPPORTED",
        "TERM_BUSY",
        "TERM_ENTRY_INVALID",
        "TERM_BALANCE_INSUFFICIENT",
        "TERM_CURRENCY_MISMATCH",
        "TERM_DEBIT_UNCONFIRMED",
        "TERM_DEBIT_UNRECORDED",
        "TERM_SETTLE_FAILED",
        "TERM_SETTLE_TIMEOUT",
        "TERM_ITEM_UNKNOWN",
        "TERM_BASKET_FULL",
        "TERM_CHARGE_ENTRY_INVALID",
        "TERM_CHARGE_DECLINED",
        "TERM_CHARGE_IN_DOUBT",
        "TERM_CHARGE_WRONG_CARD",
        "TERM_CHARGE_ABANDONED",
        "TERM_CASHBOX_EMPTY",
        "TERM_KEYPAD_FULL",
        "TERM_JOURNAL_IN_USE",
        "TERM_ROLE_COMPOSITION",
        "TERM_VOUCHER_SCAN_INVALID",
        "TERM_VOUCHER_AMOUNT_INVALID",
        "TERM_VOUCHER_REFUSED",
        "TERM_VOUCHER_SALE_VOIDED",
        "TERM_VOUCHER_VOID_PENDING",
        "TERM_VOUCHER_VOID_UNKNOWN",
        "TERM_PASSWORD_SCAN_INVALID",
        "TERM_PASSWORD_AMOUNT_INVALID",
        "TERM_PASSWORD_DECLINED",
        "TERM_PASSWORD_UNANSWERED",
        "TERM_PREPAID_NO_PAYMENT",
        "TERM_PREPAID_REFUSED",
        "TERM_PREPAID_NOT_WRITTEN",
        "TERM_PREPAID_MEDIUM_IN_USE",
      ]
    `);
  });
});
