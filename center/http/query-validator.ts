/**
 * The zod validator compiler (fastify-type-provider-zod), with each route's
 * query strings remembered once validated: a listing asked again with the
 * same query (a shop polling its settlements) is not parsed by zod again.
 *
 * The key is the parsed query as JSON (its string values in their order);
 * only a valid query whose output holds nothing but primitives is kept, as a
 * frozen object shared by the requests that ask it (handlers read their
 * query, never write it). An invalid query is validated every time (its
 * coded error names the field). At most HTTP_LIMITS.queryCacheEntriesMax
 * per route: a full cache is dropped whole, so a client cycling through
 * query strings costs one JSON.stringify more per request, no memory.
 * Bodies, params and headers are validated as before.
 */
import { validatorCompiler } from 'fastify-type-provider-zod';
import { HTTP_LIMITS } from './limits.js';

type Compiler = typeof validatorCompiler;
type Validate = ReturnType<Compiler>;
type Result = ReturnType<Validate>;

const primitive = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function');

/** The cache key of a parsed query (string values only; undefined: not cached). */
function keyOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  for (const k in data) if (typeof (data as Record<string, unknown>)[k] !== 'string') return undefined;
  return JSON.stringify(data);
}

export const cachingValidatorCompiler: Compiler = (route) => {
  const validate = validatorCompiler(route);
  if (route.httpPart !== 'querystring') return validate;
  const seen = new Map<string, Result>();
  return ((data: unknown): Result => {
    const key = keyOf(data);
    if (key === undefined) return validate(data);
    const hit = seen.get(key);
    if (hit !== undefined) return hit;
    const r = validate(data);
    const { error, value } = r as { error?: unknown; value?: unknown };
    if (error === undefined && typeof value === 'object' && value !== null && Object.values(value).every(primitive)) {
      if (seen.size >= HTTP_LIMITS.queryCacheEntriesMax) seen.clear();
      const kept = { value: Object.freeze({ ...value }) } as Result;
      seen.set(key, kept);
      return kept;
    }
    return r;
  }) as Validate;
};
