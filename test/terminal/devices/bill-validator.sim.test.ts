/** The bill-validator contract on the simulator: the ccTalk driver on the simulator's in-process ccTalk line (no bytes, no pty). */
import { ModelCcTalkLink } from '../../../sim/validator/model-cctalk-link.js';
import { ValidatorModel } from '../../../sim/validator/validator-model.js';
import { CcTalkBillValidator } from '../../../terminal/devices/serial/cctalk-bill-validator.js';
import { describeBillValidatorContract, NOTES, SCALING } from './bill-validator.contract.js';

const CONFIG = { path: 'sim:validator', baudRate: 9600, address: 40, country: 'JP', currency: 'JPY' };

describeBillValidatorContract('simulated validator (in-process ccTalk line)', {
  rig: async (opts = {}) => {
    const model = new ValidatorModel({ notes: NOTES, scaling: SCALING, ...opts });
    const link = new ModelCcTalkLink(model);
    const driver = new CcTalkBillValidator(CONFIG, { link });
    return {
      driver,
      model,
      unplug: async () => link.unplug(),
      plug: async () => link.plug(),
      setMute: (mute) => {
        link.mute = mute;
      },
      stop: () => driver.close(),
    };
  },
  missing: () => {
    const link = new ModelCcTalkLink(new ValidatorModel({ notes: NOTES }));
    link.unplug();
    return new CcTalkBillValidator(CONFIG, { link });
  },
  build: (config) => new CcTalkBillValidator({ ...CONFIG, ...config }, { link: new ModelCcTalkLink(new ValidatorModel({ notes: NOTES })) }),
});
