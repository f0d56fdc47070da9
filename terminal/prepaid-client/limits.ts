/** Named limits of the prepaid client (the user's PC; seed 000). */
export const PREPAID_CLIENT_LIMITS = {
  /** One HTTPS call to the provider gives up after this (the request stays pending on the medium: `resume`). */
  callTimeoutMs: 15_000,
  /** Attempts of one call while the provider sheds load (503 HTTP_OVERLOADED), and the pause before the next (times the attempt). */
  overloadedAttemptsMax: 4,
  overloadedPauseMs: 500,
} as const;
