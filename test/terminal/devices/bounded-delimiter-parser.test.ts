import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedDelimiterParser } from '../../../terminal/devices/serial/bounded-delimiter-parser.js';

type Fed = { lines: string[]; tooLong: number[]; unterminated: number[] };

function parserInto(out: Fed, end: string | 'ANY', max: number): BoundedDelimiterParser {
  return new BoundedDelimiterParser(end === 'ANY' ? 'ANY' : Buffer.from(end), max, {
    line: (line) => void (line.length > 0 && out.lines.push(line.toString('latin1'))),
    rejected: (code, bytes) => void (code === 'DEV_SCAN_TOO_LONG' ? out.tooLong : out.unterminated).push(bytes),
  });
}

/** Feeds chunks (an `'IDLE'` entry stands for the line going quiet); empty lines are left out, as the driver skips them. */
function feed(chunks: Array<Buffer | 'IDLE'>, end: string | 'ANY', max: number): Fed {
  const out: Fed = { lines: [], tooLong: [], unterminated: [] };
  const parser = parserInto(out, end, max);
  for (const c of chunks) {
    if (c === 'IDLE') parser.idle();
    else parser.write(c);
  }
  return out;
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('BoundedDelimiterParser', () => {
  it('splits on a 2-byte delimiter cut across chunks', () => {
    expect(feed([Buffer.from('AB\r'), Buffer.from('\nCD\r\n')], '\r\n', 16)).toEqual({ lines: ['AB', 'CD'], tooLong: [], unterminated: [] });
  });

  it('drops an over-long line once, keeps its neighbours, and never holds more than the limit', () => {
    const chunks = [Buffer.from('OK1\r'), ...Array.from({ length: 50 }, () => Buffer.alloc(10, 0x58)), Buffer.from('X\rOK2\r')];
    expect(feed(chunks, '\r', 32)).toEqual({ lines: ['OK1', 'OK2'], tooLong: [501], unterminated: [] });
  });

  it('emits the same lines whatever the chunking (property)', () => {
    const line = fc.stringMatching(/^[A-Z0-9]{0,20}$/);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 30 }), (lines, cuts) => {
        const stream = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
        const chunks: Buffer[] = [];
        let at = 0;
        for (const c of cuts) {
          chunks.push(stream.subarray(at, Math.min(stream.length, at + c)));
          at = Math.min(stream.length, at + c);
        }
        chunks.push(stream.subarray(at));
        // An empty line is an empty chunk, which a byte stream does not emit.
        expect(feed(chunks, '\r\n', 20)).toEqual({ lines: lines.filter((l) => l.length > 0), tooLong: [], unterminated: [] });
        expect(feed(chunks, 'ANY', 20)).toEqual({ lines: lines.filter((l) => l.length > 0), tooLong: [], unterminated: [] });
      }),
    );
  });

  it('ANY: CR, LF and CRLF each end one line, mixed and split across chunks', () => {
    expect(feed([b('A1\rA2\nA3\r'), b('\nA4\r'), b('\n\nA5\n')], 'ANY', 16)).toEqual({ lines: ['A1', 'A2', 'A3', 'A4', 'A5'], tooLong: [], unterminated: [] });
  });

  it('a pinned CR takes a CRLF scanner: the LF left over never spoils the next line', () => {
    expect(feed([b('ONE\r\nTWO\r\n'), b('THREE\r'), b('\n')], '\r', 16)).toEqual({ lines: ['ONE', 'TWO', 'THREE'], tooLong: [], unterminated: [] });
  });

  it('a pinned CR holds LF-only lines, and the silence drops them as DEV_SCAN_UNTERMINATED', () => {
    expect(feed([b('ONE\nTWO\n'), 'IDLE', b('GOOD\r')], '\r', 16)).toEqual({ lines: ['GOOD'], tooLong: [], unterminated: [8] });
  });

  it('a long line without an end does not swallow the good line after the silence', () => {
    expect(feed([Buffer.alloc(600, 0x41), 'IDLE', b('GOOD\r')], 'ANY', 512)).toEqual({ lines: ['GOOD'], tooLong: [600], unterminated: [] });
    expect(feed([b('OK\r'), Buffer.alloc(513, 0x41), b('\rAFTER\r')], 'ANY', 512)).toEqual({ lines: ['OK', 'AFTER'], tooLong: [513], unterminated: [] });
  });

  it('counts every byte of an endless line once, and holds nothing after reset', () => {
    const parser = parserInto({ lines: [], tooLong: [], unterminated: [] }, '\r\n', 32);
    for (let i = 0; i < 100; i++) parser.write(Buffer.alloc(50, 0x58));
    expect(parser.reset()).toBe(5_000);
    expect(parser.holding).toBe(false);
  });
});
