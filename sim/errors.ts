import { defineErrors } from '../core/errors.js';

/** Error codes of the simulator (what replaces the hardware in CI and on a developer's desk). */
export const SIM_ERRORS = defineErrors('sim', 'SIM_', {
  SIM_PCSCD_START_FAILED: {
    meaning: 'The simulated pcscd did not start or did not list its readers in time.',
    action: 'Check that pcscd and vsmartcard-vpcd are installed (npm run sysdeps) and that no other pcscd owns /run/pcscd.',
  },
  SIM_NO_FREE_PORT: {
    meaning: 'No free pair of TCP ports was found for a vpcd reader.',
    action: 'Free ports in the 40000-60000 range or stop other simulators.',
  },
  SIM_CARD_CONNECT_FAILED: {
    meaning: 'A virtual card could not connect to the vpcd driver (card insert failed).',
    action: 'Check that the simulated pcscd is running and the reader slot exists.',
  },
  SIM_SLOT_BUSY: {
    meaning: 'A card is already inserted in that reader slot.',
    action: 'Remove the card first.',
  },
  SIM_SLOT_EMPTY: {
    meaning: 'No card is inserted in that reader slot.',
    action: 'Insert a card first.',
  },
  SIM_UNKNOWN_READER: {
    meaning: 'The named simulated reader does not exist.',
    action: 'List readers with `tessera sim` status and use one of those names.',
  },
  SIM_CARD_STATE_CORRUPT: {
    meaning: 'A virtual card state file could not be read back.',
    action: 'Delete the file in the sim state dir to re-personalise the card.',
  },
  SIM_OVERLAPPING_APDU: {
    meaning: 'The virtual card received an APDU while another was still being answered.',
    action: 'This is a driver contract violation: transmits must not overlap.',
  },
  SIM_SOCAT_FAILED: {
    meaning: 'socat did not create the virtual serial port pair.',
    action: 'Check that socat is installed (npm run sysdeps).',
  },
  SIM_MEDIUM_STATE: {
    meaning: 'The virtual medium is not in a state that allows this operation.',
    action: 'Insert the medium before writing to it, or eject it only once.',
  },
  SIM_BAD_COMMAND: {
    meaning: 'A control command of `tessera sim serve` was malformed or unknown.',
    action: 'Send `help` on the control socket for the command list.',
  },
  SIM_STATE_DIR_IN_USE: {
    meaning: 'Another `tessera sim serve` (the pid in the message and in <state-dir>/sim.lock) runs on this state directory.',
    action: 'Use that simulator, stop it first (`tessera sim --state-dir <dir> stop`, the same --state-dir), or pass another --state-dir.',
  },
  SIM_CARD_EXISTS: {
    meaning: 'A card with this id is already issued in this state directory; issuing again would reset its balance and counter.',
    action: 'Use the existing card, pick another card id, or pass --force to re-issue it from scratch.',
  },
  SIM_SHEET_UNREADABLE: {
    meaning: 'The simulated scanner could not read a printed voucher sheet: pdftoppm or zbarimg failed or timed out, or the card\'s box held no barcode (or more than one).',
    action: 'Check poppler-utils and zbar-tools are installed (scripts/sysdeps) and that the file is a sheet of `tessera voucher print`; details name the page and card.',
  },
});

export type SimErrorCode = keyof typeof SIM_ERRORS;
