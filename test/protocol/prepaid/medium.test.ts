/** The prepaid information file (protocol/prepaid/medium.ts, docs/MEDIUM.md): vectors, every malformed file a coded refusal, mirror slots. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../../core/errors.js';
import {
  logKey, mediumKeys, openMediumFile, passwordVerifier, readMediumFile, readSlots, currentFile, slotToWrite, systemPassword, verifyLog,
  LOG_KIND, MEDIUM_FILE_BYTES_MAX, MEDIUM_FILE_BYTES_MIN, type MediumView,
} from '../../../protocol/prepaid/index.js';
import { vectorsMarkdown } from './print-vectors.js';
import { MEDIUM_VECTORS, V_MASTER, V_MEDIUM_ID } from './vectors.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

// The files docs/MEDIUM.md shows, as literal bytes (a change of the format or of the key derivation fails here).
const PINNED = [
  '5453504d010000000001000102030405060708090a0b0c0d0e0f00000001000000014a50590000000000001388000001' +
    '9ad735840001000000000000000000000000000000000000000000000000000000000000000000000001010000000000' +
    '00138800000000000013880000019ad7358400a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a078165a3ebe5c0262564263e86c' +
    '3121e69f23f21353cd4c0694dd835b69fc9a5044366f0863add801d58885d13f2c14f92fe5f7fcdb32208d6a9425bacc' +
    'efe8d8a33a08706e1339a2e82f0bfd635dc87327adf45dea7baa8e1ea0fdf33100b19e13749a6bb7241682ff23ff7fd0' +
    '7305e3',
  '5453504d010000000001000102030405060708090a0b0c0d0e0f00000002000000024a50590000000000000ed8000001' +
    '9ad7366e6002000000000000000000000000000000000000000000000000000000000000000000000001010000000000' +
    '00138800000000000013880000019ad7358400a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0000000020200000000000004b0' +
    '0000000000000ed80000019ad7366e60b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1170f255988a5173d86ee9ebe02334b04' +
    'b5aabdad234438383bf47403292577f143a428b55bb367cf5153e3e3033309c4d5b622931fddc7b8d7f1ec71ed63c59f' +
    'f5e5b292c6a181c5e833fa21e3b1ad3953a5bae06ec9d6da5a640f7ae70712ac91f2439d33a752e9f908df24aac83257',
];

const keysOf = (v: (typeof MEDIUM_VECTORS)[number]) => mediumKeys(V_MASTER, V_MEDIUM_ID, v.keyVersion, v.salt);
const LOG_KEY = logKey(V_MASTER, V_MEDIUM_ID);

/** read + open + log check, as the center does: the code of the first refusal, or 'OK'. */
function judge(bytes: Buffer, v: (typeof MEDIUM_VECTORS)[number]): string {
  try {
    const view = readMediumFile(bytes);
    openMediumFile(view, keysOf(v));
    verifyLog(view, LOG_KEY);
    return 'OK';
  } catch (e) {
    return errorCode(e);
  }
}

/** Recomputes the trailing integrity check (anyone can: it has no key), so the keyed checks are reached. */
function recheck(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  createHash('sha256').update(out.subarray(0, out.length - 16)).digest().copy(out, out.length - 16, 0, 16);
  return out;
}

describe('prepaid information file: vectors', () => {
  it('seals the pinned bytes from the fixed inputs, and docs/MEDIUM.md shows them', () => {
    expect(MEDIUM_VECTORS.map((v) => v.file.toString('hex'))).toEqual(PINNED);
    const doc = readFileSync(join(ROOT, 'docs', 'MEDIUM.md'), 'utf8');
    expect(doc).toContain(vectorsMarkdown());
  });

  it('reads every field back without a key, and opens the sealed part with the generation keys', () => {
    for (const v of MEDIUM_VECTORS) {
      const view = readMediumFile(v.file);
      expect(view).toMatchObject({ formatVersion: 1, issuerId: 1, generation: v.generation, keyVersion: v.keyVersion, currency: 'JPY', displayBalanceMinor: v.balanceMinor, writtenAtMs: v.writtenAtMs });
      expect(view.mediumId.equals(V_MEDIUM_ID)).toBe(true);
      expect(view.log.entries).toEqual(v.entries);
      const secret = openMediumFile(view, keysOf(v));
      expect(secret.balanceMinor).toBe(v.balanceMinor);
      expect(passwordVerifier(secret.password)).toEqual(passwordVerifier(systemPassword(keysOf(v), v.generation)));
      verifyLog(view, LOG_KEY);
    }
    expect(MEDIUM_VECTORS[1]!.entries[1]!.kind).toBe(LOG_KIND.VENDOR_PAYMENT);
    expect(MEDIUM_FILE_BYTES_MIN).toBe(198);
    expect(MEDIUM_FILE_BYTES_MAX).toBe(1638);
  });

  it("refuses another generation's keys (PREPAID_FILE_AUTH_FAILED) and another medium's log key (PREPAID_LOG_FORGED)", () => {
    const [g1, g2] = MEDIUM_VECTORS as [(typeof MEDIUM_VECTORS)[number], (typeof MEDIUM_VECTORS)[number]];
    expect(errorCode(catching(() => openMediumFile(readMediumFile(g2.file), keysOf(g1))))).toBe('PREPAID_FILE_AUTH_FAILED');
    const otherLogKey = logKey(V_MASTER, Buffer.alloc(16, 0xee));
    expect(errorCode(catching(() => verifyLog(readMediumFile(g1.file), otherLogKey)))).toBe('PREPAID_LOG_FORGED');
  });
});

