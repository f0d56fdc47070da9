import { z } from 'zod';
import { TesseraError } from '../../core/errors.js';
import type { Simulator } from '../simulator.js';
import { runValidatorCommand, ValidatorCommand } from '../validator/sim-validators.js';

const reader = z.union([z.number().int().min(0), z.string().min(1)]);
const cardId = z.string().regex(/^[0-9a-f]{16}$/);

/**
 * The control commands of `tessera sim serve`, one JSON object per line:
 * `{"cmd":"insert","cardId":"0102030405060708","reader":0}`.
 */
export const ControlCommand = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('status') }),
  z.object({
    cmd: z.literal('issue'),
    cardId,
    pin: z.string().regex(/^[0-9]{4,8}$/),
    balanceMinor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    currency: z.string().regex(/^[A-Z]{3}$/).optional(),
    foreign: z.boolean().optional(),
    /** Replace an existing card of this id (its balance and counter start over). */
    force: z.boolean().optional(),
  }),
  /** A bank cash card (seed 004) carrying the user's bank account. */
  z.object({
    cmd: z.literal('issue-cash'),
    cardId,
    bankCode: z.string().regex(/^[0-9]{4}$/),
    branchCode: z.string().regex(/^[0-9]{3}$/),
    accountNumber: z.string().regex(/^[0-9]{7}$/),
    force: z.boolean().optional(),
  }),
  z.object({ cmd: z.literal('insert'), cardId, reader, unresponsive: z.boolean().optional() }),
  z.object({ cmd: z.literal('remove'), reader }),
  z.object({
    cmd: z.literal('scan'),
    scanner: z.string().default('scanner0'),
    data: z.string().min(1).max(4096),
    aim: z.string().regex(/^\][A-Za-z][0-9A-Za-z]$/).optional(),
    delimiter: z.enum(['CR', 'LF', 'CRLF']).optional(),
  }),
  z.object({ cmd: z.literal('unplug'), scanner: z.string().default('scanner0') }),
  z.object({ cmd: z.literal('plug'), scanner: z.string().default('scanner0') }),
  z.object({ cmd: z.literal('medium-insert'), name: z.string().min(1) }),
  z.object({ cmd: z.literal('medium-eject') }),
  z.object({ cmd: z.literal('stop') }),
  /** A virtual bill validator: insert a note, jam, cash box, cable (sim/validator/sim-validators.ts). */
  ValidatorCommand,
]);

export type ControlCommand = z.infer<typeof ControlCommand>;

export type ControlReply = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly code: string; readonly message: string };

/** Parses one request line; malformed input is SIM_BAD_COMMAND. */
export function parseControlLine(line: string): ControlCommand {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new TesseraError('SIM_BAD_COMMAND', 'control lines are JSON objects');
  }
  const parsed = ControlCommand.safeParse(json);
  if (!parsed.success) throw new TesseraError('SIM_BAD_COMMAND', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Runs one command against the simulator; `stop` is answered by the server itself. */
export async function runControlCommand(sim: Simulator, c: ControlCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'status':
    case 'stop':
      return sim.info();
    case 'issue': {
      refuseReissue(sim, c);
      const s = await sim.issueCard({ cardId: c.cardId, pin: c.pin, ...optional(c) });
      return { cardId: s.cardId, application: s.application, balanceMinor: s.balanceMinor, currency: s.currency };
    }
    case 'issue-cash': {
      refuseReissue(sim, c);
      const s = await sim.issueCashCard({ cardId: c.cardId, bankCode: c.bankCode, branchCode: c.branchCode, accountNumber: c.accountNumber });
      return { cardId: s.cardId, application: s.application, bankCode: s.bankCode, branchCode: s.branchCode, accountNumber: s.accountNumber };
    }
    case 'insert':
      await sim.insertCard(c.cardId, c.reader, { mode: c.unresponsive ? 'unresponsive' : 'normal' });
      return { inserted: c.cardId, reader: sim.readerName(c.reader) };
    case 'remove':
      await sim.removeCard(c.reader);
      return { removed: sim.readerName(c.reader) };
    case 'scan':
      await sim.scan(c.scanner, c.data, { ...(c.aim ? { aim: c.aim } : {}), ...(c.delimiter ? { delimiter: c.delimiter } : {}) });
      return { scanned: c.data.length };
    case 'unplug':
      await sim.scanner(c.scanner).unplug();
      return { unplugged: c.scanner };
    case 'plug':
      await sim.scanner(c.scanner).plug();
      return { plugged: c.scanner };
    case 'medium-insert':
      sim.insertMedium(c.name);
      return { inserted: c.name, mountDir: sim.info().mediumMountDir };
    case 'medium-eject':
      return { ejected: sim.ejectMedium() };
    case 'validator':
      return runValidatorCommand(sim.validators, c);
  }
}

function optional(c: { balanceMinor?: number | undefined; currency?: string | undefined; foreign?: boolean | undefined }) {
  return {
    ...(c.balanceMinor !== undefined ? { balanceMinor: c.balanceMinor } : {}),
    ...(c.currency !== undefined ? { currency: c.currency } : {}),
    ...(c.foreign !== undefined ? { foreign: c.foreign } : {}),
  };
}

/** Issuing over an existing card would silently reset its balance and counter: only with `force`. */
function refuseReissue(sim: Simulator, c: { cardId: string; force?: boolean | undefined }): void {
  if (c.force !== true && sim.cards.store.has(c.cardId)) {
    throw new TesseraError('SIM_CARD_EXISTS', `card ${c.cardId} is already issued (pass --force to re-issue it: balance and counter start over)`, { cardId: c.cardId });
  }
}
