import { defineErrors } from '../../core/errors.js';

/** The center process composition (`tessera center`). */
export const CenterErrors = defineErrors('center', 'CENTER_', {
  CENTER_CONFIG_UNREADABLE: {
    meaning: 'The center config file could not be read or is not JSON.',
    action: 'Check the path given to --config and that the file is valid JSON.',
  },
  CENTER_CONFIG_INVALID: {
    meaning: 'The center config does not match its schema (the message lists each bad field).',
    action: 'Fix the named fields; see docs in center/server/config.ts for the shape and defaults.',
  },
  CENTER_KEY_FILE: {
    meaning: 'The terminal master key file is missing, unreadable, or not 32-64 bytes of hex.',
    action: 'Point terminalKeys.masterKeyFile at a file holding the hex master key (mode 0600).',
  },
  CENTER_TLS_FILE: {
    meaning: 'A TLS certificate or key file named in the config could not be read.',
    action: 'Check tls.certFile / tls.keyFile paths and permissions.',
  },
  CENTER_LISTEN_FAILED: {
    meaning: 'The terminal listener could not bind its address.',
    action: 'Check listen.host/listen.port: another process may hold the port.',
  },
  CENTER_TX_KIND_TAKEN: {
    meaning: 'Two handlers were registered for one transaction kind.',
    action: 'Programmer error in the center composition: register each kind once.',
  },
  CENTER_ISSUER_KEY_FILE: {
    meaning: 'The purse issuer master key file (emoney.issuerMasterKeyFile) is missing, unreadable, or not 32 raw bytes / 64 hex chars.',
    action: 'Point emoney.issuerMasterKeyFile at the issuer key (the simulator keeps it in <state-dir>/issuer.key), mode 0600.',
  },
  CENTER_SECURITY_CODE_FILE: {
    meaning: 'A provider account\'s security code file (emoney.providerAccounts[].securityCodeFile) is missing, unreadable, or not 4-12 digits.',
    action: 'Write the account\'s security code (digits only, one line) to that file, mode 0600.',
  },
  CENTER_SECRET_FILE_PERMISSIONS: {
    meaning: 'The issuer key file or a security code file of the emoney section is readable or writable by group or others.',
    action: 'chmod 600 the file the message names (the secret itself is never shown).',
  },
  CENTER_NO_EMONEY: {
    meaning: '`tessera report` was pointed at a database without the e-money module (no e-money center ever ran on it).',
    action: 'Pass the database of a center that runs with an emoney section (SQLite path or postgres:// URL).',
  },
  CENTER_KEY_OUT_EXISTS: {
    meaning: '`tessera keys terminal` was asked to write a terminal key file that already exists.',
    action: 'Pick another --out path, or pass --force to replace it (the terminal then needs the new file).',
  },
  CENTER_FLOW_TYPE_TAKEN: {
    meaning: 'Two flows of the center composition claim the same request type (the session router refuses to pick one).',
    action: 'Programmer error in the center composition: give each request type to exactly one flow.',
  },
  CENTER_KEY_OUT_NOT_FILE: {
    meaning: '`tessera keys terminal --out` names a symbolic link, device, FIFO or directory; a key is only written to a regular file.',
    action: 'Pass the path of a regular file (new, or existing with --force); never /dev/stdout or a link.',
  },
  CENTER_KEY_FILE_PERMISSIONS: {
    meaning: 'The terminal master key file (terminalKeys.masterKeyFile) is readable or writable by group or others.',
    action: 'chmod 600 the file the message names (the key itself is never shown).',
  },
  CENTER_ADMIN_LISTEN_FAILED: {
    meaning: 'The admin API could not bind its address (admin.host / admin.port).',
    action: 'Check admin.host/admin.port: another process may hold the port (the reason line says which errno).',
  },
  CENTER_MODULE_MISSING: {
    meaning: 'A center module needs another module (its `requires`) that is not in the module list, not enabled by the config, or named twice.',
    action: 'Programmer or config error: add the required module (and its config section) to the list given to startCenter (center/modules.ts).',
  },
  CENTER_NO_TERMINAL_DIRECTORY: {
    meaning: 'No module of the center, or more than one, provides the terminal list the handshake reads terminal keys from.',
    action: 'Programmer error in the center composition: run the validity module (it owns the terminal list) exactly once.',
  },
});

export type CenterErrorCode = keyof typeof CenterErrors;
