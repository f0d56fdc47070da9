/**
 * The prepaid client (seed 000, PROTOCOL.md §6.4): the user's PC with the
 * medium in its removable store. It reads the current slot (docs/MEDIUM.md,
 * "Slots"), proves possession of the file by a MAC keyed from it, asks the
 * provider center over HTTPS, opens the sealed file sent back, writes it
 * into the other slot (atomically: temp file, fsync, rename) and confirms
 * it with a proof keyed from the new file (S43); once confirmed, the older
 * file in the other slot is erased.
 *
 * A payment is first written on the medium as pending (`prepaid-pending.json`,
 * with its request id) and cleared once its new generation is confirmed or
 * it was refused: `resume` finishes a pending payment after a crash, a pulled
 * medium or a lost answer by repeating the same request id (answered from
 * the provider's and the prepaid center's records, never paid twice), and a
 * new payment is refused while one is pending (PPCLIENT_PENDING_REQUEST).
 */
import type { ProviderAnswer as Answer, ProviderInfo } from '../../protocol/prepaid/provider-api.js';
import { TesseraError, errorCode } from '../../core/errors.js';
import { faultPoint } from '../../core/fault-points.js';
import type { Random } from '../../core/random.js';
import { CHANNEL_OP, CHANNEL_SERVICE, channelKeysOfFile, openReplyFile, requestProof, type ChannelOp, type ChannelRequest } from '../../protocol/prepaid/channel.js';
import { mediumIdHex, readMediumFile, type LogEntry, type MediumView } from '../../protocol/prepaid/medium.js';
import { readSlots, SLOT_FILES, slotToWrite, type MediumSlots } from '../../protocol/prepaid/slots.js';
import type { RemovableStore } from '../devices/removable-store.js';
import type { ProviderLink } from './provider-link.js';

export const PENDING_FILE = 'prepaid-pending.json';
export const receiptFile = (requestId: string): string => `prepaid-receipt-${requestId}.bin`;

export interface Payment {
  readonly service: 'vendor' | 'provider-fee';
  readonly goods?: boolean;
  readonly payee: string;
  readonly amountMinor: number;
  readonly currency: string;
}

/** A payment written on the medium before it is sent. */
export interface Pending extends Payment {
  readonly requestId: string;
  readonly mediumId: string;
  /** The generation the medium showed when it was sent. */
  readonly generation: number;
}

export type { ProviderInfo } from '../../protocol/prepaid/provider-api.js';

export interface ClientResult {
  readonly mediumId: string;
  readonly generation: number;
  /** The balance the prepaid center holds (¶0038). */
  readonly balanceMinor?: number;
  /** The display copy on the medium. */
  readonly displayBalanceMinor: number;
  readonly status?: string;
  readonly requestId?: string;
  /** The receipt's file on the medium, if the vendor sent one. */
  readonly receiptFile?: string;
}

export class PrepaidClient {
  constructor(
    private readonly store: RemovableStore,
    private readonly link: ProviderLink,
    private readonly random: Random,
  ) {}

  /** Both slots and the current file (PPCLIENT_NO_MEDIUM when there is none). */
  async read(): Promise<{ slots: MediumSlots; view: MediumView }> {
    const bytes = await Promise.all(SLOT_FILES.map((n) => this.readOptional(n)));
    const slots = readSlots(bytes[0], bytes[1]);
    if (!slots.current) throw new TesseraError('PPCLIENT_NO_MEDIUM', 'neither slot holds a whole prepaid file', { slotA: slots.slots[0].code, slotB: slots.slots[1].code });
    return { slots, view: slots.current.view };
  }

  async pending(): Promise<Pending | undefined> {
    const raw = await this.readOptional(PENDING_FILE);
    return raw === undefined ? undefined : (JSON.parse(raw.toString('utf8')) as Pending);
  }

  /** The usage log the medium carries (no network; hash-chained and MAC'd by the prepaid center). */
  async log(): Promise<{ mediumId: string; generation: number; displayBalanceMinor: number; entries: readonly LogEntry[] }> {
    const { view } = await this.read();
    return { mediumId: mediumIdHex(view.mediumId), generation: view.generation, displayBalanceMinor: view.displayBalanceMinor, entries: view.log.entries };
  }

  async provider(): Promise<ProviderInfo> {
    return this.link.get<ProviderInfo>('/v1/prepaid/provider');
  }

