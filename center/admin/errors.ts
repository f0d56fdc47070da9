import { defineErrors } from '../../core/errors.js';

/** Admin/ops HTTP API codes. Each code carries its HTTP status (`http`); storage and ledger codes pass through with theirs. */
export const AdminErrors = defineErrors('admin', 'ADMIN_', {
  ADMIN_BAD_JSON: { meaning: 'The request body is not valid JSON.', action: 'Send a JSON object with Content-Type application/json.', http: 400 },
  ADMIN_INVALID_BODY: {
    meaning: 'The request body (or a query or path parameter) does not have the expected shape; details.issues list each field path.',
    action: 'Fix the fields named in details.issues (the route\'s schema is in /openapi.json).',
    http: 400,
  },
  ADMIN_BODY_TOO_LARGE: { meaning: 'The request body exceeds CENTER_LIMITS.adminBodyBytesMax.', action: 'Split the request.', http: 413 },
  ADMIN_NO_ROUTE: { meaning: 'No route matches this method and path.', action: 'Check the URL and method against the admin API routes.', http: 404 },
  ADMIN_NOT_FOUND: { meaning: 'The account, transfer, medium, terminal, e-money charge or batch asked for does not exist.', action: 'Check the id.', http: 404 },
  ADMIN_BUSY: { meaning: 'Too many admin requests are in flight (CENTER_LIMITS.adminInFlightMax).', action: 'Retry shortly.', http: 503 },
  ADMIN_INTERNAL: { meaning: 'The request failed for a reason that has no code of its own.', action: 'Read the center log for the request; report it.', http: 500 },
  ADMIN_SYSTEM_ACCOUNT: {
    meaning: 'A raw transfer names a system account (e-money float, provider at a bank, clearing, stored-value liability): only the money flows book those.',
    action: 'Correct the books through the flow concerned; a correction that must be manual goes through a suspense account with a ticket.',
    http: 403,
  },
  ADMIN_OPERATOR_INVALID: {
    meaning: 'An operator name or role is not valid (name 1-32 chars [a-z0-9._-] starting with a letter; role viewer, operator or admin).',
    action: 'Fix the name or role; details.field names it.',
    http: 400,
  },
  ADMIN_OPERATOR_EXISTS: { meaning: 'An operator with this name exists (perhaps revoked: names are never reused).', action: 'Choose another name.', http: 409 },
  ADMIN_ADJUSTMENT_REFUSED: {
    meaning: 'The ledger refused the adjustment transfer (details.result: e.g. debit_account_not_found, currency_mismatch, insufficient_funds); nothing was booked.',
    action: 'Correct the adjustment (accounts, currency, amount) and send it again with a new id.',
    http: 409,
  },
  ADMIN_BAD_CURSOR: { meaning: 'The paging cursor is not one this API gave out.', action: 'Start again without a cursor, then pass each answer\'s `next` unchanged.', http: 400 },
  ADMIN_NOT_READY: {
    meaning: 'The center is not ready to serve (details.checks name each failed check and its code: database not writable, migrations behind, validity store not loaded, a bank unreachable).',
    action: 'Fix the check named with the remedy of its code (docs/ERRORS.md); the probe turns ready by itself.',
    http: 503,
  },
  ADMIN_MIGRATIONS_BEHIND: {
    meaning: 'The database has not run every migration this center version knows (a module\'s version is lower than the code\'s).',
    action: 'Restart the center (it migrates at start) or run the newer center version\'s migrations; details name the module.',
  },
  ADMIN_OPERATOR_UNKNOWN: { meaning: 'No current operator has this name (never added, or already revoked).', action: 'Check the name with tessera operator list.' },
  ADMIN_TLS_FILE: { meaning: 'The admin listener\'s TLS certificate or key file cannot be read.', action: 'Check admin.tls.certFile and keyFile exist and are readable by the center.' },
});

/**
 * Every code the admin API's routes can answer besides the shared HTTP
 * surface's own (center/http/errors.ts): each has its HTTP status beside it
 * (test/core/numbers.test.ts checks it, and the app refuses to start without).
 */
export const ADMIN_HTTP_ANSWERS: readonly string[] = [
  ...Object.keys(AdminErrors),
  'STORE_INVALID_INPUT', 'STORE_NOT_FOUND', 'STORE_DUPLICATE', 'STORE_OVERLOADED', 'STORE_COMMIT_FAILED', 'STORE_CLOSED', 'STORE_UNSAFE_INTEGER', 'STORE_READ_ONLY',
  'LEDGER_TOO_MANY_EVENTS',
].filter((c) => !['ADMIN_MIGRATIONS_BEHIND', 'ADMIN_TLS_FILE', 'ADMIN_OPERATOR_UNKNOWN'].includes(c));
