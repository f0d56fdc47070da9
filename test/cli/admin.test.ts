/**
 * `tessera admin …` as real CLI processes against a real `tessera center`
 * process with its admin listener on HTTPS (a certificate this test makes
 * with openssl, trusted with --ca): tables and --json, block/unblock/retire/
 * edit of terminals and media with an operator's token, coded refusals of the
 * API (wrong role, bad filter, bad address) and of the CLI itself (token file
 * readable by others, no token, unknown noun, verb not for that noun, an
 * untrusted certificate); never a stack trace, never the token.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminMigrations } from '../../center/admin/audit-trail.js';
import { Operators } from '../../center/admin/operators.js';
import { openStorage } from '../../center/storage/open.js';
import { ValidityRepository } from '../../center/validity/repository.js';
import { systemRandom } from '../../core/random.js';
import { CliProcess, runCli } from '../../sim/world/cli-process.js';
import { keyDir } from '../center/server/support.js';

const keys = keyDir();
const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-admin-'));
const db = join(dir, 'center.db');
const files = { viewer: join(dir, 'viewer.token'), operator: join(dir, 'operator.token'), loose: join(dir, 'loose.token'), ca: join(dir, 'admin.crt'), key: join(dir, 'admin.key') };
const tokens = { viewer: '', operator: '' };
let center: CliProcess;
let url: string;

/** `tessera admin <args>` with the URL and CA of the test center. */
function admin(args: string[], opts: { token?: 'viewer' | 'operator' | 'loose' | null; env?: Record<string, string>; ca?: boolean } = {}) {
  const token = opts.token === undefined ? 'viewer' : opts.token;
  return runCli(['admin', ...args, '--url', url, ...(opts.ca === false ? [] : ['--ca', files.ca]), ...(token ? ['--token-file', files[token]] : [])], { TESSERA_ADMIN_TOKEN: '', ...opts.env }, 60_000);
}

/** The operator-facing checks every failure must pass: coded line, remedy, no stack, no token. */
function expectCoded(r: { code: number | null; output: string }, code: string, exit = 1): void {
  expect({ exit: r.code, line: r.output.split('\n').find((l) => l.startsWith('tessera: ')) }).toEqual({ exit, line: expect.stringContaining(`tessera: ${code}: `) });
  expect(r.output).toContain('what to do: ');
  expectClean(r.output);
}

function expectClean(output: string): void {
  expect(output).not.toMatch(/^\s+at .+[:(]/m);
  for (const t of Object.values(tokens)) expect(output).not.toContain(t);
}

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', files.key, '-out', files.ca], { stdio: 'ignore' });
  chmodSync(files.key, 0o600);
  const storage = await openStorage({ engine: 'sqlite', path: db });
  await storage.migrate(adminMigrations);
  const ops = new Operators(storage, systemRandom);
  tokens.viewer = await ops.add('desk-viewer', 'viewer', 1);
  tokens.operator = await ops.add('desk-operator', 'operator', 1);
  const validity = await ValidityRepository.open(storage);
  await validity.addTerminals([
    { id: 'POS-1', ownerKind: 'store', ownerId: 'S1', keyRef: 'k-POS-1' },
    { id: 'PC-7', ownerKind: 'user', ownerId: 'U7', keyRef: 'k-PC-7' },
  ]);
  await validity.addMedia([{ id: '00000000000000c1', expiresAtMs: 4_102_444_800_000 }, { id: '00000000000000c2', expiresAtMs: 4_102_444_800_000 }]);
  await storage.close();
  writeFileSync(files.viewer, `${tokens.viewer}\n`, { mode: 0o600 });
  writeFileSync(files.operator, `${tokens.operator}\n`, { mode: 0o600 });
  writeFileSync(files.loose, `${tokens.operator}\n`, { mode: 0o600 });
  chmodSync(files.loose, 0o644);
  const config = join(dir, 'center.json');
  const secret = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text, { mode: 0o600 });
    return f;
  };
  // E-money on (its bank is never reached here: the rows below are in final states the sweep leaves alone).
  const emoney = {
    issuerMasterKeyFile: secret('issuer.key', `${'ab'.repeat(32)}\n`),
    providerAccounts: [{ bankCode: '0001', branchCode: '009', accountNumber: '9000001', securityCodeFile: secret('p1.code', '90019001') }],
    banks: [{ bankCode: '0001', url: 'http://127.0.0.1:1' }],
  };
  writeFileSync(config, JSON.stringify({ listen: { port: 0 }, db, admin: { port: 0, tls: { certFile: files.ca, keyFile: files.key } }, terminalKeys: { masterKeyFile: keys.masterKeyFile }, emoney }));
  center = new CliProcess('center', ['center', '--config', config]);
  const ready = await center.ready(60_000);
  url = `https://127.0.0.1:${String(ready['admin'])}`;
  const live = await openStorage({ engine: 'sqlite', path: db });
  try {
    await live.transact(async (tx) => {
      await tx.run("INSERT INTO emoney_charges (id, terminal_id, bank_code, branch, account, amount, currency, state, code, card_id, auth_counter, created_ms, updated_ms) VALUES ('ch-1', 'PC-7', '0001', '001', '7654321', 1500, 'JPY', 'issued', 'OK', '00000000000000c1', 3, 1, 2)");
      await tx.run("INSERT INTO emoney_batches (id, terminal_id, shop_id, bank_code, state, records, results, total, currency, code, created_ms, updated_ms) VALUES ('bt-1', 'POS-1', 'SHOP-A', '0001', 'settled', '[{}]', NULL, 1500, 'JPY', 'OK', 1, 2)");
    });
  } finally {
    await live.close();
  }
}, 120_000);

