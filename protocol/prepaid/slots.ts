/**
 * Mirror slots (docs/MEDIUM.md, "Slots"): a medium holds two files, slot A
 * and slot B. The reader takes the highest generation that reads whole
 * (readMediumFile: structure and integrity check); the writer writes a new
 * generation into the *other* slot, so the previous generation stays
 * readable until the new one is whole. There is no pointer file to tear:
 * "switching" is the generation order itself. A torn write (truncated,
 * partial bytes, a power cut before the rename) leaves the slot unreadable
 * and the other slot current.
 */
import { errorCode } from '../../core/errors.js';
import { prepaidError } from './errors.js';
import { mediumIdHex, readMediumFile, type MediumView } from './medium.js';

/** File names of the two slots in the medium's directory. */
export const SLOT_FILES = ['prepaid-a.tspm', 'prepaid-b.tspm'] as const;
export type SlotIndex = 0 | 1;

export interface SlotRead {
  readonly slot: SlotIndex;
  /** The parsed file, or the code it failed with (absent file: undefined bytes → 'EMPTY'). */
  readonly view?: MediumView;
  readonly code?: string;
}

export interface MediumSlots {
  readonly slots: readonly [SlotRead, SlotRead];
  /** The slot holding the highest readable generation. */
  readonly current?: SlotRead & { readonly view: MediumView };
}

/** Reads both slots' bytes (undefined: no file). Never throws. */
export function readSlots(a: Uint8Array | undefined, b: Uint8Array | undefined): MediumSlots {
  const one = (slot: SlotIndex, bytes: Uint8Array | undefined): SlotRead => {
    if (bytes === undefined) return { slot, code: 'EMPTY' };
    try {
      return { slot, view: readMediumFile(bytes) };
    } catch (e) {
      return { slot, code: errorCode(e) };
    }
  };
  const slots = [one(0, a), one(1, b)] as const;
  const readable = slots.filter((s): s is SlotRead & { view: MediumView } => s.view !== undefined);
  // Two readable slots of different media: the medium holds junk from elsewhere; the higher generation still wins.
  const current = readable.sort((x, y) => y.view.generation - x.view.generation || x.slot - y.slot)[0];
  return current ? { slots, current } : { slots };
}

/** The current file, or PREPAID_NO_READABLE_SLOT naming each slot's code. */
export function currentFile(s: MediumSlots): MediumView {
  if (!s.current) throw prepaidError('PREPAID_NO_READABLE_SLOT', 'neither slot holds a whole file', { slotA: s.slots[0].code, slotB: s.slots[1].code });
  return s.current.view;
}

/** Where the next generation goes: the slot not holding the current one (slot A on an empty medium). */
export function slotToWrite(s: MediumSlots): SlotIndex {
  return s.current ? ((1 - s.current.slot) as SlotIndex) : 0;
}

/** For messages: the medium id the slots hold (the current one's). */
export function slotsMediumId(s: MediumSlots): string | undefined {
  return s.current ? mediumIdHex(s.current.view.mediumId) : undefined;
}
