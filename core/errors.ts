/**
 * Error-code registries (one per area, fastify style).
 *
 * Each area declares its codes once with `defineErrors`, giving for every
 * code what it means and what an operator should do. `TesseraError` carries
 * the code; bad input from outside becomes a TesseraError (an expected,
 * coded outcome), never an uncaught exception. Messages and details must
 * never contain a PIN, key or full secret: pass ids and lengths, not values.
 */

export interface ErrorSpec {
  /** What happened, in one sentence. */
  readonly meaning: string;
  /** What the operator should do about it. */
  readonly action: string;
  /** The HTTP status an HTTP route answers this code with (set on every code an HTTP route can answer). */
  readonly http?: number;
}

export type ErrorRegistry = Readonly<Record<string, ErrorSpec>>;

const registries = new Map<string, ErrorRegistry>();

/**
 * Declares an area's registry. Codes must be UPPER_SNAKE and start with the
 * area prefix (e.g. `PROTO_`), so a code names its area wherever it shows up.
 */
export function defineErrors<const T extends ErrorRegistry>(area: string, prefix: string, specs: T): T {
  if (registries.has(area)) throw new Error(`error registry '${area}' defined twice`);
  for (const code of Object.keys(specs)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code) || !code.startsWith(prefix)) {
      throw new Error(`error code '${code}' in '${area}' must be UPPER_SNAKE starting with '${prefix}'`);
    }
    for (const other of registries.values()) {
      if (code in other) throw new Error(`error code '${code}' declared in two registries`);
    }
    const http = specs[code]?.http;
    if (http !== undefined && !(Number.isInteger(http) && http >= 400 && http <= 599)) {
      throw new Error(`error code '${code}' has HTTP status ${http}: an error answers 4xx or 5xx`);
    }
  }
  registries.set(area, Object.freeze({ ...specs }));
  return specs;
}

/** Every registry declared so far (used by the docs generator and the pinning test). */
export function allRegistries(): ReadonlyMap<string, ErrorRegistry> {
  return registries;
}

export class TesseraError<C extends string = string> extends Error {
  override readonly name = 'TesseraError';
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
    this.details = details;
  }
}

export function isTesseraError(e: unknown): e is TesseraError {
  return e instanceof TesseraError;
}

/** The code of an error if it has one, otherwise 'INTERNAL'. */
export function errorCode(e: unknown): string {
  if (e instanceof TesseraError) return e.code;
  if (typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return 'INTERNAL';
}

/** The registry entry of a code, if a registry declaring it has been loaded. */
export function errorSpec(code: string): ErrorSpec | undefined {
  for (const reg of registries.values()) {
    const spec = reg[code];
    if (spec) return spec;
  }
  return undefined;
}

/** The HTTP status registered beside a code (undefined: the code is not meant for an HTTP answer). */
export function httpStatusOf(code: string): number | undefined {
  return errorSpec(code)?.http;
}

/** Detail keys that say where the problem is (printed first, one per line). */
const WHERE_KEYS = ['path', 'field', 'outFile', 'file', 'dir', 'stateDir', 'host', 'port', 'problems'];

/**
 * An error as an operator reads it: `CODE: message` once, then where (path,
 * field, the other details), the reason underneath (errno, JSON parse
 * position), and the remedy from the registry. Never a stack trace. An error
 * without a registered code is shown as `fallbackCode` with its own code in
 * the reason. Details hold ids, paths and lengths only (never secrets), so
 * they are printed as they are.
 */
export function formatOperatorError(e: unknown, fallbackCode = 'INTERNAL'): string {
  const own = errorCode(e);
  const registered = errorSpec(own) !== undefined;
  const code = registered ? own : fallbackCode;
  const raw = e instanceof Error ? e.message : String(e);
  const message = raw.startsWith(`${own}: `) ? raw.slice(own.length + 2) : raw;
  const lines = [`${code}: ${message}`];
  if (!registered && own !== 'INTERNAL' && !message.startsWith(own)) lines.push(`  reason: ${own}`);
  const details = e instanceof TesseraError ? (e.details ?? {}) : {};
  const keys = Object.keys(details).sort((a, b) => rank(a) - rank(b));
  for (const k of keys) {
    const text = detailText(details[k]);
    // A detail the message already spells out (the problems list of a config error) is not repeated.
    if (Array.isArray(details[k]) && message.includes(text)) continue;
    lines.push(`  ${k}: ${text}`);
  }
  const cause = e instanceof Error ? e.cause : undefined;
  if (cause !== undefined) lines.push(`  reason: ${causeText(cause)}`);
  const action = errorSpec(code)?.action;
  if (action) lines.push(`  what to do: ${action}`);
  return lines.join('\n');
}

function rank(key: string): number {
  const i = WHERE_KEYS.indexOf(key);
  return i < 0 ? WHERE_KEYS.length : i;
}

function detailText(v: unknown): string {
  if (Array.isArray(v)) return v.map(itemText).join('; ');
  return (typeof v === 'string' ? v : JSON.stringify(v)).replace(/\s*\n\s*/g, ' ');
}

/** One entry of a details list: a validation issue `{path, message}` as "path: message", any other object as JSON (never "[object Object]"). */
function itemText(v: unknown): string {
  if (v !== null && typeof v === 'object') {
    const o = v as { path?: unknown; message?: unknown };
    if (typeof o.message === 'string' && (typeof o.path === 'string' || Array.isArray(o.path))) {
      const path = Array.isArray(o.path) ? o.path.join('.') : o.path;
      return `${path === '' ? '(root)' : path}: ${o.message}`;
    }
    return JSON.stringify(v);
  }
  return String(v);
}

function causeText(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = errorCode(cause);
  const text = cause.message.startsWith(`${code}: `) ? cause.message.slice(code.length + 2) : cause.message;
  return code === 'INTERNAL' ? `${text} (${cause.name})` : `${code}: ${text}`;
}
