import { defineErrors } from '../../core/errors.js';

/** Admin/ops HTTP API codes. Storage and ledger codes pass through with their own status (see http-status.ts). */
export const AdminErrors = defineErrors('admin', 'ADMIN_', {
  ADMIN_BAD_JSON: { meaning: 'The request body is not valid JSON.', action: 'Send a JSON object with Content-Type application/json.' },
  ADMIN_INVALID_BODY: { meaning: 'The request body does not have the expected shape; details list the fields.', action: 'Fix the request.' },
  ADMIN_BODY_TOO_LARGE: { meaning: 'The request body exceeds ADMIN_BODY_MAX_BYTES.', action: 'Split the request.' },
  ADMIN_NO_ROUTE: { meaning: 'No route matches this method and path.', action: 'Check the URL and method against the admin API routes.' },
  ADMIN_NOT_FOUND: { meaning: 'The account or transfer asked for does not exist.', action: 'Check the id.' },
  ADMIN_BUSY: { meaning: 'Too many admin requests are in flight (ADMIN_INFLIGHT_MAX).', action: 'Retry shortly.' },
  ADMIN_INTERNAL: { meaning: 'The request failed for a reason that has no code of its own.', action: 'Read the center log for the request; report it.' },
  ADMIN_SYSTEM_ACCOUNT: {
    meaning: 'A raw transfer names a system account (e-money float, provider at a bank, clearing, stored-value liability): only the money flows book those.',
    action: 'Correct the books through the flow concerned; a correction that must be manual goes through a suspense account with a ticket.',
  },
});