  /** The balance the prepaid center holds; a pending generation it sends back is written and confirmed first. */
  async balance(): Promise<ClientResult> {
    const { view } = await this.read();
    const requestId = this.newId();
    const a = await this.link.post<Answer>('/v1/prepaid/balance', this.shown(view, CHANNEL_OP.BALANCE, requestId));
    refuseOn(a);
    if (a.status === 'resume') return this.writeAndConfirm(view, requestId, a);
    return this.result(view, a.balanceMinor, a.status, requestId);
  }

  /** Pays a vendor or the provider's fee (PPCLIENT_PENDING_REQUEST while another payment is pending). */
  async pay(p: Payment): Promise<ClientResult> {
    const open = await this.pending();
    if (open) throw new TesseraError('PPCLIENT_PENDING_REQUEST', `a payment of ${open.amountMinor} to ${open.payee} is pending`, { requestId: open.requestId });
    const { view } = await this.read();
    const pending: Pending = { ...p, requestId: this.newId(), mediumId: mediumIdHex(view.mediumId), generation: view.generation };
    await this.store.writeFile(PENDING_FILE, Buffer.from(JSON.stringify(pending), 'utf8'));
    faultPoint('client.pending'); // test hook (core/fault-points.ts)
    return this.finish(pending);
  }

  /** Finishes a pending payment (same request id), or else asks the balance (which writes a pending generation). */
  async resume(): Promise<ClientResult & { resumed: boolean }> {
    const p = await this.pending();
    if (!p) return { ...(await this.balance()), resumed: false };
    return { ...(await this.finish(p)), resumed: true };
  }

  private async finish(p: Pending): Promise<ClientResult> {
    const { view } = await this.read();
    if (mediumIdHex(view.mediumId) !== p.mediumId) throw new TesseraError('PPCLIENT_PENDING_REQUEST', 'the pending payment belongs to another medium', { requestId: p.requestId });
    if (view.generation > p.generation) {
      // Its new generation is on the medium already (the client stopped before the confirm): confirm it.
      const r = await this.confirm(view);
      await this.clearPending();
      return { ...r, requestId: p.requestId, status: 'done' };
    }
    const a = await this.link.post<Answer>('/v1/prepaid/use', { ...this.shown(view, CHANNEL_OP.USE, p.requestId, p), service: p.service, ...(p.goods && { goods: true }), payee: p.payee, amountMinor: p.amountMinor, currency: p.currency });
    lostReply('client.use-answered', p.requestId);
    if (a.status === 'refused') {
      await this.clearPending();
      refuseOn(a);
    }
    if (a.status === 'resume') {
      // Another use of this medium's generation is booked and not yet written here (the center answers resume: this request
      // booked nothing). Only a second copy used at the same time, or a payment pending on another PC, gets here: this
      // payment is not made (two copies used at once: at most one succeeds), and this medium keeps the generation it shows.
      await this.clearPending();
      throw new TesseraError('PPCLIENT_MEDIUM_IN_USE', 'another payment from this medium is in progress; nothing was paid', { requestId: p.requestId, generation: view.generation, pendingGeneration: a.generation });
    }
    if (!a.sealedFile) {
      // Repeated and confirmed already: the medium shows an older generation than the center's (a copy): nothing to write.
      await this.clearPending();
      return this.result(view, a.balanceMinor, a.status, p.requestId);
    }
    const receipt = a.receipt ? receiptFile(p.requestId) : undefined;
    if (receipt) await this.store.writeFile(receipt, Buffer.from(a.receipt!, 'base64'));
    const r = await this.writeAndConfirm(view, p.requestId, a);
    await this.clearPending();
    return { ...r, status: a.status, requestId: p.requestId, ...(a.balanceMinor !== undefined && { balanceMinor: a.balanceMinor }), ...(receipt && { receiptFile: receipt }) };
  }

  /** Opens the sealed file, writes it into the slot not holding the current one, confirms it (S43). */
  private async writeAndConfirm(shown: MediumView, requestId: string, a: Answer): Promise<ClientResult> {
    if (!a.sealedFile || a.generation === undefined) throw new TesseraError('PPCLIENT_PROVIDER_ANSWER', 'the answer carries no file to write', { requestId, status: a.status });
    let file: Buffer;
    let next: MediumView;
    try {
      file = openReplyFile(channelKeysOfFile(shown.bytes), Buffer.from(requestId, 'hex'), a.generation, Buffer.from(a.sealedFile, 'base64'));
      next = readMediumFile(file);
    } catch (e) {
      throw new TesseraError('PPCLIENT_PROVIDER_ANSWER', 'the file sent back does not open for this medium and request', { requestId, reason: errorCode(e) });
    }
    if (!next.mediumId.equals(shown.mediumId) || next.generation !== a.generation || next.generation <= shown.generation) {
      throw new TesseraError('PPCLIENT_PROVIDER_ANSWER', 'the file sent back is not the next generation of this medium', { requestId, generation: next.generation });
    }
    const { slots } = await this.read();
    await this.store.writeFile(SLOT_FILES[slotToWrite(slots)], file);
    faultPoint('client.written');
    return this.confirm(next);
  }

