/**
 * A terminal agent on the world's first reader with a bill validator on the
 * test validator's pty, running a small role that decides each note in
 * escrow; the validator is enabled before it returns. Shared by the cash-box,
 * cash-booking and center-process tests.
 */
import type { Role } from '../../../terminal/agent/role.js';
import { builtinRoles } from '../../../terminal/agent/roles/builtin.js';
import type { TestValidator } from '../../support/validator.js';
import { startTerminal, type TestTerminal, type World } from './harness.js';

export async function startCashTerminal(
  world: World,
  terminalId: string,
  sim: TestValidator,
  role: () => Role,
  opts: { journal?: string; keyFile?: string } = {},
): Promise<TestTerminal> {
  const name = role().name;
  const reader = world.pcscd.pcscd.slots[0]!.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const term = await startTerminal(world, terminalId, {
    ...opts,
    config: {
      role: name,
      devices: { reader: { namePattern: `^${reader}$` }, validator: { path: sim.validator.devicePath, country: 'JP', currency: 'JPY' } },
    },
    deps: { roles: builtinRoles().register(name, role) },
  });
  await term.agent.context.devices.validator!.enable();
  return term;
}
