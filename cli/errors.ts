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
  CLI_ADMIN_TOKEN_MISSING: {
    meaning: '`tessera admin` has no operator token: neither --token-file nor the TESSERA_ADMIN_TOKEN environment variable is set (or the file is empty).',
    action: 'Pass --token-file F (a 0600 file holding the token of `tessera operator add`) or set TESSERA_ADMIN_TOKEN.',
  },
  CLI_ADMIN_TOKEN_FILE: {
    meaning: 'The operator token file cannot be read, or other users may read it (its mode allows group or world access).',
    action: 'Check the path; make the file private: chmod 600 FILE (details.mode shows its mode).',
  },
  CLI_ADMIN_UNREACHABLE: {
    meaning: '`tessera admin` could not reach the admin API at --url (connection refused, name unknown, TLS certificate not trusted, timeout); the reason line has the system\'s code.',
    action: 'Check --url (or TESSERA_ADMIN_URL) and that the center runs with an admin listener; for HTTPS pass the CA of its certificate with --ca.',
  },
  CLI_ADMIN_BAD_ANSWER: {
    meaning: 'The admin API answered something that is not its JSON (another service at --url, or a proxy page).',
    action: 'Check --url points at the center\'s admin listener.',
  },
  CLI_ADMIN_UNSUPPORTED: {
    meaning: 'This `tessera admin` verb does not apply to this noun (e.g. block charges, edit media); details.verbs lists what the noun supports.',
    action: 'Run `tessera admin --help`; use one of details.verbs.',
  },
  CLI_OUT_EXISTS: {
    meaning: 'A command that writes a file (`tessera voucher print --out`) was given a path that exists; it never replaces a file (a voucher sheet cannot be printed twice: its PINs leave the center once).',
    action: 'Pass a new --out path (details.path names the existing one); move the old file away first if it is stale.',
  },
  CLI_OUT_UNWRITABLE: {
    meaning: 'The directory of --out cannot be written (missing, not a directory, or no permission); nothing was taken from the center.',
    action: 'Create the directory or pick one you can write (details.path), then run the command again.',
  },
  CLI_OUT_KEPT: {
    meaning: 'The output was produced but could not be put at --out (the path appeared meanwhile, or the disk failed); it was written instead to details.keptAt (mode 0600), or, if that failed too, is lost.',
    action: 'Move details.keptAt to where it belongs (a voucher sheet holds PINs: keep it private); if keptAt is absent, the PINs of the batch are gone: block the batch and issue a new one.',
  },
});

export type CliErrorCode = keyof typeof CLI_ERRORS;
