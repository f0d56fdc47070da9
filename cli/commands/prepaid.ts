import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { errorCode, TesseraError } from '../../core/errors.js';
import { mediumIdHex, readMediumFile } from '../../protocol/prepaid/medium.js';
import { writeIssuedFile } from '../../terminal/agent/roles/prepaid/medium-writer.js';
import { DirRemovableStore } from '../../terminal/devices/files/dir-removable-store.js';
import { callApi, formatTable, type AdminOptions } from './admin.js';

/**
 * `tessera prepaid ...`: the operator's recovery procedure for prepaid media
 * (seed 000; docs/PREPAID.md, "Recovery procedure"), over the center's admin
 * API (token from --token-file, mode 0600, or TESSERA_ADMIN_TOKEN; --url or
 * TESSERA_ADMIN_URL), every change in its audit trail with the operator and
 * the reason.
 *
 *   tessera prepaid frozen [--json]                           frozen media with their clone records
 *   tessera prepaid freeze MEDIUM --reason TEXT               the operator's freeze for review (lost, stolen,
 *       a copy suspected): refused everywhere, the balance kept for recover; again: frozen already
 *   tessera prepaid recover MEDIUM --new-medium DIR --reason TEXT [--new-medium-id HEX] [--request-id HEX]
 *       the frozen medium's balance to a replacement; generation 1 written into slot A of the blank
 *       medium mounted at DIR. Run again (a crash, a pulled medium): the same replacement, the same file.
 */
