/**
 * `tessera admin <verb> <noun> [id]`: the operator's command line over the
 * center's admin API (docs/ADMIN-API.md). The token comes from a private
 * file (`--token-file`, refused when group or others may read it) or the
 * TESSERA_ADMIN_TOKEN environment variable; it is sent as a bearer token
 * and never printed. `--url` (or TESSERA_ADMIN_URL) names the admin
 * listener; `--ca` trusts the CA of its HTTPS certificate. Output: a table
 * (lists) or `field: value` lines (one object), `--json` the API's answer.
 * A refusal of the API is printed with its code and remedy (the code is the
 * API's: HTTP_FORBIDDEN, STORE_INVALID_INPUT, …).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { Agent, fetch as ufetch, type Dispatcher } from 'undici';
import { errorCode, TesseraError } from '../../core/errors.js';

export const ADMIN_VERBS = ['list', 'show', 'block', 'unblock', 'edit', 'retire'] as const;
type Verb = (typeof ADMIN_VERBS)[number];

interface Noun {
  /** The collection path (`/terminals`). */
  readonly path: string;
  readonly verbs: readonly Verb[];
  /** Columns of the table. */
  readonly columns: readonly string[];
  /** The query parameter of the next page (the API's `next`): `after`, or `before` for the audit trail. */
  readonly pageParam?: 'after' | 'before';
}

export const ADMIN_NOUNS: Readonly<Record<string, Noun>> = {
  terminals: { path: '/terminals', verbs: ['list', 'show', 'block', 'unblock', 'edit', 'retire'], columns: ['id', 'status', 'role', 'online', 'lastSeenAtMs', 'address', 'softwareVersion', 'callbackAddress'] },
  media: { path: '/media', verbs: ['list', 'show', 'block', 'unblock'], columns: ['id', 'kind', 'status', 'expiresAtMs'] },
  charges: { path: '/charges', verbs: ['list', 'show'], columns: ['id', 'terminalId', 'state', 'amountMinor', 'currency', 'bankCode', 'code', 'updatedMs'] },
  batches: { path: '/batches', verbs: ['list', 'show'], columns: ['id', 'terminalId', 'shopId', 'state', 'recordCount', 'totalMinor', 'currency', 'code'] },
  settlements: { path: '/settlements', verbs: ['list'], columns: ['id', 'batchId', 'shopId', 'state', 'amountMinor', 'currency', 'bankCode', 'resultCode'] },
  nodes: { path: '/nodes', verbs: ['list'], columns: ['id', 'host', 'pid', 'version', 'state', 'heartbeatAtMs'] },
  accounts: { path: '/accounts', verbs: ['list', 'show'], columns: ['id', 'kind', 'institution', 'currency', 'debitsPostedMinor', 'creditsPostedMinor'] },
  transfers: { path: '/transfers', verbs: ['list', 'show'], columns: ['id', 'debitAccountId', 'creditAccountId', 'amountMinor', 'currency', 'code'] },
  'audit-trail': { path: '/audit-trail', verbs: ['list'], columns: ['atMs', 'actor', 'role', 'method', 'route', 'outcome', 'code'], pageParam: 'before' },
};

/** Filter options → query parameters (the API refuses one a listing does not have: ADMIN_INVALID_BODY). */
const FILTERS: ReadonlyArray<readonly [option: string, param: string, description: string]> = [
  ['status', 'status', 'status filter (terminals: active|inactive|blocked; media: active|lost|stolen|expired|captured)'],
  ['kind', 'kind', 'kind filter (media: ic-card, …; accounts: an account kind)'],
  ['state', 'state', 'state filter (charges, batches, settlements)'],
  ['terminal-id', 'terminalId', 'terminal filter (charges, batches, settlements)'],
  ['shop-id', 'shopId', 'shop filter (batches, settlements)'],
  ['bank-code', 'bankCode', 'bank filter (charges, batches, settlements)'],
  ['card-id', 'cardId', 'card filter (charges)'],
  ['account', 'account', 'account filter (transfers: debit or credit)'],
  ['code', 'code', 'ledger code filter (transfers; 901: adjustments)'],
  ['currency', 'currency', 'currency filter (accounts)'],
  ['institution', 'institution', 'institution filter (accounts)'],
];

/** Wait for the admin API's answer at most this long. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The largest token file read (a token is ~100 chars). */
const TOKEN_FILE_BYTES_MAX = 4_096;

export interface AdminOptions {
  url?: string;
  tokenFile?: string;
  ca?: string;
  json?: boolean;
  limit?: string;
  after?: string;
  /** false: --no-callback-address (commander folds both into one option). */
  callbackAddress?: string | false;
  keyRef?: string;
  reason?: string;
  [filter: string]: unknown;
}

function bad(message: string, details: Record<string, unknown> = {}): TesseraError {
  return new TesseraError('CLI_BAD_ARGUMENT', message, details);
}