function catching(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return new Error('did not throw');
}

describe('prepaid information file: every malformed file is a coded refusal', () => {
  for (const v of MEDIUM_VECTORS) {
    it(`${v.name}: each byte flipped in turn is refused with a PREPAID_ code, by the check or, with the check recomputed, by the keys`, () => {
      const plain = new Map<string, number>();
      const rechecked = new Map<string, number>();
      expect(judge(v.file, v)).toBe('OK');
      for (let i = 0; i < v.file.length; i++) {
        const bad = Buffer.from(v.file);
        bad[i] = bad[i]! ^ 0xff;
        const a = judge(bad, v);
        plain.set(a, (plain.get(a) ?? 0) + 1);
        if (i < v.file.length - 16) {
          const b = judge(recheck(bad), v);
          rechecked.set(b, (rechecked.get(b) ?? 0) + 1);
        }
      }
      for (const code of [...plain.keys(), ...rechecked.keys()]) expect(code).toMatch(/^PREPAID_/);
      // Without a key, the integrity check catches a flip anywhere past the version byte.
      expect(plain.get('PREPAID_FILE_CHECK_FAILED')).toBeGreaterThan(v.file.length - 10);
      // With the check forged, the first key's AEAD (or a field's range) still refuses every flip.
      expect(rechecked.get('OK')).toBeUndefined();
      expect(rechecked.get('PREPAID_FILE_AUTH_FAILED')).toBeGreaterThan(v.file.length / 2);
    });

    it(`${v.name}: every truncation and an extension are refused with a PREPAID_ code`, () => {
      for (let n = 0; n < v.file.length; n++) {
        const code = errorCode(catching(() => readMediumFile(v.file.subarray(0, n))));
        expect(code, `length ${n}`).toMatch(n < 4 ? /^PREPAID_FILE_TRUNCATED$/ : /^PREPAID_FILE_(TRUNCATED|BAD_MAGIC)$/);
      }
      expect(errorCode(catching(() => readMediumFile(Buffer.concat([v.file, Buffer.from([0])]))))).toBe('PREPAID_FILE_MALFORMED');
    });
  }

  it('refuses random bytes and random mutations with PREPAID_ codes only (fuzz)', () => {
    const base = MEDIUM_VECTORS[1]!;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
          fc.array(fc.tuple(fc.nat(base.file.length - 17), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
            const b = Buffer.from(base.file);
            for (const [at, x] of edits) b[at] = b[at]! ^ x;
            return recheck(b);
          }),
        ),
        (bytes) => {
          expect(judge(bytes, base)).toMatch(/^PREPAID_/);
        },
      ),
      { numRuns: 300, seed: 4242 },
    );
  });
});

describe('mirror slots: one readable generation after any tear', () => {
  const [g1, g2] = MEDIUM_VECTORS as [(typeof MEDIUM_VECTORS)[number], (typeof MEDIUM_VECTORS)[number]];
  const gen = (v: MediumView | undefined) => v?.generation;

  it('reads the higher whole generation, and writes the next one into the other slot', () => {
    const s = readSlots(g1.file, g2.file);
    expect(gen(currentFile(s))).toBe(2);
    expect(s.current?.slot).toBe(1);
    expect(slotToWrite(s)).toBe(0);
    expect(slotToWrite(readSlots(undefined, undefined))).toBe(0);
  });

  it('keeps generation 1 current when the write of generation 2 into the other slot tore (truncated, partial bytes, absent)', () => {
    const torn = [
      g2.file.subarray(0, 100), // truncated
      Buffer.concat([g2.file.subarray(0, 150), Buffer.alloc(g2.file.length - 150)]), // preallocated, partly written
      undefined, // power cut before the rename: the slot never appeared
    ];
    for (const t of torn) {
      const s = readSlots(g1.file, t);
      expect(gen(currentFile(s))).toBe(1);
      expect(slotToWrite(s)).toBe(1); // the retry goes to the torn slot again, never over generation 1
      expect(s.slots[1].code ?? 'EMPTY').toMatch(/^(PREPAID_FILE_|EMPTY)/);
    }
  });

  it('answers PREPAID_NO_READABLE_SLOT, naming each slot, when neither slot is whole', () => {
    const e = catching(() => currentFile(readSlots(g1.file.subarray(0, 10), undefined)));
    expect(errorCode(e)).toBe('PREPAID_NO_READABLE_SLOT');
    expect((e as { details: unknown }).details).toEqual({ slotA: 'PREPAID_FILE_TRUNCATED', slotB: 'EMPTY' });
  });
});
