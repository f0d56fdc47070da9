/** The bank cash card codec against the literal vectors of sim/CARD.md ("The bank cash card"). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CASH_CARD_AID,
  CASH_CARD_ATR,
  decodeCashCardAccount,
  decodeCashCardCommand,
  decodeCashCardSelect,
  encodeCashCardAccount,
  encodeCashCardCommand,
  selectCashCardCommand,
  splitCashCardResponse,
} from '../../../protocol/cashcard/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ACCOUNT = { bankCode: '0001', branchCode: '001', accountNumber: '1234567' };

describe('cash card identification', () => {
  it('has the documented ATR and AID', () => {
    expect(CASH_CARD_ATR.toString('hex')).toBe(
      '3b' + //                     TS
        '89' + //                   T0: TD1 present, 9 historical bytes
        '80' + //                   TD1: TD2 present, T=0
        '01' + //                   TD2: T=1
        '42414e4b43415348' + //     "BANKCASH"
        '01' + //                   version
        '16', //                    TCK
    );
    expect(CASH_CARD_AID.toString('hex')).toBe('f0' + '42414e4b43415348' + '01');
  });
});

describe('cash card commands (terminal encodes, card decodes)', () => {
  const vectors = [
    {
      name: 'SELECT',
      command: selectCashCardCommand(),
      bytes: hex('00 A4 04 00' + '0A' + 'F042414E4B4341534801' + '00'), // header, Lc 10, AID, Le
    },
    { name: 'READ ACCOUNT', command: { kind: 'readAccount' as const }, bytes: hex('80 50 00 00' + '0E') }, // header, Le 14
  ];
  for (const v of vectors) {
    it(`${v.name}: encodes to the vector, decodes back`, () => {
      expect(encodeCashCardCommand(v.command).toString('hex')).toBe(v.bytes.toString('hex'));
      expect(decodeCashCardCommand(v.bytes)).toEqual({ ok: true, command: v.command });
    });
  }

  it('answers the documented status words to malformed commands', () => {
    const sw = (s: string) => {
      const r = decodeCashCardCommand(hex(s));
      return r.ok ? 0x9000 : r.sw;
    };
    expect(sw('80 50 00 00 01 00')).toBe(0x6700); // data with READ ACCOUNT
    expect(sw('80 50')).toBe(0x6700); // shorter than a header
    expect(sw('80 50 01 00 0E')).toBe(0x6a86); // P1 01
    expect(sw('00 A4 00 00 0A F042414E4B4341534801 00')).toBe(0x6a86); // SELECT by P1 00
    expect(sw('00 20 00 01 04 31323334')).toBe(0x6d00); // VERIFY: no PIN on this card
    expect(sw('00 50 00 00 0E')).toBe(0x6e00); // READ ACCOUNT with CLA 00
    expect(sw('00 A4 04 00 00')).toBe(0x6700); // SELECT without an AID (Le only)
  });
});

describe('cash card responses', () => {
  it('READ ACCOUNT: 14 ASCII digits, bank ‖ branch ‖ account', () => {
    const rapdu = hex(
      '30303031' + //           "0001" bank code
        '303031' + //           "001"  branch code
        '31323334353637' + //   "1234567" account number
        '9000', //              SW
    );
    const { data, sw } = splitCashCardResponse(rapdu);
    expect(sw).toBe(0x9000);
    expect(decodeCashCardAccount(data)).toEqual(ACCOUNT);
    expect(encodeCashCardAccount(ACCOUNT).toString('hex')).toBe(data.toString('hex'));
  });

  it('SELECT answers the application version 01', () => {
    const { data, sw } = splitCashCardResponse(hex('01 9000'));
    expect(sw).toBe(0x9000);
    expect(decodeCashCardSelect(data)).toBe(1);
  });

  it('malformed responses are CASHCARD_BAD_RESPONSE, bad accounts CASHCARD_BAD_ARGUMENT', () => {
    const bad = expect.objectContaining({ code: 'CASHCARD_BAD_RESPONSE' });
    expect(() => splitCashCardResponse(hex('90'))).toThrow(bad);
    expect(() => decodeCashCardAccount(hex('30303031303031313233343536'))).toThrow(bad); // 13 bytes
    expect(() => decodeCashCardAccount(hex('303030313030313132333435363738'))).toThrow(bad); // 15 bytes
    expect(() => decodeCashCardAccount(hex('3030303130303131323334353620'))).toThrow(bad); // a space
    expect(() => decodeCashCardAccount(hex('30303041303031313233343536 37'))).toThrow(bad); // "A" in the bank code
    expect(() => decodeCashCardSelect(hex('02'))).toThrow(bad);
    expect(() => decodeCashCardSelect(hex(''))).toThrow(bad);
    expect(() => encodeCashCardAccount({ ...ACCOUNT, bankCode: '001' })).toThrow(expect.objectContaining({ code: 'CASHCARD_BAD_ARGUMENT' }));
    expect(() => encodeCashCardAccount({ ...ACCOUNT, accountNumber: '123456a' })).toThrow(expect.objectContaining({ code: 'CASHCARD_BAD_ARGUMENT' }));
  });

  it('any well-formed account round-trips; any 14 bytes decode to an account or fail coded', () => {
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
    fc.assert(
      fc.property(digits(4), digits(3), digits(7), (bankCode, branchCode, accountNumber) => {
        const a = { bankCode, branchCode, accountNumber };
        expect(decodeCashCardAccount(encodeCashCardAccount(a))).toEqual(a);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 20 }), (bytes) => {
        try {
          const a = decodeCashCardAccount(Buffer.from(bytes));
          expect(encodeCashCardAccount(a)).toEqual(Buffer.from(bytes));
        } catch (e) {
          expect(e).toMatchObject({ code: 'CASHCARD_BAD_RESPONSE' });
        }
      }),
    );
  });
});
