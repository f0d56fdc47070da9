/**
 * The agent's seams (issue 10, item 5): card applications by registration
 * (`card.app(kind)` for the kinds a role declares) and center-initiated
 * messages routed by type to the handler a role registered. Composition
 * errors stop the agent before it opens anything; a center message no
 * handler serves is refused on the wire as the protocol says (non-fatal
 * PROTO_UNEXPECTED_MESSAGE), on the real stacks (pcscd + vpcd card, center
 * on SQLite, callback over TCP).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialTerminal } from '../../../center/net/dial-terminal.js';
import { deriveTerminalKey } from '../../../center/server/terminal-keys.js';
import { TAG } from '../../../protocol/codes.js';
import type { SettlementInstruction } from '../../../protocol/messages/types.js';
import { composeCapabilities, type TerminalCapability } from '../../../terminal/agent/capability.js';
import { CardAppRegistry, type CardAppKind } from '../../../terminal/agent/card-apps.js';
import { CenterMessageRouter, onCenterMessage } from '../../../terminal/agent/center-messages.js';
import { createAgent } from '../../../terminal/agent/create-agent.js';
import type { Role, RoleContext } from '../../../terminal/agent/role.js';
import { RoleRegistry } from '../../../terminal/agent/role-registry.js';
import { BUILTIN_CAPABILITIES, builtinCardApps, builtinRoles } from '../../../terminal/agent/roles/builtin.js';
import { parseTerminalConfig } from '../../../terminal/config/load.js';
import { posTerminal, type WorldTerminal } from '../../../sim/world/terminals.js';
import { openWorld, type World } from '../../../sim/world/world.js';

const composition = (details: Record<string, unknown>) => expect.objectContaining({ code: 'TERM_ROLE_COMPOSITION', details: expect.objectContaining(details) });
const ack = async () => ({ type: 'settlementAck' as const, erased: [] });

describe('composition', () => {
  it('the built-in list composes every role and card application once, and every role finds the applications it declares', () => {
    const { roles, cardApps } = composeCapabilities(BUILTIN_CAPABILITIES);
    expect(roles.names).toEqual(['password-pos', 'prepaid-issuer', 'provider-kiosk', 'shop', 'validity-pos', 'vending', 'voucher-pos']);
    expect(cardApps.kinds).toEqual(['cashCard', 'purse']);
    expect(builtinRoles().names).toEqual(roles.names);
    expect(builtinCardApps().kinds).toEqual(cardApps.kinds);
    const declared = Object.fromEntries(roles.names.map((name) => [name, roles.create(config(name, name === 'vending' ? { products: { A1: 120 } } : name === 'password-pos' ? { ttpPublicKeys: ['ab'.repeat(32)] } : {})).apps]));
    expect(declared).toEqual({ 'prepaid-issuer': ['purse'], 'provider-kiosk': ['cashCard', 'purse'], shop: ['purse'], 'validity-pos': ['purse'], vending: ['purse'] });
  });

  it('a role or card application two capabilities register is TERM_ROLE_COMPOSITION', () => {
    const a: TerminalCapability = { name: 'a', roles: { till: () => ({ name: 'till' }) }, cardApps: { purse: () => ({}) as never } };
    expect(() => composeCapabilities([a, { name: 'b', roles: { till: () => ({ name: 'till' }) } }])).toThrow(composition({ role: 'till' }));
    expect(() => composeCapabilities([a, { name: 'b', roles: {}, cardApps: { purse: () => ({}) as never } }])).toThrow(composition({ cardApp: 'purse' }));
    expect(() => new CardAppRegistry().assertProvides('till', ['voucher'])).toThrow(composition({ role: 'till', cardApp: 'voucher', known: [] }));
  });

  it('center messages go to the handler registered for their type; two for one type is TERM_ROLE_COMPOSITION; none is PROTO_UNEXPECTED_MESSAGE', async () => {
    const seen: string[] = [];
    const router = new CenterMessageRouter('shop').register(onCenterMessage('settlementInstruction', async (_ctx, msg) => (seen.push(msg.currency), ack())));
    expect(router.types).toEqual(['settlementInstruction']);
    expect(() => router.register(onCenterMessage('settlementInstruction', ack))).toThrow(composition({ role: 'shop', messageType: 'settlementInstruction' }));
    const session = { sealer: {} as never, token: Buffer.alloc(16) };
    await expect(router.route({} as RoleContext, instruction(Buffer.alloc(0)), session)).resolves.toEqual({ type: 'settlementAck', erased: [] });
    expect(seen).toEqual(['JPY']);
    await expect(new CenterMessageRouter('validity-pos').route({} as RoleContext, instruction(Buffer.alloc(0)), session)).rejects.toMatchObject({
      code: 'PROTO_UNEXPECTED_MESSAGE',
      details: { request: 'settlementInstruction' },
    });
  });

  it('createAgent refuses a role that does not fit the build before it opens the journal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-seams-'));
    try {
      const keyFile = join(dir, 't.key');
      writeFileSync(keyFile, Buffer.alloc(32, 7).toString('hex'), { mode: 0o600 });
      const journal = join(dir, 'journal.db');
      const make = (role: Role) => () => createAgent(parseTerminalConfig({ ...base('odd'), keyFile, journal }), { roles: new RoleRegistry().register('odd', () => role) });
      const twice: Role = { name: 'odd', centerMessages: [onCenterMessage('settlementInstruction', ack), onCenterMessage('settlementInstruction', ack)] };
      expect(make(twice)).toThrow(composition({ role: 'odd', messageType: 'settlementInstruction' }));
      const voucherReader: Role = { name: 'odd', apps: ['purse', 'voucher' as CardAppKind] };
      expect(make(voucherReader)).toThrow(composition({ role: 'odd', cardApp: 'voucher', known: ['cashCard', 'purse'] }));
      expect(existsSync(journal)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('on the real stacks', () => {
  const CARD = 'd200000000000002';
  let world: World;
  let pos: WorldTerminal;
  let shop: WorldTerminal;
  /** What the probe role's card flow saw (card applications). */
  const probeRole: Role = {
    name: 'probe',
    apps: ['purse'],
    async onCardInserted(_ctx, card) {
      const purse = card.app('purse');
      await purse.select();
      const mediumId = await purse.readId();
      const same = card.app('purse') === purse;
      let undeclared: unknown = null;
      try {
        card.app('cashCard');
      } catch (e) {
        undeclared = e;
      }
      return { result: 'done', code: null, mediumId, details: { same, undeclared: (undeclared as { code?: string } | null)?.code ?? null } };
    },
  };

  beforeAll(async () => {
    world = await openWorld({ hardware: { readerDevices: 2, namePrefix: 'Agent Reader' }, center: { validity: { mode: 'cached' } } });
    await world.card(CARD);
    const roles = builtinRoles().register('probe', () => probeRole);
    pos = await world.startTerminal(posTerminal('VPOS-CB', { reader: 0, role: 'probe', callback: true, roles }));
    shop = await world.startTerminal(posTerminal('SHOP-CB', { reader: 1, role: 'shop', callback: true }));
  });
  afterAll(async () => {
    await pos?.stop();
    await shop?.stop();
    await world?.close();
  });

  it('a card flow gets the applications its role declared, one per flow, over the card; an undeclared one is TERM_ROLE_COMPOSITION', async () => {
    const r = await pos.present(CARD);
    await pos.take();
    expect(r).toMatchObject({ trigger: 'card', result: 'done', mediumId: CARD, card: 'returned', details: { same: true, undeclared: 'TERM_ROLE_COMPOSITION' } });
  });

  it('a center message the role registers no handler for is refused PROTO_UNEXPECTED_MESSAGE, non-fatal: the callback session goes on', async () => {
    const s = await callback(pos, 'VPOS-CB');
    await expect(s.request(instruction(s.sealer.seal(TAG.SECURITY_CODE, Buffer.from('918273'))))).rejects.toMatchObject({ code: 'PROTO_UNEXPECTED_MESSAGE' });
    await expect(s.request({ type: 'ping' })).resolves.toEqual({ type: 'pong' });
    s.close();
  });

  it('the settlement instruction reaches the handler the shop registered for its type (no settle awaits it: refused there, nothing erased)', async () => {
    const s = await callback(shop, 'SHOP-CB');
    // The shop's handler refuses an instruction no settle awaits (TERM_SETTLE_TIMEOUT): a handler failure on the wire, not "not served".
    await expect(s.request(instruction(s.sealer.seal(TAG.SECURITY_CODE, Buffer.from('918273'))))).rejects.toMatchObject({ code: 'PROTO_HANDLER_FAILED' });
    s.close();
  });

  /** The center's side of a callback the terminal awaits (as after AWAIT_CALLBACK). */
  async function callback(term: WorldTerminal, terminalId: string) {
    const token = Buffer.alloc(16, terminalId.length);
    term.agent.context.callback!.expect(token, 10_000);
    const port = term.agent.context.callbackPort!;
    return dialTerminal({ host: '127.0.0.1', port }, terminalId, { terminalKey: deriveTerminalKey(world.masterKey, `k-${terminalId}`), token });
  }
});

function instruction(securityCode: Buffer): SettlementInstruction {
  return { type: 'settlementInstruction', bankCode: '0009', branchCode: '456', accountNumber: '7654321', securityCode, totalMinor: 0, currency: 'JPY', results: [] };
}

function base(role: string) {
  return { terminalId: 'T-1', keyFile: 'k', role, centers: [{ host: 'h', port: 1 }], devices: { reader: { namePattern: 'x' } }, journal: 'j' };
}

function config(role: string, roleSettings: Record<string, unknown> = {}) {
  return parseTerminalConfig({ ...base(role), roleSettings });
}