/** The operator token: the file (private, else refused) or TESSERA_ADMIN_TOKEN. Never printed. */
export function readAdminToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (tokenFile !== undefined) {
    let mode: number;
    let text: string;
    try {
      const st = statSync(tokenFile);
      mode = st.mode & 0o777;
      if (!st.isFile() || st.size > TOKEN_FILE_BYTES_MAX) throw new TesseraError('CLI_ADMIN_TOKEN_FILE', 'the token file is not a small regular file', { file: tokenFile });
      if ((mode & 0o077) !== 0) {
        throw new TesseraError('CLI_ADMIN_TOKEN_FILE', 'the token file may be read by other users: refused', { file: tokenFile, mode: `0${mode.toString(8)}` });
      }
      text = readFileSync(tokenFile, 'utf8');
    } catch (e) {
      if (e instanceof TesseraError) throw e;
      throw new TesseraError('CLI_ADMIN_TOKEN_FILE', 'cannot read the token file', { file: tokenFile, reason: errorCode(e) });
    }
    const token = text.trim();
    if (token === '') throw new TesseraError('CLI_ADMIN_TOKEN_MISSING', 'the token file is empty', { file: tokenFile });
    return token;
  }
  const fromEnv = env['TESSERA_ADMIN_TOKEN']?.trim();
  if (!fromEnv) throw new TesseraError('CLI_ADMIN_TOKEN_MISSING', 'no operator token: pass --token-file or set TESSERA_ADMIN_TOKEN');
  return fromEnv;
}

