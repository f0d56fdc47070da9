import { describe, expect, it } from 'vitest';
import { parseTerminalConfig } from '../../../terminal/config/load.js';

const minimal = {
  terminalId: 'KIOSK-1',
  keyFile: 'terminal.key',
  centers: [{ host: '127.0.0.1', port: 7700 }],
  devices: { reader: { namePattern: '^Tessera' } },
  journal: 'journal.db',
};

describe('terminal config: devices.validator', () => {
  it('takes a ccTalk validator with 9600 baud and address 40 by default', () => {
    const c = parseTerminalConfig({ ...minimal, devices: { ...minimal.devices, validator: { path: '/dev/ttyUSB1', country: 'JP', currency: 'JPY' } } });
    expect(c.devices.validator).toEqual({ path: '/dev/ttyUSB1', baudRate: 9600, address: 40, country: 'JP', currency: 'JPY' });
    expect(parseTerminalConfig(minimal).devices.validator).toBeUndefined();
  });

  it('names every bad validator field in TERM_CONFIG_INVALID', () => {
    try {
      parseTerminalConfig({ ...minimal, devices: { ...minimal.devices, validator: { path: '', baudRate: 1234, address: 1, country: 'jp', currency: 'YEN1', extra: true } } });
      expect.unreachable();
    } catch (e) {
      const err = e as { code: string; details: { problems: string[] } };
      expect(err.code).toBe('TERM_CONFIG_INVALID');
      expect(err.details.problems.map((p) => p.split(':')[0])).toEqual(
        expect.arrayContaining(['devices.validator.path', 'devices.validator.baudRate', 'devices.validator.address', 'devices.validator.country', 'devices.validator.currency', 'devices.validator']),
      );
    }
  });
});
