import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  creditMacInput,
  creditReceiptMac,
  decodeCommand,
  decodePurseState,
  decodeReadId,
  decodeReceipt,
  debitMac,
  debitMacInput,
  deriveCardKeys,
  encodeCommand,
  encodePurseState,
  encodeReceipt,
  hostCreditMac,
  PURSE_ATR,
  pinTriesFromSw,
  splitResponse,
  SW,
  swPinWrong,
  type PurseCommand,
} from '../../../protocol/purse/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Issuer master key 00 01 .. 1f, card id 01 02 .. 08 (the vectors of sim/CARD.md).
const MASTER_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const CARD_ID = '0102030405060708';
const NONCE = hex('a1a2a3a4a5a6a7a8');

describe('purse key diversification and MACs (CARD.md vectors)', () => {
  const keys = deriveCardKeys(MASTER_KEY, CARD_ID);

  it('derives the card and host MAC keys', () => {
    expect(keys.cardMacKey.toString('hex')).toBe('dc470c5de4c0c84ca03916f6c0dda615e4b6b463ab93af3233e9a188c54f6177');
    expect(keys.hostMacKey.toString('hex')).toBe('de877d38eaf783d1b18f3c4fc9690ebf2dbf13fc4b2f91933a7c2d5ed63c988a');
  });

  it('computes the debit MAC over the documented 51-byte input', () => {
    const input = { cardId: CARD_ID, counter: 8, amountMinor: 1500, currency: 'JPY', terminalId: 'POS-0001', terminalNonce: NONCE };
    const expected = hex(
      '54535044' + //                           "TSPD"
        '0102030405060708' + //                 card id
        '00000008' + //                         counter after the debit
        '00000000000005dc' + //                 amount 1500
        '4a5059' + //                           "JPY"
        '504f532d303030310000000000000000' + // "POS-0001" zero-padded to 16 bytes
        'a1a2a3a4a5a6a7a8', //                  terminal nonce
    );
    expect(debitMacInput(input).toString('hex')).toBe(expected.toString('hex'));
    expect(debitMacInput(input)).toHaveLength(51);
    expect(debitMac(keys.cardMacKey, input).toString('hex')).toBe('de5043815fe84eb2');
  });

  it('computes the host credit MAC and the card credit receipt', () => {
    const credit = { cardId: CARD_ID, counter: 7, amountMinor: 10_000, currency: 'JPY' };
    expect(creditMacInput(credit).toString('hex')).toBe(
      '54535043' + '0102030405060708' + '00000007' + '0000000000002710' + '4a5059', // "TSPC" id counter amount "JPY"
    );
    expect(hostCreditMac(keys.hostMacKey, credit).toString('hex')).toBe('d1cd5281d71fa6b1');
    const receipt = { cardId: CARD_ID, counter: 8, amountMinor: 10_000, currency: 'JPY', balanceMinor: 12_000 };
    expect(creditReceiptMac(keys.cardMacKey, receipt).toString('hex')).toBe('cda44ba50ba0d1ff');
  });

  it('refuses keys of the wrong size and malformed card ids with coded errors', () => {
    expect(() => deriveCardKeys(Buffer.alloc(16), CARD_ID)).toThrow(expect.objectContaining({ code: 'PURSE_BAD_KEY' }));
    expect(() => deriveCardKeys(MASTER_KEY, '01020304')).toThrow(expect.objectContaining({ code: 'PURSE_BAD_ARGUMENT' }));
  });
});

// Command vectors: [name, command, literal APDU]
const COMMANDS: Array<[string, PurseCommand, string]> = [
  ['SELECT', { kind: 'select', aid: hex('f05445535345524101') }, '00 a4 04 00 09 f05445535345524101 00'],
  ['VERIFY PIN', { kind: 'verifyPin', pin: '1234' }, '00 20 00 01 04 31323334'],
  ['VERIFY (query tries)', { kind: 'verifyPin', pin: null }, '00 20 00 01'],
  ['READ ID', { kind: 'readId' }, '80 10 00 00 08'],
  ['READ PURSE', { kind: 'readPurse' }, '80 30 00 00 0f'],
  [
    'CREDIT',
    { kind: 'credit', amountMinor: 10_000, hostMac: hex('d1cd5281d71fa6b1') },
    '80 32 00 00 10' + ' 0000000000002710' + ' d1cd5281d71fa6b1' + ' 14', // header Lc | amount | host MAC | Le
  ],
  [
    'DEBIT',
    { kind: 'debit', amountMinor: 1500, terminalId: 'POS-0001', terminalNonce: NONCE },
    '80 34 00 00 20' + ' 00000000000005dc' + ' 504f532d303030310000000000000000' + ' a1a2a3a4a5a6a7a8' + ' 14',
  ],
];

