/**
 * The bill validators of `tessera sim serve --validators N`: virtual ccTalk
 * validators on socat pty pairs (`validator0`, `validator1`, …), with a JPY
 * note table, and the control command that drives them (insert a note, jam,
 * fill / pull / put back the cash box, pull / plug the cable).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { TesseraError } from '../../core/errors.js';
import { VirtualValidator } from './virtual-validator.js';

/** The note table of a simulated validator: JPY, country scaling 10 (configure the terminal with country JP, currency JPY). */
export const SIM_VALIDATOR_NOTES = [
  { billType: 1, noteId: 'JP0100A' }, // 1000 yen
  { billType: 2, noteId: 'JP0500A' }, // 5000 yen
  { billType: 3, noteId: 'JP1000A' }, // 10000 yen
] as const;
export const SIM_VALIDATOR_SCALING = { JP: 10 } as const;
/** Notes the simulated cash box holds before it reports full. */
export const SIM_CASHBOX_CAPACITY = 500;

/** Plugs `count` validators on ptys under ptyDir; on a failure the ones plugged are unplugged. */
export async function plugValidators(ptyDir: string, count: number, clock: Clock): Promise<Map<string, VirtualValidator>> {
  const out = new Map<string, VirtualValidator>();
  try {
    for (let i = 0; i < count; i++) {
      const v = new VirtualValidator(ptyDir, `validator${i}`, { notes: SIM_VALIDATOR_NOTES, scaling: SIM_VALIDATOR_SCALING, cashBoxCapacity: SIM_CASHBOX_CAPACITY }, clock);
      await v.plug();
      out.set(`validator${i}`, v);
    }
  } catch (e) {
    await Promise.all([...out.values()].map((v) => v.unplug()));
    throw e;
  }
  return out;
}

export function validatorsInfo(vs: ReadonlyMap<string, VirtualValidator>): Array<{ name: string; path: string; plugged: boolean; cashBoxNotes: number; escrow: string | null }> {
  return [...vs].map(([name, v]) => ({ name, path: v.devicePath, plugged: v.plugged, cashBoxNotes: v.model.cashBox.notes.length, escrow: v.model.inEscrow }));
}

/** `{"cmd":"validator","validator":"validator0","action":"insert","noteId":"JP1000A"}` */
export const ValidatorCommand = z.object({
  cmd: z.literal('validator'),
  validator: z.string().default('validator0'),
  action: z.enum(['insert', 'jam', 'clear-jam', 'fill-box', 'remove-box', 'insert-box', 'empty-box', 'unplug', 'plug', 'status']),
  noteId: z.string().regex(/^[A-Z]{2}[0-9]{4}[A-Z]$/).optional(),
  fraud: z.enum(['string', 'opto', 'pulled-back']).optional(),
  notes: z.number().int().min(0).max(100_000).optional(),
});
export type ValidatorCommand = z.infer<typeof ValidatorCommand>;

export async function runValidatorCommand(vs: ReadonlyMap<string, VirtualValidator>, c: ValidatorCommand): Promise<unknown> {
  const v = vs.get(c.validator);
  if (!v) throw new TesseraError('SIM_BAD_COMMAND', `no virtual validator '${c.validator}' (start tessera sim serve with --validators N)`);
  const m = v.model;
  switch (c.action) {
    case 'insert':
      if (!c.noteId) throw new TesseraError('SIM_BAD_COMMAND', 'insert needs noteId (e.g. JP1000A)');
      return { result: m.insert(c.noteId, c.fraud ? { fraud: c.fraud } : {}) };
    case 'jam':
      m.jamNext();
      return { jam: 'next note' };
    case 'clear-jam':
      m.clearJam();
      return { jam: 'cleared' };
    case 'fill-box':
      m.fillCashBox(c.notes ?? m.cashBox.capacity);
      return { cashBox: m.cashBox.notes.length };
    case 'remove-box':
      m.removeCashBox();
      return { cashBox: 'removed' };
    case 'insert-box':
    case 'empty-box':
      return { cashBox: 'inserted', emptied: m.insertCashBox({ emptied: c.action === 'empty-box' }).length };
    case 'unplug':
      await v.unplug();
      return { unplugged: c.validator };
    case 'plug':
      await v.plug();
      return { plugged: c.validator, path: v.devicePath };
    case 'status':
      return validatorsInfo(new Map([[c.validator, v]]))[0];
  }
}

export const validatorPtyDir = (stateDir: string): string => join(stateDir, 'pty');
