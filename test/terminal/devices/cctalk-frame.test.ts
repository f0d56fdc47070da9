import { describe, expect, it } from 'vitest';
import { decodeBillEvent, newEventCount, parseBillId } from '../../../terminal/devices/serial/cctalk-bill-events.js';
import { CcTalkFrameDecoder, checksum, encodeFrame, type Decoded } from '../../../terminal/devices/serial/cctalk-frame.js';

// Literal ccTalk frames: [destination] [data length] [source] [header] [data...] [checksum].
const VECTORS = [
  {
    name: 'simple poll, host 1 -> validator 40',
    hex: '28' /* dest 40 */ + '00' /* no data */ + '01' /* source host */ + 'fe' /* 254 simple poll */ + 'd9' /* checksum */,
    frame: { destination: 40, source: 1, header: 254, data: '' },
  },
  {
    name: 'ACK reply to a simple poll, validator 40 -> host 1',
    hex: '01' /* dest host */ + '00' + '28' /* source 40 */ + '00' /* ACK */ + 'd7',
    frame: { destination: 1, source: 40, header: 0, data: '' },
  },
  {
    name: 'route bill: stack',
    hex: '28' + '01' /* 1 byte */ + '01' + '9a' /* 154 route bill */ + '01' /* stack */ + '3b',
    frame: { destination: 40, source: 1, header: 154, data: '01' },
  },
  {
    name: 'read buffered bill events reply: counter 3, bill type 2 stacked, type 2 in escrow, inhibited',
    hex: '01' + '0b' /* 11 bytes */ + '28' + '00' + '03' /* counter */ + '0200' /* type 2 stacked */ + '0201' /* type 2 escrow */ + '0004' /* inhibited bill */ + '0000' + '0000' + 'c0' /* checksum */,
    frame: { destination: 1, source: 40, header: 0, data: '0302000201000400000000' },
  },
];

const frameOf = (d: Decoded) => (d.ok ? { destination: d.frame.destination, source: d.frame.source, header: d.frame.header, data: d.frame.data.toString('hex') } : d);

describe('ccTalk framing', () => {
  for (const v of VECTORS) {
    it(`decodes, encodes and round-trips: ${v.name}`, () => {
      const bytes = Buffer.from(v.hex, 'hex');
      expect(checksum(bytes)).toBe(0); // the whole frame sums to 0 mod 256
      const decoded = new CcTalkFrameDecoder().push(bytes);
      expect(decoded.map(frameOf)).toEqual([v.frame]);
      const encoded = encodeFrame({ ...v.frame, data: Buffer.from(v.frame.data, 'hex') });
      expect(encoded.toString('hex')).toBe(v.hex);
    });

    it(`decodes the same split at every byte offset: ${v.name}`, () => {
      const bytes = Buffer.from(v.hex, 'hex');
      for (let at = 0; at <= bytes.length; at++) {
        const d = new CcTalkFrameDecoder();
        const out = [...d.push(bytes.subarray(0, at)), ...d.push(bytes.subarray(at))];
        expect(out.map(frameOf)).toEqual([v.frame]);
        expect(d.pending).toBe(0);
      }
    });
  }

  it('decodes every vector from one stream split at every offset, keeping the remainder', () => {
    const all = Buffer.concat(VECTORS.map((v) => Buffer.from(v.hex, 'hex')));
    for (let at = 0; at <= all.length; at++) {
      const d = new CcTalkFrameDecoder();
      const out = [...d.push(all.subarray(0, at)), ...d.push(all.subarray(at))];
      expect(out.map(frameOf)).toEqual(VECTORS.map((v) => v.frame));
    }
  });

  it('reports a bad checksum once and drops what it held (resync at the next request)', () => {
    const bad = Buffer.from('280001fed8', 'hex'); // checksum off by one
    const d = new CcTalkFrameDecoder();
    expect(d.push(Buffer.concat([bad, Buffer.from('0100', 'hex')]))).toEqual([{ ok: false, reason: 'checksum', bytes: 7 }]);
    expect(d.pending).toBe(0);
    expect(d.push(Buffer.from(VECTORS[1]!.hex, 'hex')).map(frameOf)).toEqual([VECTORS[1]!.frame]);
  });

  it('holds a partial frame until reset() drops it', () => {
    const d = new CcTalkFrameDecoder();
    expect(d.push(Buffer.from('010b28', 'hex'))).toEqual([]);
    expect(d.pending).toBe(3);
    d.reset();
    expect(d.pending).toBe(0);
    expect(d.push(Buffer.from(VECTORS[1]!.hex, 'hex')).map(frameOf)).toEqual([VECTORS[1]!.frame]);
  });

  it('survives random and mutated bytes without throwing, and every frame it returns checks out', () => {
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    for (let round = 0; round < 300; round++) {
      const base = Buffer.from(VECTORS[round % VECTORS.length]!.hex, 'hex');
      const noise = Buffer.from(Array.from({ length: rand() % 40 }, rand));
      const mutated = Buffer.from(base);
      mutated[rand() % mutated.length] = rand();
      const d = new CcTalkFrameDecoder();
      for (const chunk of [noise, mutated, base]) {
        for (const out of d.push(chunk)) if (out.ok) expect(checksum(encodeFrame(out.frame))).toBe(0);
      }
      expect(d.pending).toBeLessThan(260);
    }
  });
});

