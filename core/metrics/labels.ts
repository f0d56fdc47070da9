/**
 * Bounded label values (Prometheus: every label value set must be small and
 * fixed, or the time-series count grows without bound). A value outside its
 * fixed set is exported as `other`; ids of cards, terminals and transfers,
 * tokens, PINs and keys never become labels.
 */
export const OTHER = 'other';

/** `value` when it is one of `allowed`, else `other`. */
export function bounded(value: string | undefined, allowed: ReadonlySet<string>): string {
  return value !== undefined && allowed.has(value) ? value : OTHER;
}

/** A coded error's code as a label: it must look like a registry code (`AREA_WORD…`) and be in `allowed` when given. */
export function codeLabel(code: string | null | undefined, allowed?: ReadonlySet<string>): string {
  if (code === null || code === undefined) return 'none';
  if (!/^[A-Z][A-Z0-9]*_[A-Z0-9_]{1,60}$/.test(code)) return OTHER;
  if (allowed && !allowed.has(code)) return OTHER;
  return code;
}
