/**
 * The prepaid scene's kiosk: a `prepaid-issuer` terminal agent of the world
 * (terminal/agent/roles/prepaid/) with the simulator's ccTalk bill
 * validator on a socat pty (`validator0`, JPY notes) and a drive whose
 * mount directory its removable store watches. An issue, as at a real
 * kiosk: the holder's blank medium goes into the drive, the holder feeds
 * notes into the validator (each escrowed, stacked by the role's decision
 * and journalled by the agent before it counts), the `issue` command sends
 * PREPAID_ISSUE with the notes from the journal and the role writes
 * generation 1 into a slot of the medium; the holder takes the medium out.
 * The kiosk is registered at the center beforehand (setup.ts) and owns the
 * cash box the notes are booked to.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../core/clock.js';
import { TesseraError } from '../../../core/errors.js';
import type { Keypad } from '../../../terminal/agent/keypad.js';
import type { AgentReport } from '../../../terminal/agent/role.js';
import type { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import type { VirtualMedium } from '../../medium/virtual-medium.js';
import { SIM_CASHBOX_CAPACITY, SIM_VALIDATOR_NOTES, SIM_VALIDATOR_SCALING } from '../../validator/sim-validators.js';
import { VirtualValidator } from '../../validator/virtual-validator.js';
import type { WorldTerminal } from '../../world/terminals.js';
import type { World } from '../../world/world.js';
import { withDeadline } from '../fleet.js';
import { DEMO_LIMITS } from '../limits.js';
import { PREPAID_CURRENCY, PREPAID_KIOSK } from './setup.js';

/** The simulated validator's note id for a face value (JPY, country scaling 10: bill type n is worth the table's value). */
const NOTE_ID_OF: Readonly<Record<number, string>> = { 1_000: 'JP0100A', 5_000: 'JP0500A', 10_000: 'JP1000A' };
const COUNTRY = Object.keys(SIM_VALIDATOR_SCALING)[0]!;

export interface PrepaidKiosk {
  readonly terminalId: string;
  readonly terminal: WorldTerminal<Keypad>;
  /** The kiosk drive's mount directory (a medium is in while it exists). */
  readonly mountDir: string;
  /** The serial port the agent's validator driver opens (the simulator's pty). */
  readonly validatorPath: string;
  /** The medium into the drive, the notes into the validator, `issue`, the medium out: the issue's report. */
  issue(medium: VirtualMedium, notesMinor: readonly number[], signal: AbortSignal): Promise<AgentReport>;
  /** The kiosk's cash box by its own journal (notes stacked, not collected), in minor units. */
  cashBoxMinor(): number;
  /** Stops the agent and unplugs the validator. */
  close(): Promise<void>;
}

/** The kiosk drive's mount directory under the scene's directory. */
export const kioskMountDir = (sceneDir: string): string => join(sceneDir, 'kiosk-drive');

/**
 * The validator is plugged here, just before the agent opens its end, and
 * unplugged with the kiosk: a simulated validator's host end left polling
 * a pty nobody has opened (plugged with the world, before the e-money
 * scene) kept the process's thread pool busy enough to time out the
 * e-money terminals' APDUs on a loaded machine.
 */
export async function startPrepaidKiosk(o: { world: World; roles: RoleRegistry; sceneDir: string; clock: Clock }): Promise<PrepaidKiosk> {
  mkdirSync(join(o.sceneDir, 'pty'), { recursive: true, mode: 0o700 });
  const validator = new VirtualValidator(join(o.sceneDir, 'pty'), 'validator0', { notes: SIM_VALIDATOR_NOTES, scaling: SIM_VALIDATOR_SCALING, cashBoxCapacity: SIM_CASHBOX_CAPACITY }, o.clock);
  await validator.plug();
  const mountDir = kioskMountDir(o.sceneDir);
  let terminal: WorldTerminal<Keypad>;
  try {
    terminal = await startKioskAgent(o, validator, mountDir);
  } catch (e) {
    await validator.unplug().catch(() => undefined);
    throw e;
  }
  return {
    terminalId: PREPAID_KIOSK,
    terminal,
    mountDir,
    validatorPath: validator.devicePath,
    issue: async (medium, notesMinor, signal) => {
      medium.insert();
      try {
        for (const amountMinor of notesMinor) await feedNote(terminal, validator, amountMinor, signal, o.clock);
        return await withDeadline(terminal.command('issue'), signal, `issue at ${PREPAID_KIOSK}`, o.clock);
      } finally {
        // The holder takes the medium (also after a failed issue: the journal repeats it on the next medium).
        if (medium.inserted) medium.eject();
      }
    },
    cashBoxMinor: () => terminal.withJournal((j) => j.cashBox().filter((c) => c.currency === PREPAID_CURRENCY).reduce((t, c) => t + c.amountMinor, 0)),
    close: async () => {
      await terminal.stop().catch(() => undefined);
      await validator.unplug().catch(() => undefined);
    },
  };
}

async function startKioskAgent(o: { world: World; roles: RoleRegistry }, validator: VirtualValidator, mountDir: string): Promise<WorldTerminal<Keypad>> {
  const terminal = await o.world.startTerminal({
    terminalId: PREPAID_KIOSK,
    role: 'prepaid-issuer',
    ownerId: PREPAID_KIOSK,
    callback: false,
    roles: o.roles,
    storeMountDir: mountDir,
    devices: { validator: { path: validator.devicePath, country: COUNTRY, currency: PREPAID_CURRENCY } },
    roleSettings: { currency: PREPAID_CURRENCY },
    link: { requestTimeoutMs: DEMO_LIMITS.linkRequestTimeoutMs, attempts: 3 },
  });
  await terminal.linkUp();
  return terminal;
}

/** One note into the validator: escrowed, stacked by the role's decision, journalled; resolves on the agent's `accepted`. */
async function feedNote(terminal: WorldTerminal<Keypad>, validator: VirtualValidator, amountMinor: number, signal: AbortSignal, clock: Clock): Promise<void> {
  const noteId = NOTE_ID_OF[amountMinor];
  if (noteId === undefined || !SIM_VALIDATOR_NOTES.some((n) => n.noteId === noteId)) throw new TesseraError('DEMO_SETUP_FAILED', `the simulated validator takes no ${amountMinor} note`, { part: 'prepaid', amountMinor });
  // The note's escrow flow reports too (routed: stacked), in either order with the agent's `accepted`: wait for the latter or a failure.
  const accepted = terminal.nextOutcome((r) => r.trigger === 'cash' && !(r.result === 'done' && r.details?.['event'] === 'escrow'));
  const routed = validator.model.insert(noteId);
  if (routed !== 'escrow') throw new TesseraError('DEMO_UNEXPECTED_OUTCOME', `the validator did not take the note into escrow (${routed})`, { part: 'prepaid', noteId });
  const r = await withDeadline(accepted, signal, `note ${noteId} at ${PREPAID_KIOSK}`, clock);
  if (r.result !== 'done' || r.details?.['event'] !== 'accepted') {
    throw new TesseraError('DEMO_UNEXPECTED_OUTCOME', `the kiosk did not take the note (${r.code ?? r.result})`, { part: 'prepaid', noteId, code: r.code });
  }
}
