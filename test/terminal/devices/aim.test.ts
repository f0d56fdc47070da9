import { describe, expect, it } from 'vitest';
import { parseAim } from '../../../terminal/devices/serial/aim.js';

describe('AIM identifier parsing', () => {
  it.each([
    [']E04901234567894', '4901234567894', ']E0', 'EAN-13'],
    [']E449123456', '49123456', ']E4', 'EAN-8'],
    [']C10104912345678904', '0104912345678904', ']C1', 'GS1-128'],
    [']C0ABC-123', 'ABC-123', ']C0', 'Code 128'],
    [']Q1https://x.example', 'https://x.example', ']Q1', 'QR Code'],
    [']d2010491', '010491', ']d2', 'GS1 DataMatrix'],
    [']X0zzz', 'zzz', ']X0', 'unknown'],
  ])('%s -> data %s, %s (%s)', (line, data, aim, name) => {
    expect(parseAim(line)).toEqual({ data, symbology: { aim, name } });
  });

  it('leaves lines without a well-formed prefix whole', () => {
    expect(parseAim('4901234567894')).toEqual({ data: '4901234567894', symbology: null });
    expect(parseAim(']E')).toEqual({ data: ']E', symbology: null });
    expect(parseAim(']1A')).toEqual({ data: ']1A', symbology: null });
    expect(parseAim('')).toEqual({ data: '', symbology: null });
  });
});