export function registerPrepaid(program: Command): void {
  const prepaid = program.command('prepaid').description('prepaid media (seed 000): the operator\'s freeze and review of media and recovery of their value, over the admin API');
  const api = (c: Command): Command =>
    c
      .option('--url <url>', 'the admin API (default: TESSERA_ADMIN_URL)')
      .option('--token-file <file>', 'a file holding the operator token (mode 0600; default: TESSERA_ADMIN_TOKEN)')
      .option('--ca <file>', 'PEM CA certificate(s) to trust for an HTTPS --url')
      .option('--json', 'print JSON');
  const out = (s: string): void => void process.stdout.write(`${s}\n`);

  api(prepaid.command('frozen').description('list frozen media (a copy or a rollback was presented), oldest first, with their clone records')).action(async (o: AdminOptions) => {
    const r = (await callApi(o, 'GET', '/prepaid/frozen')) as { items: FrozenItem[] };
    if (o.json) return out(JSON.stringify(r));
    if (r.items.length === 0) return out('no frozen media');
    out(formatTable(['mediumId', 'balanceMinor', 'currency', 'confirmedGen', 'frozenAt'], r.items.map((m) => ({ ...m, frozenAt: new Date(m.frozenAtMs).toISOString() }))));
    for (const m of r.items) {
      for (const c of m.clones) out(`  ${m.mediumId}: generation ${c.presentedGen} presented after ${c.confirmedGen} was confirmed, via ${c.source}, at ${new Date(c.atMs).toISOString()}`);
    }
  });

  api(
    prepaid
      .command('freeze')
      .description('freeze a medium for review (lost or stolen, a copy suspected): refused everywhere from now, its balance kept for `prepaid recover`')
      .argument('<medium>', 'the medium id (32 hex)')
      .requiredOption('--reason <text>', 'why (the holder\'s report, what the operator saw; kept as the frozen reason and in the audit trail)'),
  ).action(async (medium: string, o: AdminOptions & { reason: string }) => {
    if (!/^[0-9a-f]{32}$/.test(medium)) throw new TesseraError('CLI_BAD_ARGUMENT', 'the medium id is 32 lowercase hex', { field: 'medium' });
    const r = (await callApi(o, 'POST', `/prepaid/media/${medium}/freeze`, { reason: o.reason })) as { status: 'frozen' | 'frozen-already'; mediumId: string; balanceMinor: number; currency: string; frozenReason: string };
    if (o.json) return out(JSON.stringify(r));
    out(`${r.status === 'frozen' ? 'frozen' : 'frozen already'}: ${r.mediumId}, balance ${r.balanceMinor} ${r.currency} kept (${r.frozenReason}); recover it with: tessera prepaid recover ${r.mediumId} --new-medium DIR --reason TEXT`);
  });

  api(
    prepaid
      .command('recover')
      .description('move a frozen medium\'s balance to a replacement medium and write its generation 1 to the blank medium mounted at --new-medium')
      .argument('<medium>', 'the frozen medium id (32 hex)')
      .requiredOption('--new-medium <dir>', 'the mount directory of the blank replacement medium (its slot A is written)')
      .requiredOption('--reason <text>', 'what the operator checked (kept in the audit trail)')
      .option('--new-medium-id <hex>', 'the replacement\'s id (32 hex; default: random at the center)')
      .option('--request-id <hex>', 'the recovery\'s idempotency key (32 hex; default: derived from the medium id, so a re-run is the same recovery)'),
  ).action(async (medium: string, o: AdminOptions & { newMedium: string; reason: string; newMediumId?: string; requestId?: string }) => {
    if (!/^[0-9a-f]{32}$/.test(medium)) throw new TesseraError('CLI_BAD_ARGUMENT', 'the medium id is 32 lowercase hex', { field: 'medium' });
    const dir = o.newMedium;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new TesseraError('CLI_BAD_ARGUMENT', 'no medium is mounted at --new-medium (not a directory)', { field: 'new-medium', path: dir });
    const requestId = o.requestId ?? createHash('sha256').update(`tessera-prepaid-recover:${medium}`).digest('hex').slice(0, 32);
    const r = (await callApi(o, 'POST', `/prepaid/media/${medium}/recover`, { requestId, reason: o.reason, ...(o.newMediumId !== undefined && { newMediumId: o.newMediumId }) })) as {
      status: 'done' | 'repeated'; mediumId: string; balanceMinor: number; file: string | null;
    };
    let written: string | null = null;
    if (r.file !== null) {
      const file = Buffer.from(r.file, 'base64');
      const view = readMediumFile(file);
      if (mediumIdHex(view.mediumId) !== r.mediumId || view.generation !== 1) throw new TesseraError('CLI_BAD_ARGUMENT', 'the center answered a file that is not the replacement\'s generation 1', { mediumId: r.mediumId });
      // Through the removable-store driver the holder's PC reads with (its integrity envelope, the atomic write), into a
      // mirror slot as the prepaid terminal writes an issue: a medium holding another medium's file is never overwritten.
      const store = new DirRemovableStore({ mountDir: dir });
      try {
        written = join(dir, (await writeIssuedFile(store, r.mediumId, file)).slot);
      } catch (e) {
        if (errorCode(e) === 'TERM_PREPAID_MEDIUM_IN_USE') throw new TesseraError('CLI_BAD_ARGUMENT', 'the medium at --new-medium holds another prepaid medium: insert a blank one and run the same command again', { field: 'new-medium' });
        throw e;
      } finally {
        await store.close();
      }
    }
    if (o.json) return out(JSON.stringify({ status: r.status, frozenMediumId: medium, mediumId: r.mediumId, balanceMinor: r.balanceMinor, requestId, written }));
    out(
      `${r.status === 'done' ? 'recovered' : 'recovered already'}: ${r.balanceMinor} from ${medium} to ${r.mediumId}; ` +
        (written ? `generation 1 written to ${written} (confirmed at the holder's first use)` : 'its generation 1 was already written and confirmed'),
    );
  });
}

interface FrozenItem {
  mediumId: string;
  balanceMinor: number;
  currency: string;
  confirmedGen: number;
  frozenAtMs: number;
  clones: Array<{ presentedGen: number; confirmedGen: number; source: string; atMs: number }>;
}
