import { defineErrors } from '../../core/errors.js';

/** Admin/ops HTTP API codes. Each code carries its HTTP status (`http`); storage and ledger codes pass through with theirs. */
export const AdminErrors = defineErrors('admin', 'ADMIN_', {
  ADMIN_BAD_JSON: { meaning: 'The request body is not valid JSON.', action: 'Send a JSON object with Content-Type application/json.', http: 400 },
  ADMIN_INVALID_BODY: { meaning: 'The request body does not have the expected shape; details list the fields.', action: 'Fix the request.', http: 400 },
  ADMIN_BODY_TOO_LARGE: { meaning: 'The request body exceeds ADMIN_BODY_MAX_BYTES.', action: 'Split the request.', http: 413 },
  ADMIN_NO_ROUTE: { meaning: 'No route matches this method and path.', action: 'Check the URL and method against the admin API routes.', http: 404 },
  ADMIN_NOT_FOUND: { meaning: 'The account or transfer asked for does not exist.', action: 'Check the id.', http: 404 },
  ADMIN_BUSY: { meaning: 'Too many admin requests are in flight (ADMIN_INFLIGHT_MAX).', action: 'Retry shortly.', http: 503 },
  ADMIN_INTERNAL: { meaning: 'The request failed for a reason that has no code of its own.', action: 'Read the center log for the request; report it.', http: 500 },
  ADMIN_SYSTEM_ACCOUNT: {
    meaning: 'A raw transfer names a system account (e-money float, provider at a bank, clearing, stored-value liability): only the money flows book those.',
    action: 'Correct the books through the flow concerned; a correction that must be manual goes through a suspense account with a ticket.',
    http: 403,
  },
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
];
