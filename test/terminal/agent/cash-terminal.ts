/**
 * A terminal agent on the world's first reader with a bill validator on the
 * test validator's pty, running a small role that decides each note in
 * escrow; the validator is enabled before it returns. Shared by the cash-box,
 * cash-booking and center-process tests.
 */
import type { Role } from '../../../terminal/agent/role.js';
import { builtinRoles } from '../../../terminal/agent/roles/builtin.js';
import { posTerminal, type WorldTerminal } from '../../../sim/world/terminals.js';
import type { World } from '../../../sim/world/world.js';
import type { TestValidator } from '../../support/validator.js';

export async function startCashTerminal(world: World, terminalId: string, sim: TestValidator, role: () => Role): Promise<WorldTerminal> {
  const name = role().name;
  const term = await world.startTerminal(
    posTerminal(terminalId, {
      role: name,
      reader: 0,
      devices: { validator: { path: sim.validator.devicePath, country: 'JP', currency: 'JPY' } },
      roles: builtinRoles().register(name, role),
    }),
  );
  await term.agent.context.devices.validator!.enable();
  return term;
}