describe('ccTalk bill events (header 159)', () => {
  it('decodes credits, escrow and the status/error table', () => {
    expect(decodeBillEvent(3, 0)).toEqual({ kind: 'stacked', billType: 3 });
    expect(decodeBillEvent(3, 1)).toEqual({ kind: 'escrow', billType: 3 });
    expect(decodeBillEvent(0, 1)).toEqual({ kind: 'returned' });
    expect(decodeBillEvent(0, 0)).toMatchObject({ kind: 'rejected', code: 'DEV_NOTE_INHIBITED' });
    expect(decodeBillEvent(0, 2)).toMatchObject({ kind: 'rejected', code: 'DEV_NOTE_REJECTED' });
    expect(decodeBillEvent(0, 4)).toMatchObject({ kind: 'rejected', code: 'DEV_NOTE_INHIBITED' });
    expect(decodeBillEvent(0, 6)).toMatchObject({ kind: 'fault', code: 'DEV_NOTE_JAMMED' });
    expect(decodeBillEvent(0, 16)).toMatchObject({ kind: 'fault', code: 'DEV_NOTE_JAMMED' });
    expect(decodeBillEvent(0, 18)).toMatchObject({ kind: 'fault', code: 'DEV_NOTE_FRAUD' });
    expect(decodeBillEvent(0, 19)).toMatchObject({ kind: 'fault', code: 'DEV_VALIDATOR_FAULT' });
    expect(decodeBillEvent(0, 11)).toEqual({ kind: 'cashBox', state: 'removed', event: 11 });
    expect(decodeBillEvent(0, 14)).toEqual({ kind: 'cashBox', state: 'full', event: 14 });
    expect(decodeBillEvent(0, 99)).toMatchObject({ kind: 'fault', code: 'DEV_VALIDATOR_FAULT', event: 99 });
    expect(decodeBillEvent(5, 7)).toMatchObject({ kind: 'fault', code: 'DEV_VALIDATOR_FAULT' });
  });

  it('counts new events across the 255 -> 1 wrap, and lost ones beyond the 5-deep buffer', () => {
    expect(newEventCount(0, 1, 5)).toEqual({ fresh: 1, lost: 0, reset: false });
    expect(newEventCount(254, 2, 5)).toEqual({ fresh: 3, lost: 0, reset: false });
    expect(newEventCount(10, 18, 5)).toEqual({ fresh: 5, lost: 3, reset: false });
    expect(newEventCount(7, 7, 5)).toEqual({ fresh: 0, lost: 0, reset: false });
    expect(newEventCount(7, 0, 5)).toEqual({ fresh: 0, lost: 0, reset: true });
  });

  it('parses bill ids', () => {
    expect(parseBillId('JP1000A')).toEqual({ country: 'JP', valueCode: 1000, issue: 'A' });
    expect(parseBillId('.......')).toBeNull();
    expect(parseBillId('JP1000')).toBeNull();
  });
});
