/**
 * The two-phase rotation of a medium's file (docs/PREPAID.md, "Rotation"):
 * the seed's Fig. 7 made exact. Every step runs inside the caller's unit of
 * work under the medium row's lock.
 *
 *   present      the file the medium shows is classified against the records:
 *                current (generation N, confirmed), pending (N+1, sent but not
 *                confirmed), clone (a superseded generation, byte for byte),
 *                or refused as forged (nothing frozen: a forger could freeze
 *                someone else's medium otherwise)
 *   rotate       after the service: S31 renew the system password (password
 *                table), S33 renew the first and second keys (key table),
 *                S35 seal the password under the second key, S41 seal the
 *                file under the first key, S37 the file goes back to the
 *                client; the generation is `pending` and N stays valid
 *   confirm      the medium presents N+1 (written, S43): N+1 becomes current,
 *                N superseded, N's keys and password erased (¶0037 end)
 *   freeze       a superseded generation presented: the medium id is frozen
 */
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { channelKeys, verifyRequestProof, type ChannelRequest } from '../../protocol/prepaid/channel.js';
import { passwordVerifier, systemPassword } from '../../protocol/prepaid/keys.js';
import { fileDigest, mediumIdHex, openMediumFile, verifyLog, type MediumView } from '../../protocol/prepaid/medium.js';
import type { Tx } from '../storage/types.js';
import { prepaidError } from './errors.js';
import { buildFile, type GenerationSpec } from './files.js';
import type { KeyTable } from './key-table.js';
import { generationId, loadGeneration, loadMedium, updateGeneration, updateMedium, type GenerationRow, type MediumRow } from './rows.js';

export interface RotationContext {
  readonly keys: KeyTable;
  readonly issuerId: number;
  readonly clock: Clock;
  readonly log: Logger;
}

/** `digest`: the SHA-256 of the presented file (the channel keys of a reply derive from it). */
export type Presentation =
  | { readonly kind: 'current' | 'pending'; readonly medium: MediumRow; readonly gen: GenerationRow; readonly digest: Buffer }
  | { readonly kind: 'clone'; readonly medium: MediumRow; readonly presentedGen: number; readonly digest: Buffer };

/**
 * What the medium shows: the whole file (a prepaid terminal, the operator,
 * a test), or a proof of it (PROTOCOL.md §6.4: the provider relays the
 * medium id, the generation and a MAC keyed from the file's SHA-256, never
 * the file).
 */
export interface Shown {
  readonly issuerId: number;
  readonly mediumId: string;
  readonly generation: number;
  /** Throws PREPAID_FILE_AUTH_FAILED unless the presentation is exactly the file the center wrote for `gen`. */
  identical(gen: GenerationRow): void;
  /** The seed's adequacy check, where the whole file is at hand. */
  adequate?(tx: Tx, c: RotationContext, gen: GenerationRow): Promise<void>;
}

export function shownFile(view: MediumView): Shown {
  return {
    issuerId: view.issuerId,
    mediumId: mediumIdHex(view.mediumId),
    generation: view.generation,
    identical: (gen) => {
      if (!timingSafeEqual(fileDigest(view.bytes), gen.digest)) throw prepaidError('PREPAID_FILE_AUTH_FAILED', 'the file is not the one written for its generation', { mediumId: gen.mediumId, generation: gen.gen });
    },
    adequate: (tx, c, gen) => checkAdequacy(tx, c, view, gen),
  };
}

export function shownProof(request: ChannelRequest, mac: Buffer): Shown {
  return {
    issuerId: request.issuerId,
    mediumId: mediumIdHex(request.mediumId),
    generation: request.generation,
    identical: (gen) => verifyRequestProof(channelKeys(gen.digest), request, mac),
  };
}

/** Classifies the presentation (see the file comment). Throws the refusals that change nothing. */
export async function present(tx: Tx, c: RotationContext, shown: Shown): Promise<Presentation> {
  const id = shown.mediumId;
  if (shown.issuerId !== c.issuerId) throw prepaidError('PREPAID_FOREIGN_ISSUER', 'the medium was issued by another prepaid center', { mediumId: id, issuerId: shown.issuerId });
  const medium = await loadMedium(tx, id, tx.forUpdate);
  if (!medium) throw prepaidError('PREPAID_MEDIUM_UNKNOWN', 'no medium with this id was issued here', { mediumId: id });
  if (medium.state === 'frozen' || medium.state === 'closed') throw prepaidError('PREPAID_MEDIUM_FROZEN', `the medium is ${medium.state}`, { mediumId: id });
  const gen = await loadGeneration(tx, id, shown.generation);
  if (!gen) throw prepaidError('PREPAID_GENERATION_UNKNOWN', 'the presentation names a generation never written', { mediumId: id, generation: shown.generation });
  // Exactly the bytes the center wrote for that generation, or nothing: an edited header is a forgery, not a clone.
  shown.identical(gen);
  if (gen.state === 'superseded') return { kind: 'clone', medium, presentedGen: gen.gen, digest: gen.digest };
  await shown.adequate?.(tx, c, gen);
  return { kind: gen.state === 'pending' ? 'pending' : 'current', medium, gen, digest: gen.digest };
}