  private async confirm(view: MediumView): Promise<ClientResult> {
    const requestId = this.newId();
    const a = await this.link.post<Answer>('/v1/prepaid/confirm', this.shown(view, CHANNEL_OP.CONFIRM, requestId));
    lostReply('client.confirm-answered', requestId);
    refuseOn(a);
    if (a.status === 'resume') return this.writeAndConfirm(view, requestId, a);
    await this.eraseOlder(view);
    return this.result(view, a.balanceMinor, a.status, requestId);
  }

  /**
   * The confirmed generation is on the medium and the center's: the other slot's older file is erased (the seed: "after
   * which the old file ... are erased"). Kept, it would be read in place of a damaged current file and presented as
   * the superseded generation it is, which the center takes for a clone and freezes the medium.
   */
  private async eraseOlder(confirmed: MediumView): Promise<void> {
    const { slots } = await this.read();
    for (const s of slots.slots) {
      if (s.code === 'EMPTY' || (s.view !== undefined && s.view.generation >= confirmed.generation)) continue;
      await this.store.deleteFile(SLOT_FILES[s.slot]).catch((e: unknown) => {
        if (errorCode(e) !== 'DEV_FILE_NOT_FOUND') throw e;
      });
    }
  }

  private shown(view: MediumView, op: ChannelOp, requestId: string, p?: Payment) {
    const r: ChannelRequest = {
      op, requestId: Buffer.from(requestId, 'hex'), issuerId: view.issuerId, mediumId: view.mediumId, generation: view.generation,
      service: p === undefined ? CHANNEL_SERVICE.NONE : p.service === 'vendor' ? CHANNEL_SERVICE.VENDOR : CHANNEL_SERVICE.PROVIDER_FEE,
      payee: p?.payee ?? '', amountMinor: p?.amountMinor ?? 0, currency: p?.currency ?? '',
    };
    return {
      requestId, issuerId: view.issuerId, mediumId: mediumIdHex(view.mediumId), generation: view.generation,
      proof: requestProof(channelKeysOfFile(view.bytes), r).toString('base64'),
    };
  }

  private result(view: MediumView, balanceMinor: number | undefined, status: string, requestId: string): ClientResult {
    return { mediumId: mediumIdHex(view.mediumId), generation: view.generation, displayBalanceMinor: view.displayBalanceMinor, status, requestId, ...(balanceMinor !== undefined && { balanceMinor }) };
  }

  private async clearPending(): Promise<void> {
    await this.store.deleteFile(PENDING_FILE).catch((e: unknown) => {
      if (errorCode(e) !== 'DEV_FILE_NOT_FOUND') throw e;
    });
  }

  private async readOptional(name: string): Promise<Buffer | undefined> {
    try {
      return await this.store.readFile(name);
    } catch (e) {
      const code = errorCode(e);
      // A missing or torn file is an empty slot; an absent medium is the user's to fix.
      if (code === 'DEV_FILE_NOT_FOUND' || code === 'DEV_FILE_CORRUPT') return undefined;
      if (code === 'DEV_MEDIUM_ABSENT') throw new TesseraError('PPCLIENT_NO_MEDIUM', 'no medium is set (the mount directory is absent)', {});
      throw e;
    }
  }

  private newId(): string {
    return this.random.bytes(16).toString('hex');
  }
}

/** Test hook (core/fault-points.ts): the provider's answer killed with the client, or lost on the way (as a timeout would). */
function lostReply(point: string, requestId: string): void {
  if (faultPoint(point) === 'drop') throw new TesseraError('PPCLIENT_PROVIDER_UNREACHABLE', 'the provider center could not be reached', { requestId, reason: 'fault point' });
}

/** A refusal reaches the user under its own code (PREPAID_… of the prepaid center, PROVIDER_… of the provider). */
function refuseOn(a: Answer): void {
  if (a.status === 'refused') throw new TesseraError(a.code, `refused: ${a.code}`, { requestId: a.requestId });
}
