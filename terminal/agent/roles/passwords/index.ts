/**
 * Settlement passwords (seed 003), terminal side: the password till, which
 * reads the password off the customer's phone with its serial barcode
 * scanner (or takes the keypad code) and asks the TTP (center/passwords/).
 */
import type { TerminalCapability } from '../../capability.js';
import { PASSWORD_POS, passwordPosRole } from './password-pos.js';

export const PASSWORDS: TerminalCapability = {
  name: 'passwords',
  roles: { [PASSWORD_POS]: passwordPosRole },
};
