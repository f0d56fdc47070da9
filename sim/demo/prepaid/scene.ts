/**
 * The prepaid-medium scene (seed 000), after the settlement-password scene:
 * a kiosk (the `prepaid-issuer` terminal role, kiosk.ts: an agent of the
 * world with the simulator's ccTalk bill validator on a pty and a drive)
 * issues two rewritable media paid in bank notes: each holder's blank
 * medium goes into its drive, the notes into its validator (journalled as
 * they stack), and its `issue` command sends PREPAID_ISSUE with them (the
 * notes booked to the kiosk's cash box and the medium made in one unit)
 * and writes generation 1 into slot A; the holder carries the medium
 * (a VirtualMedium) to a PC. At the holders'
 * PCs (`tessera client`'s PrepaidClient, in this process) through the
 * provider center (`tessera provider serve`'s server, HTTPS with a pinned
 * SPKI, here in the demo's process, linked to the center over the framed
 * protocol as a registered terminal): Aki asks the balance, buys a
 * shareware registration from the vendor (`tessera vendor serve`'s server:
 * order, pay through the prepaid center, the vendor checks the payment on
 * the merchant API and answers a signed receipt with a licence key, stored
 * on the medium) and pays the provider's usage fee. Ben's medium tears the
 * rewrite (a power cut between the write and the rename): the mirror slot
 * keeps the old generation, and his PC resumes the same request, paid once.
 * A copy of Aki's medium taken before her purchases is used after them:
 * refused, the medium id frozen. Every step is one PrepaidEvent with what
 * was expected and whether it happened so; never a key or proof in a line.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../../core/clock.js';
import { errorCode } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { systemRandom } from '../../../core/random.js';
import type { Prepaid } from '../../../center/prepaid/prepaid.js';
import { providerConfigSchema } from '../../../center/provider/config-schema.js';
import { startProvider, type ProviderServer } from '../../../center/provider/server.js';
import { verifyReceipt } from '../../../protocol/prepaid/receipt.js';
import { SLOT_FILES } from '../../../protocol/prepaid/slots.js';
import { DirRemovableStore } from '../../../terminal/devices/files/dir-removable-store.js';
import { devError } from '../../../terminal/devices/errors.js';
import { PrepaidClient, receiptFile, type ClientResult } from '../../../terminal/prepaid-client/client.js';
import { providerLink } from '../../../terminal/prepaid-client/provider-link.js';
import { parseVendorConfig } from '../../vendor/config.js';
import { serveVendor, type ServedVendor } from '../../vendor/serve.js';
import { writeTerminalKey } from '../../world/terminals.js';
import type { World } from '../../world/world.js';
import { VirtualMedium } from '../../medium/virtual-medium.js';
import type { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import { startPrepaidKiosk, type PrepaidKiosk } from './kiosk.js';
import { PREPAID_CURRENCY, PREPAID_FEE_MINOR, PREPAID_ISSUER_ID, PREPAID_PROVIDER, PREPAID_VENDOR, type PrepaidSetup } from './setup.js';

export type PrepaidEventKind = 'issue' | 'balance' | 'register' | 'fee' | 'torn' | 'resume' | 'clone';

export interface PrepaidEvent {
  readonly kind: PrepaidEventKind;
  /** ms since the scene started. */
  readonly atMs: number;
  readonly who: string;
  readonly amountMinor: number;
  /** The balance the prepaid center holds after the step (0 when unknown). */
  readonly balanceMinor: number;
  /** The medium's generation after the step (0 when unknown). */
  readonly generation: number;
  readonly mediumPrefix: string;
  /** register: the licence key's first characters (the full key is on the medium). */
  readonly licencePrefix?: string;
  readonly result: string;
  readonly code: string | null;
  readonly asExpected: boolean;
}

/** Who holds a medium and what they pay in at the kiosk. */
export const PREPAID_HOLDERS = [
  { name: 'Aki', paidInMinor: 5_000, notes: [5_000] },
  { name: 'Ben', paidInMinor: 3_000, notes: [1_000, 1_000, 1_000] },
] as const;
/** What Aki registers and what Ben buys (the vendor's default catalogue). */
export const PREPAID_ITEMS = { registration: 'SW-EDITOR', goods: 'GD-MANUAL' } as const;

