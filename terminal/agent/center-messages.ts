/**
 * Center-initiated messages by registration: the requests a center sends to
 * the terminal on a callback session (the settlement instruction today) are
 * routed by message type to the handler a role registered
 * (`Role.centerMessages`), never to a method named after the message. Two
 * handlers for one type are a composition error (TERM_ROLE_COMPOSITION, at
 * agent creation); a type no handler serves is refused the way the protocol
 * says a receiver refuses a known request it does not serve: a non-fatal
 * PROTO_UNEXPECTED_MESSAGE (PROTOCOL.md §7, "Non-fatal"), the session going on.
 */
import { protoError } from '../../protocol/errors.js';
import type { RequestMessage, ResponseMessage } from '../../protocol/messages/types.js';
import { termError } from './errors.js';
import type { CenterMessageHandler, CenterMessageSession, CenterRequests, CenterRequestType, RoleContext } from './role.js';

/** A handler of one center message type, typed by it. */
export function onCenterMessage<T extends CenterRequestType>(
  type: T,
  handle: (ctx: RoleContext, msg: CenterRequests[T]['request'], session: CenterMessageSession) => Promise<CenterRequests[T]['answer']>,
): CenterMessageHandler<T> {
  return { type, handle };
}

/** Message type → its one handler. */
export class CenterMessageRouter {
  private readonly handlers = new Map<string, CenterMessageHandler>();

  /** @param owner names the role in composition errors. */
  constructor(private readonly owner: string) {}

  /** A second handler for a type is TERM_ROLE_COMPOSITION. */
  register(h: CenterMessageHandler): this {
    if (this.handlers.has(h.type)) throw termError('TERM_ROLE_COMPOSITION', `two handlers for the center message '${h.type}' in role '${this.owner}'`, { role: this.owner, messageType: h.type });
    this.handlers.set(h.type, h);
    return this;
  }

  get types(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** The answer of the handler registered for `msg.type`; none: PROTO_UNEXPECTED_MESSAGE (refused on the wire, non-fatal). */
  route(ctx: RoleContext, msg: RequestMessage, session: CenterMessageSession): Promise<ResponseMessage> {
    const h = this.handlers.get(msg.type);
    if (!h) return Promise.reject(protoError('PROTO_UNEXPECTED_MESSAGE', `role '${this.owner}' serves no center message '${msg.type}'`, { request: msg.type }));
    return (h as CenterMessageHandler<typeof h.type>).handle(ctx, msg as CenterRequests[typeof h.type]['request'], session);
  }
}
