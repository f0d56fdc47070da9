import { TesseraError } from '../../core/errors.js';
import { isProtocolError, type ProtoErrorCode } from '../../protocol/errors.js';
import type { CenterResponse } from '../../protocol/messages/types.js';
import type { LinkClient, RequestBuilder } from '../link/link-client.js';
import { termError, type TermErrorCode } from './errors.js';

/**
 * The roles' view of the link: requests with the configured timeout and
 * attempts, and link failures turned into one coded error the flow can act
 * on. `onFailure` names the code for "no answer" at this step (the validity
 * check has TERM_CENTER_UNREACHABLE, a transaction TERM_TX_UNANSWERED). A
 * center that refused this terminal at the handshake (key, registration, or
 * no protocol version in common) is TERM_CENTER_REFUSED at any step. The protocol code stays in details.protocolCode.
 */
export class AgentLink {
  private lastOpenFailure: ProtoErrorCode | null = null;

  constructor(
    readonly client: LinkClient,
    private readonly defaults: { readonly timeoutMs: number; readonly attempts: number },
  ) {
    client.on('fail', (e) => {
      this.lastOpenFailure = e.code;
    });
    client.on('up', () => {
      this.lastOpenFailure = null;
    });
  }

  get isUp(): boolean {
    return this.client.isUp;
  }

  async request(build: RequestBuilder, opts: { timeoutMs?: number; attempts?: number; onFailure?: TermErrorCode } = {}): Promise<CenterResponse> {
    try {
      return await this.client.request(build, { timeoutMs: opts.timeoutMs ?? this.defaults.timeoutMs, attempts: opts.attempts ?? this.defaults.attempts });
    } catch (e) {
      throw this.coded(e, opts.onFailure ?? 'TERM_CENTER_UNREACHABLE');
    }
  }

  private coded(e: unknown, onFailure: TermErrorCode): TesseraError {
    if (!isProtocolError(e)) return e instanceof TesseraError ? e : termError('TERM_ROLE_FAILED', 'link request failed', {}, e);
    if ((this.lastOpenFailure === 'PROTO_AUTH_FAILED' || this.lastOpenFailure === 'PROTO_VERSION_UNSUPPORTED') && !this.client.isUp) {
      return termError('TERM_CENTER_REFUSED', 'the center refused this terminal at the handshake', { protocolCode: this.lastOpenFailure }, e);
    }
    return termError(onFailure, 'no answer from the center', { protocolCode: e.code }, e);
  }
}