export interface PrepaidSceneRun {
  readonly events: PrepaidEvent[];
  /** Value paid in at the kiosk for the media issued. */
  readonly paidInMinor: number;
  readonly mediumIds: readonly string[];
  /** The kiosk's cash box by its own journal (notes stacked at the validator, not collected). */
  readonly kioskCashBoxMinor: number;
  /** The medium whose copy was used (expected frozen). */
  readonly clonedMediumId: string | null;
  readonly providerUrl: string;
  readonly vendorUrl: string;
  close(): Promise<void>;
}

export interface PrepaidSceneOptions {
  readonly setup: PrepaidSetup;
  readonly prepaid: Prepaid;
  /** The world the kiosk's agent joins (its reader slot, its key, the center). */
  readonly world: World;
  readonly roles: RoleRegistry;
  readonly signal: AbortSignal;
  /** The center's terminal listener (the provider's link). */
  readonly center: { readonly host: string; readonly port: number };
  /** The world's master key (the provider's terminal key is derived from it, as for any terminal). */
  readonly masterKey: Buffer;
  readonly merchantApiUrl: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly onEvent?: (e: PrepaidEvent) => void;
}

export async function runPrepaidScene(o: PrepaidSceneOptions): Promise<PrepaidSceneRun> {
  const t0 = o.clock.monoMs();
  const events: PrepaidEvent[] = [];
  const emit = (e: Omit<PrepaidEvent, 'atMs'>): void => {
    const full = { ...e, atMs: o.clock.monoMs() - t0 };
    events.push(full);
    o.onEvent?.(full);
  };
  const dir = o.setup.dir;
  const stores: DirRemovableStore[] = [];
  let provider: ProviderServer | undefined;
  let vendor: ServedVendor | undefined;
  let kiosk: PrepaidKiosk | undefined;
  let kioskCashBoxMinor = 0;
  const close = async (): Promise<void> => {
    for (const s of stores.splice(0)) await s.close().catch(() => undefined);
    await kiosk?.close();
    await vendor?.close().catch(() => undefined);
    await provider?.close().catch(() => undefined);
  };
  try {
    const { keyFile } = writeTerminalKey(dir, o.masterKey, PREPAID_PROVIDER);
    provider = await startProvider(
      providerConfigSchema.parse({
        providerId: PREPAID_PROVIDER, db: join(dir, 'provider.db'), listen: { host: '127.0.0.1', port: 0 }, tls: o.setup.tls,
        prepaidCenter: { centers: [o.center], keyFile, issuerId: PREPAID_ISSUER_ID, currency: PREPAID_CURRENCY },
        fee: { amountMinor: PREPAID_FEE_MINOR },
      }),
      { clock: o.clock, random: systemRandom, log: o.log.child({ part: 'provider' }) },
    );
    vendor = await serveVendor(
      parseVendorConfig({
        vendorId: PREPAID_VENDOR, db: join(dir, 'vendor.db'), listen: { host: '127.0.0.1', port: 0 }, signingKeyFile: o.setup.vendorSigningKeyFile,
        merchantApi: { url: o.merchantApiUrl, apiKeyFile: o.setup.vendorApiKeyFile }, currency: PREPAID_CURRENCY,
      }),
      join(dir, 'vendor.json'),
      { clock: o.clock },
    );
    const vendorUrl = vendor.url;
    const vendorKey = Buffer.from(vendor.vendor.info().publicKey, 'hex');
    const link = providerLink({ url: `https://127.0.0.1:${provider.port}`, spkiPin: provider.spkiPin });
    const pc = (mount: string, tearOnce = false): PrepaidClient => {
      let tear = tearOnce;
      const store = new DirRemovableStore({
        mountDir: mount,
        // The power cut: the new file is synced beside the old one, the rename never happens.
        afterTempSynced: async (name) => {
          if (tear && (SLOT_FILES as readonly string[]).includes(name)) {
            tear = false;
            throw devError('DEV_MEDIUM_ABSENT', 'power cut between the write and the rename', { name });
          }
        },
      });
      stores.push(store);
      return new PrepaidClient(store, link, systemRandom);
    };

    // The kiosk (the prepaid-issuer role): each holder's blank medium into its drive, the notes into its ccTalk
    // validator, `issue` (PREPAID_ISSUE with the journalled notes: booked to its cash box, the medium made in one
    // unit), generation 1 written into slot A by the role; the holder carries the medium to their PC. Generation 1
    // stays pending until the PC's first request shows it (the center confirms it then, S43).
    kiosk = await startPrepaidKiosk({ world: o.world, roles: o.roles, sceneDir: dir, clock: o.clock });
    const shelf = join(dir, 'shelf');
    const media: Array<{ name: string; id: string; mount: string }> = [];
    for (const h of PREPAID_HOLDERS) {
      const name = h.name.toLowerCase();
      const mount = join(dir, `medium-${name}`);
      const atKiosk = new VirtualMedium(name, shelf, kiosk.mountDir);
      try {
        const r = await kiosk.issue(atKiosk, h.notes, o.signal);
        const id = r.mediumId;
        const balanceMinor = Number(r.details?.['balanceMinor'] ?? 0);
        if (r.result !== 'approved' || id === undefined) {
          emit({ kind: 'issue', who: h.name, amountMinor: h.paidInMinor, balanceMinor: 0, generation: 0, mediumPrefix: '', result: r.result, code: r.code ?? 'DEMO_UNEXPECTED_OUTCOME', asExpected: false });
          continue;
        }
        new VirtualMedium(name, shelf, mount).insert();
        const { view } = await pc(mount).read();
        media.push({ name: h.name, id, mount });
        emit({
          kind: 'issue', who: h.name, amountMinor: h.paidInMinor, balanceMinor, generation: view.generation, mediumPrefix: id.slice(0, 8),
          result: `${h.notes.length} note${h.notes.length === 1 ? '' : 's'}, slot ${String(r.details?.['slot'] ?? '?')}`, code: null,
          asExpected: balanceMinor === h.paidInMinor && view.generation === 1 && view.displayBalanceMinor === h.paidInMinor,
        });
      } catch (e) {
        emit({ kind: 'issue', who: h.name, amountMinor: h.paidInMinor, balanceMinor: 0, generation: 0, mediumPrefix: '', result: 'error', code: errorCode(e), asExpected: false });
      }
    }
    kioskCashBoxMinor = kiosk.cashBoxMinor();
    const aki = media.find((m) => m.name === 'Aki');
    const ben = media.find((m) => m.name === 'Ben');
    let cloneMount: string | null = null;

    if (aki) {
      const c = pc(aki.mount);
      const base = { who: 'Aki', mediumPrefix: aki.id.slice(0, 8) };
      await step(emit, { kind: 'balance', ...base, amountMinor: 0 }, async () => {
        const r = await c.balance();
        return { r, ok: r.balanceMinor === 5_000 };
      });
      // Someone copies Aki's medium (generation 1) while it is out of her PC.
      cloneMount = join(dir, 'medium-aki-copy');
      cpSync(aki.mount, cloneMount, { recursive: true });
      await step(emit, { kind: 'register', ...base, amountMinor: 1_200 }, async () => {
        const order = await http('POST', `${vendorUrl}/orders`, { itemCode: PREPAID_ITEMS.registration });
        const amount = Number(order['amountMinor']);
        const r = await c.pay({ service: 'vendor', payee: String(order['payee']), amountMinor: amount, currency: PREPAID_CURRENCY });
        const paid = await http('POST', `${vendorUrl}/orders/${String(order['orderId'])}/payment`, { requestId: r.requestId });
        const receipt = Buffer.from(String(paid['receipt']), 'base64');
        const checked = verifyReceipt(receipt, vendorKey);
        // The PC keeps the signed receipt and the licence key on the medium (shown with the usage log).
        const store = new DirRemovableStore({ mountDir: aki.mount });
        await store.writeFile(receiptFile(r.requestId!), receipt);
        await store.writeFile('licence-sw-editor.txt', Buffer.from(`${String(paid['licenceKey'])}\n`));
        const stored = await store.readFile(receiptFile(r.requestId!));
        await store.close();
        const licence = String(paid['licenceKey']);
        return { r, licence, ok: r.status === 'done' && r.balanceMinor === 3_800 && checked.licenceKey === licence && checked.amountMinor === amount && stored.equals(receipt) };
      });
      await step(emit, { kind: 'fee', ...base, amountMinor: PREPAID_FEE_MINOR }, async () => {
        const info = await c.provider();
        const r = await c.pay({ service: 'provider-fee', payee: info.providerId, amountMinor: info.feeMinor ?? 0, currency: PREPAID_CURRENCY });
        return { r, ok: r.status === 'done' && r.balanceMinor === 3_800 - PREPAID_FEE_MINOR };
      });
    }

    if (ben) {
      const base = { who: 'Ben', mediumPrefix: ben.id.slice(0, 8) };
      const order = await http('POST', `${vendorUrl}/orders`, { itemCode: PREPAID_ITEMS.goods }).catch(() => ({}) as Record<string, unknown>);
      const amount = Number(order['amountMinor'] ?? 500);
      // The rewrite tears: the PC stops with the payment pending on the medium; the mirror slot holds generation 1.
      try {
        await pc(ben.mount, true).pay({ service: 'vendor', goods: true, payee: PREPAID_VENDOR, amountMinor: amount, currency: PREPAID_CURRENCY });
        emit({ kind: 'torn', ...base, amountMinor: amount, balanceMinor: 0, generation: 0, result: 'not torn', code: null, asExpected: false });
      } catch (e) {
        const { view } = await pc(ben.mount).read().catch(() => ({ view: { generation: 0 } }));
        const row = await o.prepaid.medium(ben.id);
        emit({ kind: 'torn', ...base, amountMinor: amount, balanceMinor: row?.balanceMinor ?? 0, generation: view.generation, result: 'torn', code: errorCode(e), asExpected: view.generation === 1 });
      }
      await step(emit, { kind: 'resume', ...base, amountMinor: amount }, async () => {
        const r = await pc(ben.mount).resume();
        let receiptOk = true;
        if (order['orderId'] !== undefined) {
          const paid = await http('POST', `${vendorUrl}/orders/${String(order['orderId'])}/payment`, { requestId: r.requestId });
          receiptOk = verifyReceipt(Buffer.from(String(paid['receipt']), 'base64'), vendorKey).amountMinor === amount;
        }
        return { r, ok: r.resumed && r.generation === 2 && r.balanceMinor === 3_000 - amount && receiptOk };
      });
    }

    if (aki && cloneMount) {
      // The copy (generation 1) used after the original moved on: refused, the medium frozen.
      const base = { who: 'copy of Aki\'s', mediumPrefix: aki.id.slice(0, 8), amountMinor: 300 };
      try {
        const r = await pc(cloneMount).pay({ service: 'vendor', payee: PREPAID_VENDOR, amountMinor: 300, currency: PREPAID_CURRENCY });
        emit({ kind: 'clone', ...base, balanceMinor: r.balanceMinor ?? 0, generation: r.generation, result: 'accepted', code: null, asExpected: false });
      } catch (e) {
        const row = await o.prepaid.medium(aki.id);
        emit({ kind: 'clone', ...base, balanceMinor: row?.balanceMinor ?? 0, generation: 1, result: row?.state ?? 'unknown', code: errorCode(e), asExpected: errorCode(e) === 'PREPAID_CLONE_REFUSED' && row?.state === 'frozen' });
      }
    }
    return {
      events,
      paidInMinor: events.filter((e) => e.kind === 'issue' && e.asExpected).reduce((a, e) => a + e.amountMinor, 0),
      mediumIds: media.map((m) => m.id),
      kioskCashBoxMinor,
      clonedMediumId: aki?.id ?? null,
      providerUrl: provider.url,
      vendorUrl,
      close,
    };
  } catch (e) {
    await close();
    o.log.warn({ err: errorCode(e) }, 'prepaid scene stopped');
    throw e;
  }
}

async function step(
  emit: (e: Omit<PrepaidEvent, 'atMs'>) => void,
  base: { kind: PrepaidEventKind; who: string; mediumPrefix: string; amountMinor: number },
  fn: () => Promise<{ r: ClientResult; ok: boolean; licence?: string }>,
): Promise<void> {
  try {
    const { r, ok, licence } = await fn();
    emit({ ...base, balanceMinor: r.balanceMinor ?? 0, generation: r.generation, ...(licence && { licencePrefix: licence.slice(0, 5) }), result: r.status ?? 'ok', code: null, asExpected: ok });
  } catch (e) {
    emit({ ...base, balanceMinor: 0, generation: 0, result: 'error', code: errorCode(e), asExpected: false });
  }
}

async function http(method: 'POST' | 'GET', url: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    const err = json['error'] as { code?: string } | undefined;
    throw Object.assign(new Error(`${method} ${url}: ${res.status}`), { code: err?.code ?? `HTTP_${res.status}` });
  }
  return json;
}
