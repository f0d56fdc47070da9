/** The bill-validator contract on the real driver path: ccTalk driver -> serialport -> socat pty -> virtual ccTalk validator. */
import { CcTalkBillValidator } from '../../../terminal/devices/serial/cctalk-bill-validator.js';
import { startTestValidator } from '../../support/validator.js';
import { describeBillValidatorContract, NOTES, SCALING } from './bill-validator.contract.js';

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
