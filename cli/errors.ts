import { defineErrors } from '../core/errors.js';

/** Errors of the `tessera` command line itself (its subcommands report their own areas' codes). */
export const CLI_ERRORS = defineErrors('cli', 'CLI_', {
  CLI_UNKNOWN_COMMAND: {
    meaning: 'The command line names a command `tessera` does not have.',
    action: 'Run `tessera --help` for the list of commands.',
  },
  CLI_BAD_ARGUMENT: {
    meaning: 'An option or argument is missing, unknown or malformed (exit 2).',
    action: 'Run `tessera <command> --help` for the options of that command.',
  },
  CLI_INTERNAL: {
    meaning: 'A failure without a Tessera code of its own (a bug or an unexpected system error); the reason line shows the system\'s code.',
    action: 'Read the reason line; if it does not say what to fix, report it with the command line used.',
  },
});

export type CliErrorCode = keyof typeof CLI_ERRORS;
