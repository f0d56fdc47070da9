import { defineErrors } from '../../core/errors.js';

/** `tessera demo`: the whole seed-004 world on the simulated hardware, with its end-of-run checks. */
export const DEMO_ERRORS = defineErrors('demo', 'DEMO_', {
  DEMO_BAD_OPTION: {
    meaning: 'A demo option is out of range (users, seed) or the state directory path is too long for a Unix socket.',
    action: 'Fix the option (see `tessera demo --help`); use a shorter --state-dir.',
  },
  DEMO_ROLES_MISSING: {
    meaning: 'This build does not register the terminal roles the demo drives (provider-kiosk, shop, vending).',
    action: 'Build a version whose terminal/agent/roles/builtin.ts registers them.',
  },
  DEMO_SETUP_FAILED: {
    meaning: 'A part of the demo world (simulator, bank, center, terminal agent) did not start; the cause code is in the details.',
    action: 'Read the cause code and the run directory\'s demo.log; check that pcscd, vsmartcard-vpcd and socat are installed (npm run sysdeps).',
  },
  DEMO_STEP_TIMEOUT: {
    meaning: 'A terminal did not finish a card flow or command within the demo\'s step time.',
    action: 'Look at the run directory\'s demo.log for the terminal\'s last flow.',
  },
  DEMO_UNEXPECTED_OUTCOME: {
    meaning: 'A step ended differently than the script planned (a charge or purchase declined that should pass, or the reverse).',
    action: 'Rerun with the printed seed and read the terminal\'s outcome code in the progress line and demo.log.',
  },
  DEMO_SETTLEMENT_INCOMPLETE: {
    meaning: 'After the settlements a shop terminal still holds unsettled records, or a batch was not paid.',
    action: 'Check the settlement batches in the center database of the run directory.',
  },
  DEMO_POSITION_MISMATCH: {
    meaning: 'The provider\'s net position at a bank (center ledger) differs from the bank\'s balance of the provider\'s account, or the e-money float differs from the e-money on cards and in unsettled records.',
    action: 'Keep the run directory (databases) and report it: the books of the center and the banks disagree.',
  },
  DEMO_MONEY_NOT_CONSERVED: {
    meaning: 'Users\' bank money + e-money on cards + unsettled records + shops\' bank money changed during the run.',
    action: 'Keep the run directory (databases, card states, journals) and report it: money was created or lost.',
  },
  DEMO_AUDIT_FAILED: {
    meaning: 'The ledger audit of the center or of a bank found a violation.',
    action: 'Run `tessera audit --db <run dir>/<db>` for the details and report it.',
  },
  DEMO_RECEIPT_MISMATCH: {
    meaning: 'The settlement receipts read back from the shops\' media do not match the settlements: a receipt is missing, unreadable (integrity check), extra, or its total or record count differs from what the shop settled.',
    action: 'Look at drives/<terminal>/medium in the run directory and the terminal\'s "settlement receipt" lines in demo.log.',
  },
  DEMO_INTERRUPTED: {
    meaning: 'The demo was stopped by SIGINT or SIGTERM before it finished; everything it started was shut down.',
    action: 'Run it again (each run has its own state directory).',
  },
});

export type DemoCode = keyof typeof DEMO_ERRORS;