afterAll(async () => {
  await center?.stop();
  keys.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe('tessera admin', { timeout: 300_000 }, () => {
  it('lists terminals as a table and as JSON over HTTPS with --ca, shows one, lists nodes, and never prints the token', async () => {
    const table = await admin(['list', 'terminals']);
    expect(table.code).toBe(0);
    const lines = table.output.trim().split('\n');
    expect(lines[0]).toMatch(/^id\s+status\s+role\s+online\s+lastSeenAtMs\s+address\s+softwareVersion\s+callbackAddress$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([['PC-7', 'active', 'user', 'false'], ['POS-1', 'active', 'store', 'false']]);
    expectClean(table.output);

    const json = await admin(['list', 'terminals', '--json', '--limit', '1']);
    expect(json.code).toBe(0);
    expect(json.lines[0]).toEqual({ items: [expect.objectContaining({ id: 'PC-7', role: 'user', online: false })], next: 'PC-7' });
    const page2 = await admin(['list', 'terminals', '--limit', '1', '--after', 'PC-7']);
    const rows = page2.output.trim().split('\n').filter((l) => !l.startsWith('more: '));
    expect(rows.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['POS-1']);
    expect(page2.output).toContain('more: run again with --after POS-1');

    const show = await admin(['show', 'terminals', 'POS-1']);
    expect(show.code).toBe(0);
    expect(show.output).toMatch(/^keyRef\s+k-POS-1$/m);
    const nodes = await admin(['list', 'nodes', '--json']);
    expect((nodes.lines[0] as { items: Array<{ state: string }> }).items.map((n) => n.state)).toEqual(['up']);
  });

  it('lists the e-money module\'s charges (account masked) and settlements', async () => {
    const charges = await admin(['list', 'charges', '--state', 'issued']);
    expect(charges.code).toBe(0);
    const [head, row] = charges.output.trim().split('\n');
    expect(head).toMatch(/^id\s+terminalId\s+state\s+amountMinor\s+currency\s+bankCode\s+code\s+updatedMs$/);
    expect(row!.split(/\s+/).slice(0, 7)).toEqual(['ch-1', 'PC-7', 'issued', '1500', 'JPY', '0001', 'OK']);
    const show = await admin(['show', 'charges', 'ch-1', '--json']);
    expect(show.lines[0]).toMatchObject({ id: 'ch-1', accountLast4: '4321', cardId: '00000000000000c1' });
    expect(show.output).not.toContain('7654321');
    const settlements = await admin(['list', 'settlements', '--shop-id', 'SHOP-A', '--json']);
    expect(settlements.lines[0]).toMatchObject({ items: [expect.objectContaining({ batchId: 'bt-1', state: 'paid', amountMinor: 1500 })], next: null });
  });

  it('steers terminals and media with an operator token (block, unblock, retire, edit), each in the audit trail under the operator', async () => {
    const steps: string[][] = [
      ['block', 'terminals', 'POS-1'],
      ['unblock', 'terminals', 'POS-1'],
      ['retire', 'terminals', 'PC-7'],
      ['edit', 'terminals', 'POS-1', '--callback-address', 'pos-1.shop.example:7801', '--key-ref', 'k-POS-1-v2'],
      ['block', 'media', '00000000000000c2', '--reason', 'stolen'],
    ];
    for (const step of steps) {
      const r = await admin(step, { token: 'operator' });
      expect({ step, code: r.code, out: r.output }).toEqual({ step, code: 0, out: expect.stringMatching(/done \(validity version \d+\)/) });
    }
    const pos1 = await admin(['show', 'terminals', 'POS-1', '--json']);
    expect(pos1.lines[0]).toMatchObject({ status: 'active', callbackAddress: 'pos-1.shop.example:7801', keyRef: 'k-POS-1-v2' });
    expect((await admin(['list', 'terminals', '--status', 'inactive', '--json'])).lines[0]).toMatchObject({ items: [expect.objectContaining({ id: 'PC-7' })] });
    expect((await admin(['list', 'media', '--status', 'stolen', '--kind', 'ic-card', '--json'])).lines[0]).toMatchObject({ items: [expect.objectContaining({ id: '00000000000000c2', kind: 'ic-card' })] });
    const unset = await admin(['edit', 'terminals', 'POS-1', '--no-callback-address', '--json'], { token: 'operator' });
    expect(unset.code).toBe(0);
    expect((await admin(['show', 'terminals', 'POS-1', '--json'])).lines[0]).toMatchObject({ callbackAddress: null });

    const trail = await admin(['list', 'audit-trail', '--json', '--limit', '20']);
    const rows = (trail.lines[0] as { items: Array<{ actor: string; role: string; method: string; route: string; outcome: string }> }).items;
    expect(rows.filter((r) => r.outcome === 'ok').map((r) => `${r.method} ${r.route} ${r.actor}/${r.role}`)).toEqual(expect.arrayContaining([
      'POST /terminals/:id/block desk-operator/operator', 'POST /terminals/:id/retire desk-operator/operator',
      'PATCH /terminals/:id desk-operator/operator', 'POST /media/:id/block desk-operator/operator',
    ]));
    expectClean(trail.output);
  });

  it('prints the API\'s refusals with their code and remedy and changes nothing: wrong role, bad address, bad filters, unknown id', async () => {
    const before = (await admin(['list', 'terminals', '--json'])).lines[0];
    expectCoded(await admin(['block', 'terminals', 'POS-1']), 'HTTP_FORBIDDEN');
    expectCoded(await admin(['edit', 'terminals', 'POS-1', '--callback-address', 'no-port-here'], { token: 'operator' }), 'STORE_INVALID_INPUT');
    expectCoded(await admin(['list', 'terminals', '--kind', 'ic-card']), 'ADMIN_INVALID_BODY');
    expectCoded(await admin(['show', 'terminals', 'NOPE-1']), 'ADMIN_NOT_FOUND');
    expectCoded(await admin(['list', 'charges', '--state', 'lost']), 'ADMIN_INVALID_BODY');
    expect((await admin(['list', 'terminals', '--json'])).lines[0]).toEqual(before);
  });

  it('refuses a token file others may read, a missing token, an untrusted certificate, an unknown noun and a verb the noun lacks, with codes; takes the token from TESSERA_ADMIN_TOKEN', async () => {
    const loose = await admin(['block', 'terminals', 'POS-1'], { token: 'loose' });
    expectCoded(loose, 'CLI_ADMIN_TOKEN_FILE');
    expect(loose.output).toContain('mode: 0644');
    expectCoded(await admin(['list', 'terminals'], { token: null }), 'CLI_ADMIN_TOKEN_MISSING');
    const env = await admin(['list', 'media', '--json'], { token: null, env: { TESSERA_ADMIN_TOKEN: tokens.viewer } });
    expect(env.code).toBe(0);
    expect((env.lines[0] as { items: unknown[] }).items).toHaveLength(2);
    expectCoded(await admin(['list', 'terminals'], { ca: false }), 'CLI_ADMIN_UNREACHABLE');
    expectCoded(await admin(['list', 'gizmos']), 'CLI_BAD_ARGUMENT', 2);
    expectCoded(await admin(['block', 'charges', 'c1'], { token: 'operator' }), 'CLI_ADMIN_UNSUPPORTED');
    expect((await admin(['show', 'terminals', 'POS-1', '--json'])).lines[0]).toMatchObject({ status: 'active' });
  });
});