function baseUrl(opts: AdminOptions): URL {
  const raw = opts.url ?? process.env['TESSERA_ADMIN_URL'];
  if (!raw) throw bad('the admin API address is missing: pass --url or set TESSERA_ADMIN_URL', { field: 'url' });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('--url is not a URL (e.g. https://center.example:7443)', { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('--url must be http:// or https://', { field: 'url' });
  return url;
}

function dispatcherOf(opts: AdminOptions): Dispatcher | undefined {
  if (opts.ca === undefined) return undefined;
  let ca: Buffer;
  try {
    ca = readFileSync(opts.ca);
  } catch (e) {
    throw bad('cannot read the --ca file', { field: 'ca', file: opts.ca, reason: errorCode(e) });
  }
  return new Agent({ connect: { ca } });
}

/** One call to the admin API: its JSON answer, or its coded refusal thrown as the API's code. */
export async function callApi(opts: AdminOptions, method: string, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, baseUrl(opts));
  const token = readAdminToken(opts.tokenFile);
  const dispatcher = dispatcherOf(opts);
  let res: Awaited<ReturnType<typeof ufetch>>;
  try {
    res = await ufetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(dispatcher && { dispatcher }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    // Only the system's code and the address: never the request (it carries the token).
    const inner = (e as { cause?: unknown }).cause ?? e;
    throw new TesseraError('CLI_ADMIN_UNREACHABLE', `cannot reach the admin API at ${url.origin}`, { url: url.origin, reason: errorCode(inner) });
  } finally {
    void (dispatcher as Agent | undefined)?.close();
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TesseraError('CLI_ADMIN_BAD_ANSWER', `the answer of ${url.origin} is not the admin API's JSON`, { url: url.origin, status: res.status });
  }
  const err = (json as { error?: { code?: unknown; message?: unknown; details?: Record<string, unknown> } } | null)?.error;
  if (!res.ok || err) {
    if (!err || typeof err.code !== 'string') throw new TesseraError('CLI_ADMIN_BAD_ANSWER', `the admin API answered ${res.status} without a coded error`, { url: url.origin, status: res.status });
    throw new TesseraError(err.code, String(err.message ?? err.code), { status: res.status, ...(err.details ?? {}) });
  }
  return json;
}

function cell(field: string, v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number' && /AtMs$|Ms$/.test(field) && field !== 'inDoubtMs' && v > 1e11) return new Date(v).toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function formatTable(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const cells = rows.map((r) => columns.map((c) => cell(c, r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: readonly string[]): string => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

function formatObject(o: Record<string, unknown>): string {
  const width = Math.max(...Object.keys(o).map((k) => k.length));
  return Object.entries(o).map(([k, v]) => `${k.padEnd(width)}  ${cell(k, v)}`).join('\n');
}

function nounOf(name: string, verb: Verb): Noun {
  const noun = ADMIN_NOUNS[name];
  if (!noun) throw bad(`unknown noun '${name}' (one of ${Object.keys(ADMIN_NOUNS).join(', ')})`, { field: 'noun' });
  if (!noun.verbs.includes(verb)) throw new TesseraError('CLI_ADMIN_UNSUPPORTED', `${verb} does not apply to ${name}`, { noun: name, verbs: noun.verbs.join(', ') });
  return noun;
}

function needId(id: string | undefined, verb: Verb, noun: string): string {
  if (id === undefined || id === '') throw bad(`${verb} ${noun} needs an id`, { field: 'id' });
  return encodeURIComponent(id);
}

async function run(verb: Verb, nounName: string, id: string | undefined, opts: AdminOptions): Promise<void> {
  const noun = nounOf(nounName, verb);
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  if (verb === 'list') {
    if (id !== undefined) throw bad('list takes no id (use show)', { field: 'id' });
    const q = new URLSearchParams();
    if (opts.limit !== undefined) q.set('limit', opts.limit);
    if (opts.after !== undefined) q.set(noun.pageParam ?? 'after', opts.after);
    for (const [option, param] of FILTERS) {
      const key = option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
      if (typeof opts[key] === 'string') q.set(param, opts[key]);
    }
    const qs = q.toString();
    const page = (await callApi(opts, 'GET', `${noun.path}${qs ? `?${qs}` : ''}`)) as { items: Array<Record<string, unknown>>; next: string | null };
    if (opts.json) return out(JSON.stringify(page));
    out(formatTable(noun.columns, page.items));
    if (page.next !== null) process.stderr.write(`more: run again with --after ${page.next}\n`);
    return;
  }
  const path = `${noun.path}/${needId(id, verb, nounName)}`;
  let answer: unknown;
  switch (verb) {
    case 'show':
      answer = await callApi(opts, 'GET', path);
      return out(opts.json ? JSON.stringify(answer) : formatObject(answer as Record<string, unknown>));
    case 'block':
      answer = await callApi(opts, 'POST', `${path}/block`, nounName === 'media' ? { status: opts.reason ?? 'lost' } : {});
      break;
    case 'unblock':
      answer = await callApi(opts, 'POST', `${path}/unblock`, {});
      break;
    case 'retire':
      answer = await callApi(opts, 'POST', `${path}/retire`, {});
      break;
    case 'edit': {
      const edit: Record<string, unknown> = {};
      if (opts.callbackAddress !== undefined) edit['callbackAddress'] = opts.callbackAddress === false ? null : opts.callbackAddress;
      if (opts.keyRef !== undefined) edit['keyRef'] = opts.keyRef;
      if (Object.keys(edit).length === 0) throw bad('edit needs --callback-address, --no-callback-address or --key-ref', { field: 'edit' });
      answer = await callApi(opts, 'PATCH', path, edit);
      break;
    }
  }
  if (opts.json) return out(JSON.stringify(answer));
  out(`${nounName} ${id}: ${verb} done (validity version ${String((answer as { version?: unknown }).version)})`);
}

export function registerAdmin(program: Command): void {
  const admin = program
    .command('admin')
    .description(`the admin API from the command line: ${ADMIN_VERBS.join('|')} ${Object.keys(ADMIN_NOUNS).join('|')} (token from --token-file, mode 0600, or TESSERA_ADMIN_TOKEN)`);
  for (const verb of ADMIN_VERBS) {
    const cmd = admin
      .command(verb)
      .description(`${verb} ${Object.entries(ADMIN_NOUNS).filter(([, n]) => n.verbs.includes(verb)).map(([k]) => k).join('|')}`)
      .argument('<noun>', Object.keys(ADMIN_NOUNS).join(', '))
      .option('--url <url>', 'the admin API (default: TESSERA_ADMIN_URL), e.g. https://center.example:7443')
      .option('--token-file <file>', 'a file holding the operator token (mode 0600; default: TESSERA_ADMIN_TOKEN)')
      .option('--ca <file>', 'PEM CA certificate(s) to trust for an HTTPS --url')
      .option('--json', 'print the API\'s JSON answer');
    if (verb !== 'list') cmd.argument('<id>', 'the id of the terminal, medium, charge, batch, account or transfer');
    if (verb === 'list') {
      cmd.option('--limit <n>', 'items per page (1-1000, default 100)').option('--after <cursor>', 'the next page: the cursor printed after the previous one');
      for (const [option, , description] of FILTERS) cmd.option(`--${option} <value>`, description);
    }
    if (verb === 'block') cmd.option('--reason <lost|stolen>', 'media: why it is blocked (default lost)');
    if (verb === 'edit') {
      cmd
        .option('--callback-address <host:port>', 'where the center calls the terminal back')
        .option('--no-callback-address', 'remove the callback address')
        .option('--key-ref <keyRef>', 'rotate the terminal key: the new key reference (provision its key file first)');
    }
    cmd.action(async (noun: string, idOrOpts: unknown, maybeOpts?: unknown) => {
      const [id, opts] = verb === 'list' ? [undefined, idOrOpts as AdminOptions] : [idOrOpts as string, maybeOpts as AdminOptions];
      await run(verb, noun, id, opts);
    });
  }
}
