/** Validity checking (seed 001), terminal side: the validity-checked point of sale. */
import type { TerminalCapability } from '../../capability.js';
import { VALIDITY_POS, validityPosRole } from './validity-pos.js';

export const VALIDITY: TerminalCapability = {
  name: 'validity',
  roles: { [VALIDITY_POS]: validityPosRole },
};