describe('purse command codec', () => {
  for (const [name, command, apdu] of COMMANDS) {
    it(`${name}: encodes to the literal bytes and decodes back`, () => {
      expect(encodeCommand(command).toString('hex')).toBe(hex(apdu).toString('hex'));
      const decoded = decodeCommand(hex(apdu));
      expect(decoded).toEqual({ ok: true, command });
    });
  }

  // Error vectors: [literal APDU, status word the card answers]
  const ERRORS: Array<[string, number]> = [
    ['00a4', SW.wrongLength], //                              shorter than a header
    ['00a40400 05 f054', SW.wrongLength], //                  Lc says 5, 2 bytes follow
    ['00a40400 00', SW.wrongLength], //                       Lc 0 (extended length) with nothing after
    ['80ff0000', SW.insNotSupported], //                      unknown INS
    ['00300000 0f', SW.claNotSupported], //                   READ PURSE with ISO class
    ['00a40100 01 aa', SW.wrongP1P2], //                      SELECT by file id
    ['00200001 03 313233', SW.wrongData], //                  3-digit PIN
    ['00200001 04 3132333a', SW.wrongData], //                PIN not digits
    ['80320000 08 0000000000002710', SW.wrongLength], //      CREDIT without MAC
    ['80320000 10 0000000000000000 d1cd5281d71fa6b1', SW.wrongData], // CREDIT of 0
    ['80340000 20 00000000000005dc 706f732d3030303100000000000000 00 a1a2a3a4a5a6a7a8', SW.wrongData], // lowercase terminal id
    ['80340000 20 00000000000005dc 504f5300303030310000000000000000 a1a2a3a4a5a6a7a8', SW.wrongData], // bytes after the padding
    ['80100000 01 00', SW.wrongLength], //                    READ ID with data
  ];
  for (const [apdu, sw] of ERRORS) {
    it(`answers ${sw.toString(16)} to ${apdu}`, () => {
      expect(decodeCommand(hex(apdu))).toEqual({ ok: false, sw });
    });
  }

  it('rejects out-of-range fields when encoding', () => {
    const bad: PurseCommand[] = [
      { kind: 'debit', amountMinor: 0, terminalId: 'T1', terminalNonce: NONCE },
      { kind: 'debit', amountMinor: 1.5, terminalId: 'T1', terminalNonce: NONCE },
      { kind: 'debit', amountMinor: 1, terminalId: 'toolongterminalid', terminalNonce: NONCE },
      { kind: 'debit', amountMinor: 1, terminalId: 'T1', terminalNonce: Buffer.alloc(7) },
      { kind: 'verifyPin', pin: '12' },
      { kind: 'credit', amountMinor: 5, hostMac: Buffer.alloc(4) },
    ];
    for (const c of bad) expect(() => encodeCommand(c)).toThrow(expect.objectContaining({ code: 'PURSE_BAD_ARGUMENT' }));
  });

  it('never throws on random bytes and round-trips every valid command (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const decoded = decodeCommand(Buffer.from(bytes));
        if (decoded.ok) expect(decodeCommand(encodeCommand(decoded.command))).toEqual(decoded);
        else expect(decoded.sw).toBeGreaterThanOrEqual(0x6000);
      }),
      { numRuns: 2000 },
    );
    const amount = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    const terminalId = fc.stringMatching(/^[A-Z0-9-]{1,16}$/);
    const nonce = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(amount, terminalId, nonce, (amountMinor, id, n) => {
        const command: PurseCommand = { kind: 'debit', amountMinor, terminalId: id, terminalNonce: n };
        expect(decodeCommand(encodeCommand(command))).toEqual({ ok: true, command });
      }),
    );
  });
});

describe('purse response codec', () => {
  it('READ ID: 8 bytes to 16 hex chars', () => {
    const { data, sw } = splitResponse(hex('0102030405060708 9000'));
    expect(sw).toBe(SW.ok);
    expect(decodeReadId(data)).toBe(CARD_ID);
  });

  it('READ PURSE: balance u64 | counter u32 | currency', () => {
    const bytes = hex('0000000000002ee0' + '00000007' + '4a5059'); // 12000, counter 7, "JPY"
    const state = decodePurseState(bytes);
    expect(state).toEqual({ balanceMinor: 12_000, counter: 7, currency: 'JPY' });
    expect(encodePurseState(state).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('DEBIT receipt: balance u64 | counter u32 | card MAC', () => {
    const bytes = hex('0000000000002904' + '00000008' + 'de5043815fe84eb2'); // 10500, counter 8, MAC
    const receipt = decodeReceipt(bytes);
    expect(receipt.balanceMinor).toBe(10_500);
    expect(receipt.counter).toBe(8);
    expect(encodeReceipt(receipt).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('pins the error code of malformed responses', () => {
    expect(() => splitResponse(hex('90'))).toThrow(expect.objectContaining({ code: 'PURSE_BAD_RESPONSE' }));
    expect(() => decodeReadId(hex('0102'))).toThrow(expect.objectContaining({ code: 'PURSE_BAD_RESPONSE' }));
    expect(() => decodePurseState(hex('0000000000002ee0 00000007 6a7079'))).toThrow(expect.objectContaining({ code: 'PURSE_BAD_RESPONSE' }));
    expect(() => decodeReceipt(hex('ffffffffffffffff 00000001 0000000000000000'))).toThrow(expect.objectContaining({ code: 'PURSE_BAD_RESPONSE' }));
  });

  it('status words: 63Cx carries the tries left', () => {
    expect(swPinWrong(2)).toBe(0x63c2);
    expect(pinTriesFromSw(0x63c0)).toBe(0);
    expect(pinTriesFromSw(0x9000)).toBeNull();
  });

  it('ATR offers T=1 with a correct TCK', () => {
    expect(PURSE_ATR.toString('hex')).toBe('3b88800154455353455241014f');
    expect(PURSE_ATR.subarray(1).reduce((x, b) => x ^ b, 0)).toBe(0);
  });
});
