/** HTTP status for each coded error the admin API can answer with. */
const STATUS: Readonly<Record<string, number>> = {
  ADMIN_BAD_JSON: 400,
  ADMIN_INVALID_BODY: 400,
  ADMIN_BODY_TOO_LARGE: 413,
  ADMIN_NO_ROUTE: 404,
  ADMIN_NOT_FOUND: 404,
  ADMIN_BUSY: 503,
  ADMIN_INTERNAL: 500,
  ADMIN_SYSTEM_ACCOUNT: 403,
  STORE_INVALID_INPUT: 400,
  STORE_NOT_FOUND: 404,
  STORE_DUPLICATE: 409,
  STORE_OVERLOADED: 503,
  STORE_COMMIT_FAILED: 503,
  STORE_CLOSED: 503,
  STORE_UNSAFE_INTEGER: 500,
  STORE_READ_ONLY: 503,
  LEDGER_TOO_MANY_EVENTS: 400,
};

/** The whole map (the number-registry test checks each code is registered with a remedy). */
export const HTTP_STATUS_BY_CODE: Readonly<Record<string, number>> = STATUS;

export function statusFor(code: string): number {
  return STATUS[code] ?? 500;
}