/** The seed's "confirm its adequacy": K1's tag, the password against the password table, the balance, the log MAC. */
async function checkAdequacy(tx: Tx, c: RotationContext, view: MediumView, gen: GenerationRow): Promise<void> {
  const secret = openMediumFile(view, await c.keys.keys(tx, gen.mediumId, gen.keyVersion));
  const pw = await tx.get<{ verifier: unknown }>('SELECT verifier FROM prepaid_passwords WHERE medium_id = ? AND gen = ?', [gen.mediumId, gen.gen]);
  const verifier = pw?.verifier;
  if (!Buffer.isBuffer(verifier) && !(verifier instanceof Uint8Array)) throw prepaidError('PREPAID_PASSWORD_MISMATCH', 'no system password on file for this generation', { mediumId: gen.mediumId, generation: gen.gen });
  if (!timingSafeEqual(passwordVerifier(secret.password), Buffer.from(verifier))) throw prepaidError('PREPAID_PASSWORD_MISMATCH', 'the system password is not the one in the password table', { mediumId: gen.mediumId, generation: gen.gen });
  if (secret.balanceMinor !== gen.balanceMinor) throw prepaidError('PREPAID_FILE_AUTH_FAILED', 'the sealed balance is not the generation balance', { mediumId: gen.mediumId, generation: gen.gen });
  verifyLog(view, c.keys.logKey(gen.mediumId));
}

/**
 * S31-S41: makes generation `gen` (pending) for the medium's state after a
 * step: a new key version (S33), the system password's verifier (S31), the
 * file sealed (S35, S41) and its digest. Returns the file (S37: sent back).
 */
export async function makeGeneration(tx: Tx, c: RotationContext, o: Omit<GenerationSpec, 'keyVersion' | 'writtenMs'> & { requestId: string }): Promise<{ gen: GenerationRow; file: Buffer }> {
  const nowMs = c.clock.nowMs();
  const { version, keys } = await c.keys.create(tx, o.mediumId, nowMs); // S33
  await tx.run('INSERT INTO prepaid_passwords (medium_id, gen, verifier) VALUES (?,?,?)', [o.mediumId, o.gen, passwordVerifier(systemPassword(keys, o.gen))]); // S31
  const spec: GenerationSpec = { ...o, keyVersion: version, writtenMs: nowMs };
  const file = await buildFile(tx, c.keys, c.issuerId, spec); // S35 + S41
  const gen: GenerationRow = {
    id: generationId(o.mediumId, o.gen), mediumId: o.mediumId, gen: o.gen, state: 'pending', keyVersion: version, balanceMinor: o.balanceMinor,
    logSeq: o.logSeq, writtenMs: nowMs, requestId: o.requestId, digest: fileDigest(file), createdMs: nowMs, updatedMs: nowMs,
  };
  await tx.run(
    'INSERT INTO prepaid_generations (id, medium_id, gen, state, key_version, balance, log_seq, written_ms, request_id, digest, created_ms, updated_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
    [gen.id, gen.mediumId, gen.gen, gen.state, gen.keyVersion, gen.balanceMinor, gen.logSeq, gen.writtenMs, gen.requestId, gen.digest, nowMs, nowMs],
  );
  return { gen, file }; // S37
}

/** A pending (or current) generation's file again, byte for byte (a reply lost between S37 and S43). */
export async function fileAgain(tx: Tx, c: RotationContext, medium: MediumRow, gen: GenerationRow): Promise<Buffer> {
  const file = await buildFile(tx, c.keys, c.issuerId, { mediumId: medium.id, currency: medium.currency, gen: gen.gen, keyVersion: gen.keyVersion, balanceMinor: gen.balanceMinor, logSeq: gen.logSeq, writtenMs: gen.writtenMs });
  if (!timingSafeEqual(fileDigest(file), gen.digest)) throw prepaidError('PREPAID_INTERNAL_REBUILD', 'the rebuilt file differs from the one sent', { mediumId: medium.id, generation: gen.gen });
  return file;
}

/**
 * S43 confirmed: the medium presented the pending generation, so it is
 * written. It becomes current; the one before is superseded and its key
 * version and system password are erased. Returns the medium as now stored.
 */
export async function confirmPending(tx: Tx, c: RotationContext, medium: MediumRow, pending: GenerationRow): Promise<MediumRow> {
  const nowMs = c.clock.nowMs();
  await updateGeneration(tx, pending, nowMs, { state: 'current' });
  if (medium.confirmedGen > 0) {
    const old = await loadGeneration(tx, medium.id, medium.confirmedGen);
    if (old) {
      await updateGeneration(tx, old, nowMs, { state: 'superseded' });
      await c.keys.erase(tx, medium.id, old.keyVersion, nowMs);
      await tx.run('UPDATE prepaid_passwords SET verifier = NULL WHERE medium_id = ? AND gen = ?', [medium.id, old.gen]);
    }
  }
  const next = { state: 'settled' as const, confirmedGen: pending.gen, pendingGen: null };
  await updateMedium(tx, medium, nowMs, next);
  c.log.info({ mediumId: medium.id, generation: pending.gen }, 'prepaid generation confirmed');
  return { ...medium, ...next, updatedMs: nowMs };
}

/** A superseded generation was presented: the medium id is frozen (the caller marks it on the validity lists after commit). */
export async function freeze(tx: Tx, c: RotationContext, medium: MediumRow, presentedGen: number, source: string): Promise<void> {
  const nowMs = c.clock.nowMs();
  await updateMedium(tx, medium, nowMs, { state: 'frozen', frozenReason: `generation ${presentedGen} presented after ${medium.confirmedGen} was confirmed` });
  await tx.run('INSERT INTO prepaid_clones (medium_id, presented_gen, confirmed_gen, source, at_ms) VALUES (?,?,?,?,?)', [medium.id, presentedGen, medium.confirmedGen, source, nowMs]);
  c.log.warn({ mediumId: medium.id, presentedGen, confirmedGen: medium.confirmedGen, source }, 'prepaid clone caught: medium frozen');
}
