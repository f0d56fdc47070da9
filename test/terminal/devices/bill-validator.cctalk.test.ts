/** The bill-validator contract on the real driver path: ccTalk driver -> serialport -> socat pty -> virtual ccTalk validator. */
import { afterEach, describe, expect, it } from 'vitest';
import type { VirtualValidator } from '../../../sim/validator/virtual-validator.js';
import type { BillValidator, Note, ValidatorFault } from '../../../terminal/devices/bill-validator.js';
import { CcTalkBillValidator } from '../../../terminal/devices/serial/cctalk-bill-validator.js';
import { startTestValidator } from '../../support/validator.js';
import { describeBillValidatorContract, NOTES, SCALING } from './bill-validator.contract.js';
import { nextEvent } from './wait.js';

const CONFIG = { path: '/tmp/tessera-no-such-tty', baudRate: 9600, address: 40, country: 'JP', currency: 'JPY' };

describeBillValidatorContract('ccTalk on serialport + socat pty + virtual validator', {
  rig: async (opts = {}) => {
    const { validator, stop } = await startTestValidator({ notes: NOTES, scaling: SCALING, ...opts });
    const driver = new CcTalkBillValidator({ ...CONFIG, path: validator.devicePath });
    return {
      driver,
      model: validator.model,
      unplug: () => validator.unplug(),
      plug: () => validator.plug(),
      setMute: (mute) => {
        validator.mute = mute;
      },
      stop: async () => {
        await driver.close();
        await stop();
      },
    };
  },
  missing: () => new CcTalkBillValidator(CONFIG),
  build: (config) => new CcTalkBillValidator({ ...CONFIG, ...config }),
});

describe('ccTalk driver on the wire (beyond the contract)', () => {
  const started: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });
  const open = async (): Promise<{ driver: CcTalkBillValidator; validator: VirtualValidator }> => {
    const { validator, stop } = await startTestValidator({ notes: NOTES, scaling: SCALING });
    const driver = new CcTalkBillValidator({ ...CONFIG, path: validator.devicePath });
    started.push({ stop: async () => (await driver.close(), await stop()) });
    return { driver, validator };
  };

  it('works on a single-wire line that echoes the host its own request bytes', async () => {
    const { driver, validator } = await open();
    validator.echo = true;
    await driver.open();
    await driver.enable();
    const escrow = nextEvent<[Note]>(driver, 'escrow');
    validator.model.insert('JP0500A');
    await escrow;
    await expect(driver.stack()).resolves.toMatchObject({ noteId: 'JP0500A', valueMinor: 5_000 });
  });

  it('sends the ccTalk bytes the spec gives for enable: inhibits 231 [07 00], master inhibit 228 [01]', async () => {
    const { driver, validator } = await open();
    await driver.open();
    validator.received.length = 0;
    await driver.enable();
    const sent = validator.received.filter((f) => f.header !== 159).map((f) => [f.header, f.data.toString('hex')]);
    expect(sent).toEqual([
      [231, '0700'], // bill types 1-3 (the JP notes), not 5 (EU)
      [228, '01'],
    ]);
  });

  it('a garbled poll reply is a DEV_CCTALK_BAD_FRAME fault and loses no event; a garbled route reply still ends in the note stacked', async () => {
    const { driver, validator } = await open();
    await driver.open();
    await driver.enable();
    const faults: ValidatorFault[] = [];
    (driver as BillValidator).on('fault', (f) => faults.push(f));
    validator.corruptNextReply(159);
    const escrow = nextEvent<[Note]>(driver, 'escrow');
    validator.model.insert('JP0100A');
    await escrow;
    expect(faults).toEqual([{ code: 'DEV_CCTALK_BAD_FRAME', event: null, details: { header: 159 } }]);
    validator.corruptNextReply(154);
    await expect(driver.stack()).resolves.toMatchObject({ noteId: 'JP0100A' });
    expect(validator.model.cashBox.notes).toEqual(['JP0100A']);
  });
});
