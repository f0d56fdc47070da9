/**
 * The in-store sale (PROTOCOL.md §6.6): PASSWORD_SALE_REQUEST from an
 * authenticated terminal, answered PASSWORD_SALE_RESULT; every refusal is a
 * declined result with a 0x06xx code, never an ERROR frame.
 *
 * - The shop is the terminal's registration: validity's terminal row of
 *   owner kind `store`, its owner id the shop id (as e-money's shops). It is
 *   the payee a restriction names, the shop a device QR signs for and the
 *   merchant whose `pw-payable@<shop>` the sale credits.
 * - Reserve and capture in one unit (redeemIn with capture), idempotent by
 *   the shop's request id `pos:<terminal>:<TRANSACTION_ID hex>`: a retry
 *   with the same fields answers the first outcome.
 * - Failed lookups count against the terminal (scope `terminal:<id>`), as
 *   against an API key on the merchant API (lockout.ts).
 */
import { errorCode, isTesseraError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { STATUS } from '../../protocol/codes.js';
import { protoError } from '../../protocol/errors.js';
import type { CenterResponse, PasswordSaleRequest, PasswordSaleResult, TerminalRequest } from '../../protocol/messages/types.js';
import type { SessionHandler, SessionInfo } from '../net/types.js';
import type { CenterFlow } from '../server/session-router.js';
import type { Passwords } from './passwords.js';
import type { PresentedPassword, ShopRef } from './present.js';
import { passwordResultCode } from './result-codes.js';

/** What the flow reads of a terminal's registration (validity's repository). */
export interface TerminalRegistry {
  getTerminal(id: string): Promise<{ readonly ownerKind: string; readonly ownerId: string; readonly status: string } | undefined>;
}

/** The shop's request id of a terminal sale: the TRANSACTION_ID under the terminal's name (unique per shop). */
export const saleRequestId = (terminalId: string, transactionId: Buffer): string => `pos:${terminalId}:${transactionId.toString('hex')}`;

/** The lockout scope of a terminal's lookups. */
export const terminalScope = (terminalId: string): string => `terminal:${terminalId}`;

export class PasswordSaleService {
  constructor(private readonly pw: Passwords, private readonly terminals: TerminalRegistry, private readonly log: Logger) {}

  async sell(terminalId: string, m: PasswordSaleRequest): Promise<PasswordSaleResult> {
    const t = await this.terminals.getTerminal(terminalId);
    if (!t || t.ownerKind !== 'store' || t.status !== 'active') {
      this.log.warn({ terminalId, ownerKind: t?.ownerKind, status: t?.status }, 'password sale refused: the terminal is not an active store terminal');
      return declined(m, 'PASSWORD_BAD_REQUEST');
    }
    const shop: ShopRef = { merchantId: t.ownerId, shopId: t.ownerId };
    const scopes = [terminalScope(terminalId)];
    const presented: PresentedPassword = m.passwordQr !== undefined ? { qr: m.passwordQr } : { code: m.password! };
    try {
      await this.pw.lockout.check(scopes);
      const r = await this.pw.sell(shop, {
        requestId: saleRequestId(terminalId, m.transactionId), presented, amountMinor: m.amountMinor, currency: m.currency,
        goods: m.goodsClasses, ...(m.userRestriction !== undefined && { user: m.userRestriction }),
      });
      this.log.info({ terminalId, shopId: shop.shopId, serial: r.serial, amountMinor: r.capturedMinor, remainingMinor: r.remainingMinor }, 'password sale captured');
      return {
        type: 'passwordSaleResult', transactionId: m.transactionId, status: STATUS.APPROVED, resultCode: 0,
        amountMinor: r.capturedMinor, balanceMinor: r.remainingMinor, expiresAtMs: r.expiresAtMs,
      };
    } catch (e) {
      // Only the passwords' own refusals are answers; anything else (storage down) is the session's ERROR.
      if (!isTesseraError(e) || !/^(PASSWORD_|PWTOKEN_)/.test(e.code)) throw e;
      await this.pw.lockout.failed(scopes, e);
      this.log.info({ terminalId, shopId: shop.shopId, code: e.code }, 'password sale declined');
      const left = (e.details as { remainingMinor?: unknown } | undefined)?.remainingMinor;
      return declined(m, errorCode(e), typeof left === 'number' ? left : undefined);
    }
  }
}

function declined(m: PasswordSaleRequest, code: string, balanceMinor?: number): PasswordSaleResult {
  return {
    type: 'passwordSaleResult', transactionId: m.transactionId, status: STATUS.DECLINED, resultCode: passwordResultCode(code),
    ...(balanceMinor !== undefined && { balanceMinor }),
  };
}

export function passwordSaleFlow(sales: PasswordSaleService): CenterFlow {
  return {
    handles: ['passwordSaleRequest'],
    open: (info: SessionInfo): SessionHandler => ({
      onRequest: (req: TerminalRequest): Promise<CenterResponse> => {
        if (req.type !== 'passwordSaleRequest') return Promise.reject(protoError('PROTO_UNEXPECTED_MESSAGE', 'the password flow does not serve this request', { request: req.type }));
        return sales.sell(info.terminalId, req);
      },
      onClose: () => undefined,
    }),
  };
}
